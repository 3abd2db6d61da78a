/**
 * The README's by-hand path, as written: `./temporal-dev.sh start`, `npx weft worker` in one
 * terminal, `npx weft run order-triage` in another — with no input, so the template's input
 * defaults must be applied although `weft worker` hands the worker compiled plans. The only
 * deviation: ports and the server's state directory are the script's own knobs, pointed at free
 * ports and a temporary directory so that parallel runs do not collide. Everything started is
 * stopped.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const execFileAsync = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function sh(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, { cwd: REPO_ROOT, env, timeout, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let dir: string;
let env: NodeJS.ProcessEnv;
let worker: ChildProcess | null = null;
let workerOut = '';
let started = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-by-hand-'));
  const grpc = await freePort();
  let ui = await freePort();
  while (ui === grpc) ui = await freePort();
  const { ANTHROPIC_API_KEY: _key, WEFT_REGISTRY: _registry, WEFT_UI_URL: _ui, WEFT_TASK_QUEUE: _queue, TEMPORAL_NAMESPACE: _ns, ...inherited } = process.env;
  env = {
    ...inherited,
    WEFT_TEMPORAL_PORT: String(grpc),
    WEFT_TEMPORAL_UI_PORT: String(ui),
    WEFT_DEV_STATE_DIR: join(dir, 'dev-server'),
    TEMPORAL_ADDRESS: `127.0.0.1:${grpc}`,
    WEFT_BLOB_DIR: join(dir, 'blobs'),
    WEFT_REPORT_DIR: join(dir, 'reports'),
  };
  const start = await sh('./temporal-dev.sh', ['start'], env);
  expect(start.code, start.stderr).toBe(0);
  started = true;
  worker = spawn('npx', ['weft', 'worker'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weft worker did not start within 90 s:\n${workerOut}`)), 90_000);
    const onData = (chunk: Buffer) => {
      workerOut += chunk.toString();
      if (workerOut.includes('weft worker: running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    worker!.stdout!.on('data', onData);
    worker!.stderr!.on('data', onData);
    worker!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`weft worker exited (${code}) before it ran:\n${workerOut}`));
    });
  });
}, 240_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (worker.exitCode === null) worker.kill('SIGKILL');
  }
  if (started) await sh('./temporal-dev.sh', ['stop'], env);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("the README's by-hand path", () => {
  it('npx weft run order-triage completes with no input: the template defaults apply on a `weft worker`', async () => {
    const run = await sh('npx', ['weft', 'run', 'order-triage'], env);
    expect(run.stderr).not.toMatch(/REFERENCE_UNRESOLVED/);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/started order-triage-/);
    expect(run.stdout).toMatch(/completed/i);
  });
});
