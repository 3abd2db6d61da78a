/**
 * `weft replay` through the real executable, on exported histories (what CI uses) and on tasks
 * found by visibility on a dev server: clean histories pass (exit 0); a recorded fragment that
 * today's catalog rejects and a history that today's workflow code cannot replay are found and
 * reported (exit 1); bad usage exits 2.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../examples/registry.js';
import { createWeftWorker } from '../../src/worker.js';
import { weftTask } from '../../workflows/task.js';
import type { ReplayReport } from '../../src/cli/commands/replay.js';
import { bundle } from '../support/engine.js';
import { startDevServerEnv } from '../support/environments.js';
import { runWeft } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HISTORY = join(ROOT, 'test/replay/histories/order-triage.json');
const NARROWER = 'test/e2e/fixtures/narrower-registry.ts';

function weft(args: readonly string[], env: Record<string, string> = {}) {
  return runWeft(args, { ...process.env, ...env });
}

let dir: string;
const sub = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-replay-e2e-'));
  // the in-test worker writes its report under the temporary directory: make it a root
  process.env['WEFT_FILE_ROOTS'] = [ROOT, tmpdir()].join(':');
  for (const d of ['clean', 'changed', 'empty']) mkdirSync(sub(d));
  writeFileSync(join(sub('clean'), 'order-triage.json'), readFileSync(HISTORY));
  // A history from older workflow code: where today's code schedules the `validate` step, it
  // recorded another activity type, so today's commands no longer match the recorded events.
  const history = JSON.parse(readFileSync(HISTORY, 'utf8')) as { events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] };
  const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'validate');
  scheduled!.activityTaskScheduledEventAttributes!.activityType.name = 'validate_rows';
  writeFileSync(join(sub('changed'), 'older-code.json'), JSON.stringify(history));
  writeFileSync(join(sub('changed'), 'order-triage.json'), readFileSync(HISTORY));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('weft replay --histories', () => {
  it('passes clean histories: every fragment re-validates and the history replays (exit 0)', async () => {
    const r = await weft(['replay', '--histories', sub('clean')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}order-triage\.json \(order-triage\): 1 fragment re-validated, replayed$/m);
    expect(r.stdout).toContain('1 clean, 0 with findings');
  });

  it("finds a recorded fragment today's catalog rejects, with today's diagnostics (exit 1)", async () => {
    const r = await weft(['replay', '--histories', sub('clean'), '--registry', NARROWER, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as ReplayReport;
    expect(report.withFindings).toBe(1);
    const [finding] = report.histories[0]!.findings;
    expect(finding).toMatchObject({ kind: 'now_rejected', planningStep: 'plan_processing', phase: 1, attempt: 1 });
    expect(finding?.kind === 'now_rejected' && finding.diagnostics.map((d) => [d.code, d.path])).toEqual([['INPUT_INVALID', '/steps/0/inputs/on_invalid']]);
  });

  it("finds a history today's workflow code cannot replay, beside a clean one (exit 1)", async () => {
    const r = await weft(['replay', '--histories', sub('changed')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}older-code\.json \(order-triage\): .*\n {6}today's workflow code cannot replay it: DeterminismViolationError: /m);
    expect(r.stdout).toMatch(/^ok {4}order-triage\.json/m);
    expect(r.stdout).toContain('1 clean, 1 with findings');
  });

  it('exits 2 for an empty or missing directory and for mixing files with the server', async () => {
    const empty = await weft(['replay', '--histories', sub('empty')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('holds no .json histories');
    const missing = await weft(['replay', '--histories', sub('absent')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such directory');
    const mixed = await weft(['replay', '--histories', sub('clean'), '--template', 'order-triage']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('use one or the other');
    const since = await weft(['replay', '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be a duration');
  });
});

describe('weft replay on tasks found by visibility', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it("re-validates and replays a template's recent tasks from the server; a narrower catalog fails them", async () => {
    const taskQueue = `replay-e2e-${randomUUID().slice(0, 8)}`;
    const workflowId = `replay-e2e-${randomUUID().slice(0, 8)}`;
    const worker = await createWeftWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      handlers: registry.handlers,
      templates: registry.templates,
      planner: registry.planner!,
      workflowBundle: await bundle(),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(weftTask, { taskQueue, workflowId, args: [{ template: 'order-triage', input: { report_dir: join(dir, 'reports') } }] });
      await handle.result();
    });
    const server = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
    const one = await weft(['replay', '--workflow-id', workflowId], server);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`ok    ${workflowId} (order-triage): 1 fragment re-validated, replayed`);
    // visibility is eventually consistent: the template query may need a moment to see the task
    let listed = { code: -1, stdout: '', stderr: '' };
    for (let i = 0; i < 20 && !listed.stdout.includes(workflowId); i++) {
      listed = await weft(['replay', '--template', 'order-triage', '--since', '1h', '--registry', NARROWER], server);
      if (!listed.stdout.includes(workflowId)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain(`WeftTemplate = 'order-triage'`);
    expect(listed.stdout).toMatch(new RegExp(`^FAIL {2}${workflowId} \\(order-triage\\)`, 'm'));
    expect(listed.stdout).toContain('INPUT_INVALID /steps/0/inputs/on_invalid');
  });
});
