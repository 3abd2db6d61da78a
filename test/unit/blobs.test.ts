import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hydrate, offload } from '../../activities/blobs.js';
import { BlobCache } from '../../src/blob/cache.js';
import { localBlobStore } from '../../src/blob/store.js';
import { isBlobRef, type BlobRef } from '../../src/core/blob.js';
import { jsonByteLength, type JsonValue } from '../../src/core/json.js';
import { resolveValue, ReferenceResolutionError } from '../../src/core/references.js';
import { viewResult } from '../../src/core/summarize.js';

const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `r${i}`, amount: i, tags: ['a', 'b'] }));
const big: JsonValue = { rows, count: rows.length };

describe('local blob store', () => {
  it('stores content-addressed JSON and reads it back; the same value is stored once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-blobs-'));
    const store = localBlobStore(dir);
    const a = await store.put(big);
    const b = await store.put({ count: rows.length, rows }); // same value, other key order
    expect(a.$weft_blob).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.$weft_blob).toBe(a.$weft_blob);
    expect(a.bytes).toBe(jsonByteLength(big));
    expect(a.shape).toMatchObject({ type: 'object', properties: { rows: { type: 'array', length: 2000 } } });
    expect(a.sample.length).toBeGreaterThan(0);
    expect(await store.get(a.$weft_blob)).toEqual(big);
    expect(readdirSync(join(dir, a.$weft_blob.slice(7, 9)))).toEqual([`${a.$weft_blob.slice(7)}.json`]);
  });

  it('names what is missing and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-blobs-'));
    const store = localBlobStore(dir);
    const hex = '0'.repeat(64);
    await expect(store.get(`sha256:${hex}`)).rejects.toMatchObject({
      type: 'BLOB_MISSING',
      nonRetryable: false,
      message:
        `Stored result sha256:${hex} is not in the blob store ${dir} (no file 00/${hex}.json there). Workers of one task queue, and \`weft blob get\`, ` +
        'must share one store: the same WEFT_BLOB_URL=s3://bucket/prefix on all of them (workers on several machines), or the same WEFT_BLOB_DIR (one machine, or a volume every worker mounts).',
    });
    await expect(store.get('nope')).rejects.toMatchObject({ type: 'BLOB_REF_INVALID' });
  });

  it('calls a blob it cannot read (not a missing one) a store error, with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-blobs-'));
    const hex = '1'.repeat(64);
    mkdirSync(join(dir, '11', `${hex}.json`), { recursive: true }); // a directory where the file should be
    await expect(localBlobStore(dir).get(`sha256:${hex}`)).rejects.toMatchObject({ type: 'BLOB_STORE_ERROR', message: expect.stringMatching(/^Could not read stored result sha256:1{64} from the blob store .*EISDIR/) as unknown });
  });

  it('says in a worker that its own store lacks the result: another worker, with another store, most likely wrote it', async () => {
    const written = localBlobStore(mkdtempSync(join(tmpdir(), 'weft-blobs-')));
    const ref = await written.put(big);
    const elsewhere = mkdtempSync(join(tmpdir(), 'weft-blobs-'));
    const failure = await hydrate({ data: ref as unknown as JsonValue }, localBlobStore(elsewhere)).then(
      () => null,
      (e: unknown) => e as { type?: string; message: string; nonRetryable?: boolean },
    );
    expect(failure).toMatchObject({ type: 'BLOB_MISSING', nonRetryable: false });
    expect(failure?.message).toMatch(new RegExp(`^This worker's blob store does not have a stored result the step reads; a worker with another store most likely wrote it\\. Stored result ${ref.$weft_blob} is not in the blob store ${elsewhere} `));
    expect(failure?.message).toContain('WEFT_BLOB_URL=s3://bucket/prefix');
  });
});

