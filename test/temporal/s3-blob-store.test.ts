/**
 * The S3 blob store against a real S3-compatible server (SeaweedFS on loopback, with
 * authentication on), chosen the way workers choose it: `blobStoreFromEnv` and WEFT_BLOB_URL.
 * `weft blob get` reads from it as a user runs it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobStoreFromEnv } from '../../src/blob/from-env.js';
import { localBlobStore } from '../../src/blob/store.js';
import { jsonByteLength, type JsonValue } from '../../src/core/json.js';
import { runWeft } from '../support/cli.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `r${i}`, amount: i, tags: ['a', 'b'] }));
const big: JsonValue = { rows, count: rows.length };

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.close();
});

const s3Store = (prefix: string, extra: Record<string, string> = {}) => blobStoreFromEnv({ ...server.env(prefix), ...extra }, tmpdir());

describe('S3 blob store (SeaweedFS)', () => {
  it('stores and reads back a value under the same reference, size, shape and sample as the local store', async () => {
    const store = s3Store('round-trip');
    expect(store.location).toBe(`s3://${server.bucket}/round-trip`);
    await store.check?.();
    const ref = await store.put(big);
    const local = await localBlobStore(mkdtempSync(join(tmpdir(), 'weft-blobs-'))).put({ count: rows.length, rows }); // other key order
    expect(ref).toEqual(local);
    expect(ref.bytes).toBe(jsonByteLength(big));
    expect(await store.get(ref.$weft_blob)).toEqual(big);
    // A second put of the same value is harmless and gives the same reference.
    expect(await store.put(big)).toEqual(ref);
    // Another process (another store object) under the same URL reads it.
    expect(await s3Store('round-trip').get(ref.$weft_blob)).toEqual(big);
  });

  it('keeps values under the prefix: another prefix does not see them, and says what to check', async () => {
    const ref = await s3Store('prefix-a').put({ only: 'in a', pad: 'x'.repeat(100) });
    const failure = await s3Store('prefix-b').get(ref.$weft_blob).then(
      () => null,
      (e: unknown) => e as { type?: string; message: string; nonRetryable?: boolean },
    );
    expect(failure).toMatchObject({ type: 'BLOB_MISSING', nonRetryable: false });
    expect(failure?.message).toContain(`bucket ${server.bucket}, key prefix-b/${ref.$weft_blob.slice(7, 9)}/${ref.$weft_blob.slice(7)}.json`);
    expect(failure?.message).toContain('must use the same WEFT_BLOB_URL');
    await expect(s3Store('prefix-b').get('nope')).rejects.toMatchObject({ type: 'BLOB_REF_INVALID' });
  });

  it('round-trips a large value (8 MiB)', async () => {
    const large: JsonValue = { blob: Array.from({ length: 8 * 1024 }, (_, i) => `${i}:${'y'.repeat(1016)}`) };
    const store = s3Store('large');
    const started = performance.now();
    const ref = await store.put(large);
    const back = await store.get(ref.$weft_blob);
    const ms = performance.now() - started;
    expect(ref.bytes).toBeGreaterThan(8_000_000);
    expect(back).toEqual(large);
    expect(ms).toBeLessThan(30_000);
  });

  it('names the bucket and what to do when the bucket does not exist', async () => {
    const store = blobStoreFromEnv({ ...server.env('x'), WEFT_BLOB_URL: 's3://no-such-bucket/x' }, tmpdir());
    await expect(store.check?.()).rejects.toMatchObject({ type: 'BLOB_STORE_ERROR', message: expect.stringMatching(/s3:\/\/no-such-bucket\/x at http:\/\/127\.0\.0\.1:\d+.*bucket 'no-such-bucket' does not exist/s) as unknown });
    // (A put is not checked here: SeaweedFS creates a missing bucket on PUT for an admin identity.)
  });

  it('says access is denied, and which credentials to check, for a wrong secret', async () => {
    const store = s3Store('denied', { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    await expect(store.put(big)).rejects.toMatchObject({ type: 'BLOB_STORE_ERROR', message: expect.stringMatching(/Could not write the blob store s3:\/\/weft-test\/denied.*(SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId)/s) as unknown });
  });

  it('names the endpoint when nothing answers there', async () => {
    const store = blobStoreFromEnv({ ...server.env('x'), WEFT_S3_ENDPOINT: 'http://127.0.0.1:1' }, tmpdir());
    await expect(store.check?.()).rejects.toMatchObject({ type: 'BLOB_STORE_ERROR', message: expect.stringMatching(/at http:\/\/127\.0\.0\.1:1.*did not answer.*WEFT_S3_ENDPOINT/s) as unknown });
  });
});

describe('weft blob get from S3', () => {
  it('prints a value the S3 store holds, with WEFT_BLOB_URL set as a user sets it', async () => {
    const ref = await s3Store('cli').put(big);
    const env = { ...process.env, ...server.env('cli'), WEFT_BLOB_DIR: mkdtempSync(join(tmpdir(), 'weft-empty-')) };
    const run = await runWeft(['blob', 'get', ref.$weft_blob], env);
    expect(run.code, run.stderr).toBe(0); // stderr may hold the AWS SDK's Node 20 deprecation notice
    expect(JSON.parse(run.stdout)).toEqual(big);
  });

  it('fails with the store, bucket and key when the reference is not there', async () => {
    const env = { ...process.env, ...server.env('cli') };
    const run = await runWeft(['blob', 'get', `sha256:${'ab'.repeat(32)}`], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`s3://${server.bucket}/cli at ${server.endpoint}`);
    expect(run.stderr).toContain(`key cli/ab/${'ab'.repeat(32)}.json`);
  });
});
