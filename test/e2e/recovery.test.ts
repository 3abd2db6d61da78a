/**
 * Recovery time (issue 12): a worker process is killed (SIGKILL) in the middle of a step whose
 * start-to-close timeout is 10 minutes. Another worker takes the step over after the step's
 * 2-second heartbeat timeout — the worker heartbeats for every handler while it runs — not after
 * 10 minutes (or the 60 s heartbeat timeout of before). A handler that declares `heartbeats: false`
 * gets no heartbeat timeout at all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWeftWorker, bundleWeftWorkflows } from '../../src/worker.js';
import { TASK_WORKFLOW_TYPE, type TaskInput, type TaskResult } from '../../workflows/definitions.js';
import { startDevServerEnv } from '../support/environments.js';
import { REPO_ROOT } from '../support/paths.js';
import { handlers, HEARTBEAT_TIMEOUT_MS, template } from './fixtures/recovery-registry.js';

let env: TestWorkflowEnvironment;
let dir: string;
let child: ChildProcess | undefined;
let result: TaskResult;
let events: temporal.api.history.v1.IHistoryEvent[];
let recoveredMs: number;

async function until(ok: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-recovery-'));
  const [e, bundle] = await Promise.all([startDevServerEnv(), bundleWeftWorkflows()]);
  env = e;
  const codePath = join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, bundle.code);
  const taskQueue = `recovery-${process.pid}`;
  const marker = join(dir, 'stalled');
  child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/fixtures/dying-worker.ts', env.address, taskQueue, codePath], {
    cwd: REPO_ROOT,
    env: { ...process.env, WEFT_TEST_STALL_MARKER: marker },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => out.includes('ready'), 'the worker process', 60_000);
  const handle = await env.client.workflow.start<(input: TaskInput) => Promise<TaskResult>>(TASK_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `recovery-${process.pid}-${Date.now()}`,
    args: [{ template: 'recovery', input: {} }],
  });
  await until(() => existsSync(marker), 'the first attempt of step slow', 60_000);
  child.kill('SIGKILL');
  const killedAt = Date.now();
  const worker = await createWeftWorker({ connection: env.nativeConnection, taskQueue, handlers, templates: [template], workflowBundle: bundle });
  result = await worker.runUntil(handle.result());
  recoveredMs = Date.now() - killedAt;
  events = (await handle.fetchHistory()).events ?? [];
}, 180_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function activity(id: string) {
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === id)!;
  const started = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId!.toString())!;
  return { scheduled: scheduled.activityTaskScheduledEventAttributes!, started: started.activityTaskStartedEventAttributes! };
}

const seconds = (d: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined) => (d ? Number(d.seconds?.toString() ?? 0) + (d.nanos ?? 0) / 1e9 : 0);

describe('a worker killed mid-step (dev server, real time)', () => {
  it('completes the task, with the step run again by the other worker', () => {
    expect(result.result).toEqual({ n: 2 });
    const completed = (id: string) => {
      const scheduledId = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === id)!.eventId!.toString();
      const done = events.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduledId)!;
      return JSON.parse(Buffer.from(done.activityTaskCompletedEventAttributes!.result!.payloads![0]!.data!).toString()) as unknown;
    };
    expect(completed('slow')).toEqual({ attempt: 2, pid: process.pid });
    expect(completed('crunch')).toEqual({ n: 2 });
  });

  it('retried the step after its heartbeat timeout, not its 10-minute start-to-close timeout', () => {
    const { scheduled, started } = activity('slow');
    expect(seconds(scheduled.heartbeatTimeout)).toBe(HEARTBEAT_TIMEOUT_MS / 1000);
    expect(seconds(scheduled.startToCloseTimeout)).toBe(600);
    expect(started.attempt).toBe(2);
    expect(started.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    expect(recoveredMs).toBeLessThan(20_000);
  });

  it('gives a handler that declares heartbeats: false no heartbeat timeout', () => {
    expect(seconds(activity('crunch').scheduled.heartbeatTimeout)).toBe(0);
  });
});
