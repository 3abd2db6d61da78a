/**
 * Many workers, one task (issue 12): three `weft worker` processes, started as operators start
 * them, each in its own working directory with its own TMPDIR and HOME, sharing only the Temporal
 * server and task queue and one S3 blob store (SeaweedFS on loopback). One task plans a wide DAG
 * whose producers return results over the blob threshold, read by consumers; one worker is killed
 * (SIGKILL) in the middle of a step. The task completes: every step once in effect, large results
 * read intact from the blobs whichever worker wrote them, steps on several workers.
 *
 * Then the mistake this guards against: workers with local blob directories. The worker that
 * produced a large result dies; its successor cannot read the result, and the consumer fails with
 * BLOB_MISSING naming the blob and saying that every worker must share one store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftClient } from '../../src/client.js';
import { loadConfig } from '../../src/config.js';
import type { TaskView } from '../../src/history/index.js';
import type { TaskResult } from '../../workflows/definitions.js';
import { runWeft } from '../support/cli.js';
import { startDevServerEnv } from '../support/environments.js';
import { REPO_ROOT } from '../support/paths.js';
import { S3_TEST_CREDENTIALS, startS3Server, type S3TestServer } from '../support/s3-server.js';
import { readLedger, type LedgerContents, type LedgerLocation } from './fixtures/effect-ledger.js';
import { checksumOf, HANDOVER_STEP, PRODUCER_KIB, PRODUCERS, rowsFor, STALLED_STEP } from './fixtures/many-workers-registry.js';

const REGISTRY = join(REPO_ROOT, 'test/e2e/fixtures/many-workers-registry.ts');
const WORKERS = 3;

/** A `weft worker` process of the test. */
interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Its own directory: working directory `work/`, TMPDIR `tmp/`, HOME itself. */
  readonly dir: string;
  readonly cwd: string;
  /** Temporal's identity of its worker: pid@host. */
  readonly identity: string;
  readonly exited: Promise<void>;
  output(): string;
}

let env: TestWorkflowEnvironment;
let s3: S3TestServer;
let root: string;
let bundlePath: string;
const processes: WorkerProcess[] = [];

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${workerLogs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Rejects after `ms` saying what was awaited, with the workers' output: no hang until the hook times out. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s${workerLogs()}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function workerLogs(): string {
  return processes.map((p) => `\n--- ${p.name} (${p.identity}) ---\n${p.output().slice(-3000)}`).join('');
}

/**
 * Starts `weft worker --registry <fixture> --workflow-bundle <file>` in a directory of its own,
 * with an environment of its own: Temporal's address and task queue, plus `store` (the blob store
 * and ledger settings). Resolves when it says it runs.
 */