describe('results past the threshold travel by reference', () => {
  it('offloads only values over the threshold, and hydrates references and paths', async () => {
    const store = localBlobStore(mkdtempSync(join(tmpdir(), 'weft-blobs-')));
    expect(await offload({ small: 1 }, store, 1024)).toEqual({ small: 1 });
    const ref = (await offload(big, store, 1024)) as unknown as BlobRef;
    expect(isBlobRef(ref)).toBe(true);
    expect(jsonByteLength(ref as unknown as JsonValue)).toBeLessThan(2048);

    // the workflow resolves a reference into the stored result to a path marker ...
    const scope = { taskInput: {}, stepOutputs: { load: ref as unknown as JsonValue } };
    const input = resolveValue({ data: '${steps.load.output.rows}', whole: '${steps.load.output}', n: 3 }, scope);
    expect(input).toEqual({ data: { $weft_blob_path: { blob: ref.$weft_blob, path: ['rows'] } }, whole: ref, n: 3 });
    // ... which the activity loads
    expect(await hydrate(input, store)).toEqual({ data: rows, whole: big, n: 3 });
    // a stored result cannot be interpolated into text
    expect(() => resolveValue('rows: ${steps.load.output.rows}', scope)).toThrow(ReferenceResolutionError);
    // a path the stored result lacks fails non-retryably, naming it
    await expect(hydrate({ $weft_blob_path: { blob: ref.$weft_blob, path: ['nope'] } }, store)).rejects.toMatchObject({ type: 'REFERENCE_UNRESOLVED' });
  });

  it('shows the planner a stored result over the reference size as a reference, a smaller one as a structured summary', async () => {
    const store = localBlobStore(mkdtempSync(join(tmpdir(), 'weft-blobs-')));
    const ref = await store.put(big);
    expect(ref.bytes).toBeLessThan(100 * 1024);
    expect(viewResult('load', ref as unknown as JsonValue)).toMatchObject({ step: 'load', mode: 'structured', bytes: ref.bytes, shape: ref.shape });
    const huge = await store.put({ rows: [...rows, ...rows, ...rows] });
    expect(huge.bytes).toBeGreaterThan(100 * 1024);
    expect(viewResult('load', huge as unknown as JsonValue)).toMatchObject({ step: 'load', mode: 'reference', ref: huge.$weft_blob, bytes: huge.bytes });
  });
});

describe('a worker keeps parsed blobs (BlobCache)', () => {
  /** A store that counts reads. */
  function counting() {
    const store = localBlobStore(mkdtempSync(join(tmpdir(), 'weft-blob-cache-')));
    const reads = new Map<string, number>();
    return {
      reads,
      store: { ...store, get: (ref: string) => (reads.set(ref, (reads.get(ref) ?? 0) + 1), store.get(ref)) },
    };
  }

  it("reads a fan-out's stored items once for all its partitions, each getting a fresh copy of its slice", async () => {
    const { store, reads } = counting();
    const ref = await store.put(big);
    const cache = new BlobCache();
    const partition = (i: number): JsonValue => ({ data: { $weft_blob_path: { blob: ref.$weft_blob, path: ['rows'], slice: [i, i + 1] } } });
    const inputs = await Promise.all(Array.from({ length: 100 }, (_, i) => hydrate(partition(i), store, cache)));
    expect(inputs[7]).toEqual({ data: [rows[7]] });
    expect(reads.get(ref.$weft_blob)).toBe(1);
    // a handler that changes its input changes nothing another step will read
    ((inputs[7] as { data: { tags: string[] }[] }).data[0]!).tags.push('mutated');
    expect(await hydrate(partition(7), store, cache)).toEqual({ data: [rows[7]] });
    expect(await hydrate({ whole: ref as unknown as JsonValue }, store, cache)).toEqual({ whole: big });
    expect(reads.get(ref.$weft_blob)).toBe(1);
    expect(cache.size).toEqual({ entries: 1, bytes: jsonByteLength(big) });
  });

  it('drops the least recently used past its size, and keeps no failed read', async () => {
    const { store, reads } = counting();
    const [a, b, c] = await Promise.all([{ n: 'a'.repeat(100) }, { n: 'b'.repeat(100) }, { n: 'c'.repeat(100) }].map((v) => store.put(v)));
    const cache = new BlobCache(250);
    const get = (r: BlobRef) => cache.get(r.$weft_blob, () => store.get(r.$weft_blob));
    await get(a!);
    await get(b!);
    await get(a!); // a is now the most recent
    await get(c!); // past 250 bytes: b goes
    await get(a!);
    await get(b!);
    expect([reads.get(a!.$weft_blob), reads.get(b!.$weft_blob), reads.get(c!.$weft_blob)]).toEqual([1, 2, 1]);
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(cache.get(missing, () => store.get(missing))).rejects.toThrow(/is not in/);
    await expect(cache.get(missing, () => store.get(missing))).rejects.toThrow(/is not in/);
    expect(reads.get(missing)).toBe(2);
  });
});
