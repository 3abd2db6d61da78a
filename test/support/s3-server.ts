/**
 * A real S3-compatible server for tests: SeaweedFS's `weed server -s3`, built by
 * `scripts/seaweedfs.sh build` (npm test runs it), started on free loopback ports with its data in
 * a fresh temporary directory. It runs with authentication on: the access key below is its only
 * identity (SeaweedFS makes AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of its environment an admin),
 * so wrong credentials really are refused. A missing `weed` fails the test saying how to build it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The credentials the test server accepts (and the only ones). */
export const S3_TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'weft-test-key', AWS_SECRET_ACCESS_KEY: 'weft-test-secret', AWS_REGION: 'us-east-1' } as const;

/** A running SeaweedFS with an S3 endpoint. */
export interface S3TestServer {
  /** http://127.0.0.1:<port>, the S3 endpoint. */
  readonly endpoint: string;
  /** A bucket created at start. */
  readonly bucket: string;
  /** Environment for a process that should use the server as its blob store under `prefix`. */
  env(prefix: string): Record<string, string>;
  /** The server's output so far. */
  log(): string;
  close(): Promise<void>;
}

let weedPath: string | null = null;

/** Where `weed` is; throws saying how to build it. */
export function weedBinary(): string {
  if (weedPath) return weedPath;
  let out: string;
  try {
    out = execFileSync('bash', [join(REPO_ROOT, 'scripts/seaweedfs.sh'), 'path'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`SeaweedFS (weed), the S3 server these tests need, is not built. Run 'bash scripts/seaweedfs.sh build' (npm test does; needs Go, about 5 minutes).\n${stderr}`);
  }
  weedPath = /^weed=(.*)$/m.exec(out)?.[1] ?? '';
  return weedPath;
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Starts SeaweedFS with S3 on loopback, waits until S3 answers, and creates `bucket`. */
export async function startS3Server(opts: { readonly bucket?: string; readonly timeoutMs?: number } = {}): Promise<S3TestServer> {
  const weed = weedBinary();
  const bucket = opts.bucket ?? 'weft-test';
  const dir = mkdtempSync(join(tmpdir(), 'weft-seaweedfs-'));
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await freePorts(8);
  const args = [
    'server',
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-dir=${dir}`,
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    '-master.volumeSizeLimitMB=64', // small volumes: a test writes megabytes, not gigabytes
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    '-volume.max=8',
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    '-s3',
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
  ];
  let output = '';
  const child = spawn(weed, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...S3_TEST_CREDENTIALS } });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${s3}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint, forcePathStyle: true, region: S3_TEST_CREDENTIALS.AWS_REGION, credentials: { accessKeyId: S3_TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: S3_TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY }, maxAttempts: 1 });
    // Until the whole stack (master, volume, filer, S3 gateway) is up, creating the bucket fails.
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`weed exited (${child.exitCode}) while starting:\n${output.slice(-4000)}`);
      const created = await client.send(new CreateBucketCommand({ Bucket: bucket })).then(
        () => null,
        (err: Error) => (err.name === 'BucketAlreadyOwnedByYou' || err.name === 'BucketAlreadyExists' ? null : err),
      );
      if (created === null) break;
      if (Date.now() > deadline) throw new Error(`SeaweedFS S3 at ${endpoint} did not accept a bucket within ${(opts.timeoutMs ?? 60_000) / 1000} s (last: ${created.name}: ${created.message}):\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    client.destroy();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    bucket,
    env: (prefix) => ({ ...S3_TEST_CREDENTIALS, WEFT_BLOB_URL: `s3://${bucket}/${prefix}`, WEFT_S3_ENDPOINT: endpoint }),
    log: () => output,
    close: stop,
  };
}
