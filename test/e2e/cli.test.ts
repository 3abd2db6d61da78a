/**
 * The `weft` CLI end to end on a dev server: `weft run order-triage` against an in-test worker
 * completes with the UI link and live progress; `weft inspect --layer 1..4 --json` returns what the
 * workflow holds; `weft dlq list` shows nothing parked; errors say what to do.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftClient } from '../../src/client.js';
import { loadConfig } from '../../src/config.js';
import { createWeftWorker } from '../../src/worker.js';
import { registry } from '../../examples/registry.js';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import type { TaskResult } from '../../workflows/definitions.js';
import { bundle } from '../support/engine.js';
import { startDevServerEnv } from '../support/environments.js';
import { runWeft } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let weft: WeftClient;
let dir: string;
let cliEnv: Record<string, string>;
const taskQueue = `cli-e2e-${randomUUID().slice(0, 8)}`;
const workflowId = `order-triage-e2e-${randomUUID().slice(0, 8)}`;

/** Runs `node bin/weft.js ...args` against the test server; resolves with the exit status and both streams. */
function weftCli(args: readonly string[]) {
  return runWeft(args, cliEnv, 90_000);
}

beforeAll(async () => {
  env = await startDevServerEnv();
  dir = mkdtempSync(join(tmpdir(), 'weft-cli-e2e-'));
  // the report goes to a temporary directory: a root the in-test worker may write (WEFT_FILE_ROOTS)
  process.env['WEFT_FILE_ROOTS'] = [ROOT, tmpdir()].join(':');
  const { WEFT_UI_URL: _ui, WEFT_TEMPORAL_UI_PORT: _port, WEFT_REGISTRY: _registry, ...inherited } = process.env;
  cliEnv = { ...(inherited as Record<string, string>), TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', WEFT_TASK_QUEUE: taskQueue };
  worker = await createWeftWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    handlers: registry.handlers,
    templates: registry.templates,
    planner: registry.planner!,
    workflowBundle: await bundle(),
  });
  running = worker.run();
  weft = new WeftClient(env.client, loadConfig(cliEnv), { env: cliEnv });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('weft run', () => {
  let run: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    const input = join(dir, 'input.json');
    writeFileSync(
      input,
      JSON.stringify({ orders_path: join(ROOT, 'examples/order-triage/data/orders.json'), report_dir: join(dir, 'reports'), focus: 'Triage the orders.' }),
    );
    run = await weftCli(['run', 'order-triage', '--input', input, '--id', workflowId]);
  });

  it('completes with exit 0 and prints the Web UI link of the run', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const host = env.address.slice(0, env.address.lastIndexOf(':'));
    expect(run.stdout).toContain(`started ${workflowId} (template order-triage, task queue ${taskQueue})`);
    expect(run.stdout).toContain(`Web UI: http://${host}:8233/namespaces/default/workflows/${workflowId}`);
  });

  it('prints progress lines with provenance, then the result summary', async () => {
    const out = run.stdout;
    expect(out).toMatch(/^ {2}\+ *\d+\.\ds {2}load_orders +completed .*load_orders · static step of the template/m);
    expect(out).toMatch(/^ {2}\+ *\d+\.\ds {2}plan_processing +fragment accepted: 8 steps, next "done" \(scripted:examples\/order-triage\/plan\.ts, phase 1, attempt 1, plan_processing:p1:\w+\)/m);
    for (const s of orderTriageFragment.steps) {
      expect(out).toMatch(new RegExp(`^ {2}\\+ *\\d+\\.\\ds {2}${s.name} +(running|completed) .*${s.handler} · planned by plan_processing \\(phase 1, plan_processing:p1:\\w+\\)`, 'm'));
    }
    expect(out).toMatch(/^ {2}\+ *\d+\.\ds {2}publish_report +completed /m);
    expect(out).toMatch(/^completed order-triage@1\.0\.0 in \d+\.\ds: 12 steps \(4 from the template, 8 planned\)$/m);
    expect(out).toContain('  partial: no');
    expect(out).toContain('  budget:  12/40 steps, 1/2 phases, 0/8 LLM calls, $0.00/$2.00');
    const result: TaskResult = await weft.result(workflowId);
    const report = result.result as { markdown_path: string };
    expect(out).toContain(`"markdown_path":"${report.markdown_path}"`);
    expect(existsSync(report.markdown_path)).toBe(true);
    expect(readFileSync(report.markdown_path, 'utf8')).toContain('review_decision');
  });

  it('inspect --layer 1 --json returns the step table, budget and state the workflow holds', async () => {
    const r = await weftCli(['inspect', workflowId, '--layer', '1', '--json']);
    expect(r.code).toBe(0);
    const layer = JSON.parse(r.stdout) as { layer: number; state: string; task: { status: string; template: string }; steps: unknown; budget: unknown; overview: string };
    expect(layer.layer).toBe(1);
    expect(layer.state).toBe('completed');
    expect(layer.task).toMatchObject({ status: 'COMPLETED', template: 'order-triage' });
    expect(layer.steps).toEqual(await weft.steps(workflowId));
    expect(layer.budget).toEqual(JSON.parse(JSON.stringify(await weft.budget(workflowId))));
    expect(layer.overview).toContain('1 planning phase, 12 steps (4 from the template, 8 planned)');
  });

  it('inspect --layer 2 --json returns every planning attempt without the fragments', async () => {
    const layer = JSON.parse((await weftCli(['inspect', workflowId, '--layer', '2', '--json'])).stdout) as { attempts: Record<string, unknown>[] };
    const attempts = await weft.planning(workflowId);
    expect(layer.attempts).toEqual(attempts.map(({ fragment: _f, output: _o, ...rest }) => rest));
    expect(layer.attempts[0]).toMatchObject({ planningStep: 'plan_processing', accepted: true, planner: 'scripted:examples/order-triage/plan.ts', prompt: null });
  });

  it('inspect --layer 3 --json returns the accepted fragment and no rejected ones', async () => {
    const layer = JSON.parse((await weftCli(['inspect', workflowId, '--layer', '3', '--json'])).stdout) as { accepted: { fragment: unknown }[]; rejected: unknown[] };
    expect(layer.accepted).toHaveLength(1);
    expect(layer.accepted[0]!.fragment).toEqual(orderTriageFragment);
    expect(layer.rejected).toEqual([]);
  });

  it('inspect --layer 4 --json returns every step with its input and output', async () => {
    const layer = JSON.parse((await weftCli(['inspect', workflowId, '--layer', '4', '--json'])).stdout) as { steps: { record: { name: string } }[] };
    const names = (await weft.steps(workflowId)).map((s) => s.name);
    expect(layer.steps.map((s) => s.record.name)).toEqual(names);
    for (const name of ['load_orders', 'plan_processing', 'review_decision', 'publish_report']) {
      const { record, input, output } = layer.steps.find((s) => s.record.name === name) as unknown as Record<string, unknown>;
      expect({ record, input, output }).toEqual(await weft.step(workflowId, name));
    }
  });

  it('inspect prints the layers as text', async () => {
    const one = await weftCli(['inspect', workflowId]);
    expect(one.stdout).toMatch(/^valid_orders +completed +planned +validate +planning_step plan_processing +1 +plan_processing:p1:\w+/m);
    const three = await weftCli(['inspect', workflowId, '--layer', '3']);
    expect(three.stdout).toContain('  DAG:');
    expect(three.stdout).toMatch(/^ {4}valid_orders \(validate\) {2}\[after load_orders\]$/m);
    expect(three.stdout).toMatch(/^ {10}review_decision \(decide\) {2}\[also after valid_orders\]$/m);
  });
});

describe('weft dlq and errors', () => {
  it('dlq list shows nothing parked', async () => {
    const r = await weftCli(['dlq', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('nothing parked');
    expect(JSON.parse((await weftCli(['dlq', 'list', '--json'])).stdout)).toEqual({ parked: [], unreadable: [] });
  });

  it('an unknown task: exit 1, naming the task and the namespace', async () => {
    const r = await weftCli(['inspect', 'no-such-task']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^weft inspect: no task no-such-task in namespace default: /);
  });

  it('an operator action on a closed task: exit 1, saying it closed', async () => {
    const r = await weftCli(['dlq', 'retry', workflowId, 'load_orders']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`task ${workflowId} has already closed`);
  });
});