async function startWorker(name: string, taskQueue: string, store: (dir: string) => Record<string, string>): Promise<WorkerProcess> {
  const dir = mkdtempSync(join(root, `${name}-`));
  const cwd = join(dir, 'work');
  const tmp = join(dir, 'tmp');
  mkdirSync(cwd);
  mkdirSync(tmp);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/weft.js'), 'worker', '--registry', REGISTRY, '--workflow-bundle', bundlePath], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      TMPDIR: tmp,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      WEFT_TASK_QUEUE: taskQueue,
      ...store(dir),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: WorkerProcess = { name, child, dir, cwd, identity: `${child.pid}@${hostname()}`, exited, output: () => output };
  processes.push(worker);
  await until(() => {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) while starting:\n${output}`);
    return output.includes('weft worker: running') ? true : undefined;
  }, `${name} to start`, 90_000);
  return worker;
}

async function kill(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
}

function clientFor(taskQueue: string): WeftClient {
  return new WeftClient(env.client, loadConfig({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', WEFT_TASK_QUEUE: taskQueue }));
}

/** What the history says of each activity: its last attempt's worker, attempt number and the failure before it. */
interface ActivityRun {
  readonly identity: string;
  readonly attempt: number;
  readonly lastFailure: temporal.api.failure.v1.IFailure | null;
}

async function activityRuns(weft: WeftClient, workflowId: string): Promise<Map<string, ActivityRun>> {
  const events = (await weft.handle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Map<string, string>();
  const runs = new Map<string, ActivityRun>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(e.eventId!.toString(), s.activityId!);
    const started = e.activityTaskStartedEventAttributes;
    // With a retry policy, Temporal writes only the last attempt's start, when the activity closes.
    if (started) runs.set(scheduled.get(started.scheduledEventId!.toString())!, { identity: started.identity!, attempt: started.attempt!, lastFailure: started.lastFailure ?? null });
  }
  return runs;
}

const stepOf = (view: TaskView, name: string) => view.steps.find((s) => s.record.name === name);
const pad = (i: number) => String(i).padStart(2, '0');
const expected = (seed: string) => checksumOf(rowsFor(seed, PRODUCER_KIB));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'weft-many-workers-'));
  bundlePath = join(root, 'workflow-bundle.js');
  // What an operator ships to every worker: one bundle, written by the CLI.
  const [e, server, bundled] = await Promise.all([startDevServerEnv(), startS3Server(), runWeft(['bundle', bundlePath], process.env, 120_000)]);
  env = e;
  s3 = server;
  expect(bundled.code, bundled.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await Promise.all(processes.map(kill));
  await s3?.close();
  await env?.teardown();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe(`${WORKERS} workers sharing an S3 blob store, one killed mid-step`, () => {
  const id = randomUUID().slice(0, 8);
  const taskQueue = `many-workers-${id}`;
  let ledgerAt: LedgerLocation;
  let workers: WorkerProcess[];
  let victim: WorkerProcess;
  let weft: WeftClient;
  let workflowId: string;
  let result: TaskResult;
  let view: TaskView;
  let runs: Map<string, ActivityRun>;
  let ledger: LedgerContents;

  beforeAll(async () => {
    ledgerAt = {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      prefix: `ledger-${id}`,
      credentials: { accessKeyId: S3_TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: S3_TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    };
    const store = () => ({ ...s3.env(`blobs-${id}`), WEFT_TEST_LEDGER: `s3://${s3.bucket}/${ledgerAt.prefix}` });
    workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => startWorker(`worker-${i + 1}`, taskQueue, store)));
    weft = clientFor(taskQueue);
    workflowId = (await weft.start('many-workers', {}, { workflowId: `many-workers-${id}` })).workflowId;
    // The stalled step has applied its side effect and stopped: kill the process it runs in.
    const stalled = await until(async () => (await readLedger(ledgerAt)).stalled.find((s) => s.step === STALLED_STEP), `${STALLED_STEP} to stall`, 90_000);
    const running = workers.find((w) => w.child.pid === stalled.pid);
    if (!running) throw new Error(`${STALLED_STEP} stalled in pid ${stalled.pid}, none of the workers (${workers.map((w) => w.child.pid).join(', ')})`);
    victim = running;
    await kill(victim);
    result = await within(weft.result(workflowId), 120_000, 'the task, after the kill,');
    [view, runs, ledger] = await Promise.all([weft.read(workflowId), activityRuns(weft, workflowId), readLedger(ledgerAt)]);
  }, 180_000);

  it('completes the task, every step completed', () => {
    expect(view.status).toBe('COMPLETED');
    const names = [...Array.from({ length: PRODUCERS }, (_, i) => [`produce_${pad(i)}`, `consume_${pad(i)}`]).flat(), 'plan', 'tally'].sort();
    expect(view.steps.map((s) => s.record.name).sort()).toEqual(names);
    expect(view.steps.filter((s) => s.record.state !== 'completed').map((s) => `${s.record.name}: ${s.record.state}`)).toEqual([]);
    expect(result.steps).toMatchObject({ total: 2 * PRODUCERS + 2, planned: 2 * PRODUCERS });
  });

  it('passed every large result through the shared S3 store as a blob reference; no worker kept a local store', () => {
    for (let i = 0; i < PRODUCERS; i++) {
      const output = stepOf(view, `produce_${pad(i)}`)!.output as { $weft_blob?: string; bytes?: number };
      expect(output.$weft_blob).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(output.bytes).toBeGreaterThan(32 * 1024);
    }
    for (const w of workers) expect(existsSync(join(w.cwd, '.weft')), `${w.name} wrote a local blob store`).toBe(false);
    for (const w of workers) expect(w.output()).toContain(`blobs: s3://${s3.bucket}/blobs-${id}`);
  });

  it('gave consumers the producers’ rows intact, whichever worker stored them (checksums)', () => {
    for (let i = 0; i < PRODUCERS; i++) {
      const [a, b] = [`p${pad(i)}`, `p${pad((i + 1) % PRODUCERS)}`];
      expect(stepOf(view, `consume_${pad(i)}`)!.output).toEqual({
        read: [
          { seed: a, declared: expected(a), computed: expected(a), rows: PRODUCER_KIB },
          { seed: b, declared: expected(b), computed: expected(b), rows: PRODUCER_KIB },
        ],
      });
    }
    // The convergence step read every consumer's result (the planning step's terminal steps).
    expect(result.result).toEqual({ steps: PRODUCERS, reads: 2 * PRODUCERS, mismatched: [] });
    // Consumers read results other workers had stored (of 24 reads, all but never none).
    const crossed = Array.from({ length: PRODUCERS }, (_, i) => [i, (i + 1) % PRODUCERS].filter((p) => runs.get(`consume_${pad(i)}`)!.identity !== runs.get(`produce_${pad(p)}`)!.identity));
    expect(crossed.flat().length).toBeGreaterThan(0);
  });

  it('applied each step’s side effect exactly once, though the killed step ran twice', () => {
    const handlerSteps = view.steps.filter((s) => s.record.handler !== null).map((s) => s.record.name).sort();
    expect(ledger.effects.map((e) => e.step).sort()).toEqual(handlerSteps);
    for (const e of ledger.effects) expect(e.key).toBe(`${view.runId}/${e.step}`);
    const calls = ledger.invocations.filter((c) => c.step === STALLED_STEP);
    expect(calls.map((c) => c.attempt).sort()).toEqual([1, 2]);
    expect(calls.find((c) => c.attempt === 1)!.pid).toBe(victim.child.pid);
    expect(calls.find((c) => c.attempt === 2)!.pid).not.toBe(victim.child.pid);
    // The first attempt applied it before its worker died; the retry found it applied.
    expect(ledger.effects.find((e) => e.step === STALLED_STEP)).toMatchObject({ attempt: 1, pid: victim.child.pid });
    // Every call is one of the steps' (retries of steps the dead worker was running among them).
    expect(new Set(ledger.invocations.map((c) => c.step))).toEqual(new Set(handlerSteps));
  });

  it('ran the steps on several workers; the killed step finished on another after its heartbeat timeout', () => {
    const identities = new Set([...runs.values()].map((r) => r.identity));
    expect(identities.size).toBeGreaterThanOrEqual(2);
    for (const identity of identities) expect(workers.map((w) => w.identity)).toContain(identity);
    const retried = runs.get(STALLED_STEP)!;
    expect(retried.attempt).toBe(2);
    expect(retried.identity).not.toBe(victim.identity);
    expect(retried.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
  });
});

