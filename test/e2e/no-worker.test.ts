/**
 * Operator tools with every worker down, on a real dev server: `weft inspect` (layers 1–4) and
 * `weft dlq list` read a finished task, a re-planned task parked on a failed step, and a task
 * whose planning was exhausted and parked — from history, memo and visibility. Updates with no
 * worker fail within a bounded time, naming the task queue and saying to start a worker. And
 * what the Web UI shows, read from the same history: the rejected attempt on the timeline, the
 * parked step as a labelled timer, step names leading every label.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOut } from '../../catalog/fan-out.js';
import { gate } from '../../catalog/gate.js';
import { registry } from '../../examples/registry.js';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import { localBlobStore } from '../../src/blob/store.js';
import { WeftClient } from '../../src/client.js';
import { loadConfig } from '../../src/config.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { createWeftWorker } from '../../src/worker.js';
import { bundle, fragment, step, testTemplate } from '../support/engine.js';
import { startDevServerEnv } from '../support/environments.js';
import { REPO_ROOT } from '../support/paths.js';
import { failTimes, testHandlers } from '../support/test-handlers.js';
import { runWeft } from '../support/cli.js';


let env: TestWorkflowEnvironment;
let weft: WeftClient;
let dir: string;
let cliEnv: Record<string, string>;
let makeWorker: () => ReturnType<typeof createWeftWorker>;
const taskQueue = `no-worker-${randomUUID().slice(0, 8)}`;
const ids = { finished: `finished-${randomUUID().slice(0, 8)}`, parked: `parked-${randomUUID().slice(0, 8)}`, exhausted: `exhausted-${randomUUID().slice(0, 8)}` };

async function weftCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return { ...(await runWeft(args, cliEnv, 90_000)), ms: Date.now() - t0 };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await probe();
      if (ok(v)) return v;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const badFragment = fragment([step('fetch', 'http_get', { url: 'x' })]);
const parkingFragment = fragment([step('broken', 'flaky', { label: 'b' }), step('after', 'add', { values: [1] }, ['broken'])]);

beforeAll(async () => {
  // the report goes to a temporary directory: a root the in-test worker may write (WEFT_FILE_ROOTS)
  process.env['WEFT_FILE_ROOTS'] = [REPO_ROOT, tmpdir()].join(':');
  env = await startDevServerEnv();
  dir = mkdtempSync(join(tmpdir(), 'weft-no-worker-'));
  const { WEFT_UI_URL: _ui, WEFT_REGISTRY: _registry, ANTHROPIC_API_KEY: _key, ...inherited } = process.env;
  cliEnv = { ...(inherited as Record<string, string>), TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', WEFT_TASK_QUEUE: taskQueue, WEFT_BLOB_DIR: join(dir, 'blobs') };
  weft = new WeftClient(env.client, loadConfig(cliEnv), { env: cliEnv });
  const parks = testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 1 } } });
  const exhausts = { ...testTemplate({ maxAttempts: 2, onExhausted: 'park' }), name: 'engine-test-exhausts' };
  const planner = scriptedPlanner((req) => {
    if (req.taskId === ids.exhausted) return badFragment;
    if (req.taskId === ids.parked) return req.attempt === 1 ? badFragment : parkingFragment;
    return orderTriageFragment;
  });
  const workflowBundle = await bundle();
  makeWorker = () =>
    createWeftWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      handlers: [...registry.handlers, ...testHandlers.filter((h) => !registry.handlers.some((r) => r.name === h.name))],
      templates: [...registry.templates, parks, exhausts],
      planner,
      workflowBundle,
      blobStore: localBlobStore(join(dir, 'blobs')),
    });
  const worker = await makeWorker();
  failTimes(ids.parked, 'broken', 1000);
  await worker.runUntil(async () => {
    await weft.start('order-triage', { orders_path: join(REPO_ROOT, 'examples/order-triage/data/orders.json'), report_dir: join(dir, 'reports') }, { workflowId: ids.finished });
    await weft.start(parks.name, { n: 2 }, { workflowId: ids.parked });
    await weft.start(exhausts.name, { n: 3 }, { workflowId: ids.exhausted });
    await weft.result(ids.finished);
    await until(() => weft.read(ids.parked), (v) => v.steps.some((s) => s.record.name === 'broken' && s.record.state === 'parked'), 'broken parked');
    await until(() => weft.read(ids.exhausted), (v) => v.steps.some((s) => s.record.name === 'plan' && s.record.state === 'parked'), 'plan parked');
  });
  // From here on, no worker polls the task queue.
  void gate;
  void fanOut;
}, 240_000);

afterAll(async () => {
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('weft inspect with no worker', () => {
  it('layer 1 of a finished task: every step completed, the overview and budget', async () => {
    const r = await weftCli(['inspect', ids.finished, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const l = JSON.parse(r.stdout) as { state: string; overview: string; steps: { name: string; state: string }[]; budget: { line: string } };
    expect(l.state).toBe('completed');
    expect(l.steps).toHaveLength(12);
    expect(l.steps.every((s) => s.state === 'completed')).toBe(true);
    expect(l.overview).toContain('1 planning phase, 12 steps (4 from the template, 8 planned)');
    expect(l.budget.line).toBe('12/40 steps, 1/2 phases, 0/8 LLM calls, $0.00/$2.00');
  });

  it('layers 2–4 of a finished task', async () => {
    const two = JSON.parse((await weftCli(['inspect', ids.finished, '--layer', '2', '--json'])).stdout) as { attempts: { accepted: boolean; planner: string }[] };
    expect(two.attempts).toMatchObject([{ accepted: true, planner: 'scripted' }]);
    const three = await weftCli(['inspect', ids.finished, '--layer', '3']);
    expect(three.code).toBe(0);
    expect(three.stdout).toMatch(/^ {4}valid_orders \(validate\) {2}\[after load_orders\]$/m);
    const four = await weftCli(['inspect', ids.finished, '--layer', '4', '--step', 'review_decision']);
    expect(four.code).toBe(0);
    expect(four.stdout).toMatch(/^review_decision {2}completed {2}decide \(planning_step, plan_processing:p1:\w+\)$/m);
    expect(four.stdout).toMatch(/^ {2}execution 1: completed after 1 attempt; scheduled \+\d+\.\ds, started \+\d+\.\ds, closed \+\d+\.\ds$/m);
    expect(four.stdout).toMatch(/^ {2}output: \{"outcome":"manual_review"/m);
  });

  it('layer 4 --resolve replaces blob pointers with the stored values', async () => {
    const plain = JSON.parse((await weftCli(['inspect', ids.finished, '--layer', '4', '--step', 'load_orders', '--json'])).stdout) as { steps: { output: Record<string, unknown> }[] };
    expect(plain.steps[0]!.output['$weft_blob']).toMatch(/^sha256:/);
    const resolved = JSON.parse((await weftCli(['inspect', ids.finished, '--layer', '4', '--step', 'load_orders', '--resolve', '--json'])).stdout) as { steps: { output: { orders: unknown[] } }[] };
    expect(resolved.steps[0]!.output.orders.length).toBeGreaterThan(100);
    const blob = await weftCli(['blob', 'get', String(plain.steps[0]!.output['$weft_blob'])]);
    expect(blob.code).toBe(0);
    expect((JSON.parse(blob.stdout) as { orders: unknown[] }).orders).toEqual(resolved.steps[0]!.output.orders);
  });

  it('a parked task: state parked, the parked step, the step that never ran, the rejected attempt', async () => {
    const one = await weftCli(['inspect', ids.parked]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/· running \(parked\) ·/);
    expect(one.stdout).toMatch(/^broken +parked +planned +flaky +planning_step plan +1 +plan:p1:\w+ .* FLAKY_FAILURE: /m);
    expect(one.stdout).toMatch(/^after +pending +planned +add /m);
    expect(one.stdout).toMatch(/^plan +running +planning +planner +template .*planning/m);
    expect(one.stdout).toContain(`parked: broken: resolve with weft dlq retry|skip|fail ${ids.parked} broken`);
    const two = await weftCli(['inspect', ids.parked, '--layer', '2']);
    expect(two.stdout).toMatch(/^plan phase 1 attempt 1 \[planner\]: rejected: HANDLER_UNKNOWN$/m);
    expect(two.stdout).toMatch(/^plan phase 1 attempt 2 \[planner\]: accepted \(plan:p1:\w+\)$/m);
    const three = await weftCli(['inspect', ids.parked, '--layer', '3']);
    expect(three.stdout).toMatch(/rejected alternatives \(1\):/);
    expect(three.stdout).toMatch(/HANDLER_UNKNOWN \/steps\/0\/handler: /);
    const four = await weftCli(['inspect', ids.parked, '--layer', '4', '--step', 'broken']);
    expect(four.stdout).toMatch(/^ {2}execution 1: failed after 1 attempt; .* — FLAKY_FAILURE: planned failure/m);
  });

  it('a task whose planning was exhausted: the last attempt and its diagnostics are there too', async () => {
    const two = await weftCli(['inspect', ids.exhausted, '--layer', '2', '--json']);
    const l = JSON.parse(two.stdout) as { attempts: { attempt: number; accepted: boolean; diagnostics: { code: string }[] }[] };
    expect(l.attempts.map((a) => [a.attempt, a.accepted, a.diagnostics[0]?.code])).toEqual([
      [1, false, 'HANDLER_UNKNOWN'],
      [2, false, 'HANDLER_UNKNOWN'],
    ]);
    const one = await weftCli(['inspect', ids.exhausted]);
    expect(one.stdout).toMatch(/^plan +parked +planning +planner +template +\d+\.\ds planning +2 +PLANNING_EXHAUSTED: no valid fragment after 2 attempt/m);
    expect(one.stdout).toMatch(/^converge +pending /m);
    const steps = (JSON.parse((await weftCli(['inspect', ids.exhausted, '--json'])).stdout) as { steps: { name: string; error: { message: string } | null }[] }).steps;
    expect(steps.find((s) => s.name === 'plan')?.error?.message).toBe('no valid fragment after 2 attempt(s); last diagnostics: HANDLER_UNKNOWN');
  });
});

describe('weft dlq with no worker', () => {
  it('dlq list finds both parked tasks by WeftState and names their steps', async () => {
    const r = await weftCli(['dlq', 'list', '--json']);
    expect(r.code).toBe(0);
    const { parked, unreadable } = JSON.parse(r.stdout) as { parked: { workflowId: string; step: { name: string; error: { type: string } } }[]; unreadable: unknown[] };
    expect(unreadable).toEqual([]);
    const mine = parked.filter((p) => Object.values(ids).includes(p.workflowId)).map((p) => [p.workflowId, p.step.name, p.step.error.type]);
    expect(mine.sort()).toEqual(
      [
        [ids.exhausted, 'plan', 'PLANNING_EXHAUSTED'],
        [ids.parked, 'broken', 'FLAKY_FAILURE'],
      ].sort(),
    );
    const text = await weftCli(['dlq', 'list']);
    expect(text.stdout).toMatch(new RegExp(`^${ids.parked} +engine-test +broken +flaky +planning_step +1 +FLAKY_FAILURE`, 'm'));
  });

  it('dlq retry fails within a bounded time, naming the task queue and saying to start a worker', async () => {
    const r = await weftCli(['dlq', 'retry', ids.parked, 'broken']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no worker polls task queue ${taskQueue}`);
    expect(r.stderr).toContain('Start one with `weft worker`');
    expect(r.ms).toBeLessThan(45_000);
  });

  it('gate approve on a task whose queue never had a worker fails at once', async () => {
    const queue = `nobody-${randomUUID().slice(0, 8)}`;
    const lonely = new WeftClient(env.client, loadConfig({ ...cliEnv, WEFT_TASK_QUEUE: queue }), { env: cliEnv });
    const { workflowId } = await lonely.start('order-triage', {});
    const r = await weftCli(['gate', 'approve', workflowId, 'approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no worker polls task queue ${queue} (namespace default) for task ${workflowId}: no worker has polled it`);
    expect(r.ms).toBeLessThan(15_000);
  });
});

describe('what the Web UI shows, read from the history through the client', () => {
  it('the rejected attempt on the timeline, step names leading labels, the parked step as a labelled timer', async () => {
    const history = await env.client.workflow.getHandle(ids.parked).fetchHistory();
    const summaryOf = (e: { userMetadata?: { summary?: { data?: Uint8Array | null } | null } | null }) =>
      e.userMetadata?.summary?.data ? (JSON.parse(Buffer.from(e.userMetadata.summary.data).toString()) as string) : null;
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).map(summaryOf);
    expect(scheduled).toContain('plan · planner · planning step of the template · phase 1, attempt 1');
    expect(scheduled).toContain('plan · planner · planning step of the template · phase 1, attempt 2 (attempt 1 rejected: HANDLER_UNKNOWN)');
    expect(scheduled.find((s) => s?.startsWith('broken · flaky · planned by plan (phase 1, plan:p1:'))).toBeDefined();
    const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes).map(summaryOf);
    expect(timers).toContain(`parked: broken — FLAKY_FAILURE: planned failure, 999 left; resolve with weft dlq retry|skip|fail ${ids.parked} broken`);
    const exhaustedHistory = await env.client.workflow.getHandle(ids.exhausted).fetchHistory();
    expect((exhaustedHistory.events ?? []).filter((e) => e.timerStartedEventAttributes).map(summaryOf)).toContain(
      `parked: plan — PLANNING_EXHAUSTED: no valid fragment after 2 attempt(s); last diagnostics: HANDLER_UNKNOWN; resolve with weft dlq retry|skip|fail ${ids.exhausted} plan`,
    );
    expect(timers.some((t) => t?.startsWith('wall-time budget watchdog of plan'))).toBe(true);
    const exhausted = await env.client.workflow.getHandle(ids.exhausted).describe();
    expect(JSON.stringify(exhausted.memo?.['weft_planning'])).toContain('HANDLER_UNKNOWN');
  });
});

describe('when a worker is back', () => {
  it('dlq skip goes through: the result is partial, the task searchable by WeftCreatedBy operator, the step skipped', async () => {
    const worker = await makeWorker();
    await worker.runUntil(async () => {
      // The retry that timed out above may be delivered now: skip once the step is parked (again).
      const skip = await until(
        async () => {
          const r = await weftCli(['dlq', 'skip', ids.parked, 'broken', '--output', '{"ok":true,"label":"given"}', '--reason', 'bad row']);
          if (r.code !== 0 && !/not parked/.test(r.stderr)) throw new Error(r.stderr);
          return r;
        },
        (r) => r.code === 0,
        'the skip to be accepted',
      );
      expect(skip.stdout).toContain(`${ids.parked} broken: skipped`);
      const result = await weft.result(ids.parked);
      expect(result.partial).toBe(true);
      expect(result.reason).toMatch(/'broken' was skipped by an operator \(skip( by \S+)?: bad row\)/);
    });
    const found = await until(() => weft.list(`WeftCreatedBy = 'operator' AND WorkflowId = '${ids.parked}'`), (l) => l.length === 1, 'the task by WeftCreatedBy', 20_000);
    expect(found[0]!.status).toBe('COMPLETED');
    const one = await weftCli(['inspect', ids.parked]);
    expect(one.stdout).toMatch(/^broken +skipped +planned +flaky .* skip( by \S+)?: bad row$/m);
    expect(one.stdout).toMatch(/^after +completed /m);
  });
});