describe('workers with local blob directories: a result written by one is missing for another', () => {
  const id = randomUUID().slice(0, 8);
  const taskQueue = `local-blobs-${id}`;
  const localStore = (dir: string) => ({ WEFT_BLOB_DIR: join(dir, 'blobs') });
  let first: WorkerProcess;
  let second: WorkerProcess;
  let weft: WeftClient;
  let workflowId: string;
  let failure: Error;
  let view: TaskView;
  let runs: Map<string, ActivityRun>;

  beforeAll(async () => {
    // Worker one alone: it runs the producer, then stalls in the next step and is killed there.
    first = await startWorker('local-1', taskQueue, localStore);
    weft = clientFor(taskQueue);
    workflowId = (await weft.start('handover', {}, { workflowId: `handover-${id}` })).workflowId;
    await until(async () => {
      const pending = (await weft.handle(workflowId).describe()).raw.pendingActivities ?? [];
      return pending.some((a) => a.activityId === HANDOVER_STEP && a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) ? true : undefined;
    }, `${HANDOVER_STEP} to start on the first worker`, 60_000);
    await kill(first);
    // Worker two, with a blob directory of its own, takes the task over.
    second = await startWorker('local-2', taskQueue, localStore);
    failure = await within(
      weft.result(workflowId).then(
        () => new Error('the task completed'),
        (err: unknown) => err as Error,
      ),
      90_000,
      'the task with local blob stores',
    );
    [view, runs] = await Promise.all([weft.read(workflowId), activityRuns(weft, workflowId)]);
  }, 180_000);

  it('fails the consumer with BLOB_MISSING, naming the blob, this worker’s store and what to do', () => {
    const ref = (stepOf(view, 'produce_one')!.output as { $weft_blob: string }).$weft_blob;
    const consumer = stepOf(view, 'consume_one')!;
    expect(consumer.record.state).toBe('failed');
    expect(consumer.record.error?.type).toBe('BLOB_MISSING');
    const message = consumer.record.error!.message;
    const hex = ref.slice('sha256:'.length);
    expect(message).toMatch(/^This worker's blob store does not have a stored result the step reads; a worker with another store most likely wrote it\. /);
    expect(message).toContain(`Stored result ${ref} is not in the blob store ${join(second.dir, 'blobs')} (no file ${hex.slice(0, 2)}/${hex}.json there).`);
    expect(message).toContain('must share one store: the same WEFT_BLOB_URL=s3://bucket/prefix on all of them');
    expect(view.status).toBe('FAILED');
    expect(failure.message).toContain('BLOB_MISSING');
    expect(failure.message).toContain(ref);
    // The blob is where the dead worker left it, and nowhere the living one looks.
    expect(existsSync(join(first.dir, 'blobs', hex.slice(0, 2), `${hex}.json`))).toBe(true);
    expect(existsSync(join(second.dir, 'blobs', hex.slice(0, 2)))).toBe(false);
  });

  it('ran the producer on the first worker and the consumer on the second, within its two attempts', () => {
    expect(runs.get('produce_one')!.identity).toBe(first.identity);
    expect(runs.get(HANDOVER_STEP)!.identity).toBe(second.identity);
    expect(runs.get('consume_one')).toMatchObject({ identity: second.identity, attempt: 2 });
  });
});
