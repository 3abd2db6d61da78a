import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compositionOf } from '../../catalog/grammar/compose.js';
import { createPersistHandler, loadCollection, persist } from '../../catalog/persist.js';
import { expectHandlerFailure, fakeHandlerContext, runHandler } from '../support/handler-context.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-persist-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ctx = (step: string) => fakeHandlerContext({ idempotencyKey: `run-1/${step}`, stepName: step });
const file = (collection = 'orders') => join(dir, `${collection}.jsonl`);
const logLines = (collection = 'orders') =>
  readFileSync(file(collection), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { op: string; key: string; id?: string | number });
async function stored(collection = 'orders') {
  return Object.fromEntries((await loadCollection(file(collection))).records);
}

describe('persist', () => {
  it('inserts, updates and upserts by identity, counting unchanged records', async () => {
    const store = createPersistHandler({ dir });
    const a = { id: 'a', total: 1 };
    const b = { id: 'b', total: 2 };
    expect(await runHandler(store, { collection: 'orders', op: 'insert', records: [a, b] }, ctx('s1'))).toEqual({
      inserted: 2,
      updated: 0,
      unchanged: 0,
      duplicate: false,
    });
    expect(await runHandler(store, { collection: 'orders', op: 'update', records: [{ total: 1, id: 'a' }, { id: 'b', total: 3 }] }, ctx('s2'))).toEqual({
      inserted: 0,
      updated: 1,
      unchanged: 1,
      duplicate: false,
    });
    expect(await runHandler(store, { collection: 'orders', op: 'upsert', records: [{ id: 'c', total: 4 }, { id: 'a', total: 5 }] }, ctx('s3'))).toEqual({
      inserted: 1,
      updated: 1,
      unchanged: 0,
      duplicate: false,
    });
    expect(await stored()).toEqual({ '"a"': { id: 'a', total: 5 }, '"b"': { id: 'b', total: 3 }, '"c"': { id: 'c', total: 4 } });
    // One record line per change plus one commit line per batch, each carrying the step's key.
    expect(logLines().map((l) => `${l.op}:${l.key}`)).toEqual([
      'insert:run-1/s1',
      'insert:run-1/s1',
      'commit:run-1/s1',
      'update:run-1/s2',
      'commit:run-1/s2',
      'insert:run-1/s3',
      'update:run-1/s3',
      'commit:run-1/s3',
    ]);
  });

  it('uses id_field, keeps the ids 1 and "1" apart, and applies a batch in order', async () => {
    const store = createPersistHandler({ dir });
    const out = await runHandler(
      store,
      { collection: 'users', op: 'upsert', id_field: 'sku', records: [{ sku: 1 }, { sku: '1' }, { sku: 1, v: 2 }] },
      ctx('s1'),
    );
    expect(out).toEqual({ inserted: 2, updated: 1, unchanged: 0, duplicate: false });
    expect(await stored('users')).toEqual({ '1': { sku: 1, v: 2 }, '"1"': { sku: '1' } });
  });

  it('reads WEFT_PERSIST_DIR when no directory is given', async () => {
    const before = process.env['WEFT_PERSIST_DIR'];
    process.env['WEFT_PERSIST_DIR'] = dir;
    try {
      await runHandler(persist, { collection: 'orders', op: 'insert', records: [{ id: 1 }] }, ctx('s1'));
    } finally {
      if (before === undefined) delete process.env['WEFT_PERSIST_DIR'];
      else process.env['WEFT_PERSIST_DIR'] = before;
    }
    expect(await stored()).toEqual({ '1': { id: 1 } });
  });

  it('fails an insert of an existing id with PERSIST_CONFLICT naming it, writing nothing', async () => {
    const store = createPersistHandler({ dir });
    await runHandler(store, { collection: 'orders', op: 'insert', records: [{ id: 'a' }] }, ctx('s1'));
    const size = readFileSync(file()).length;
    const failure = await expectHandlerFailure(store, { collection: 'orders', op: 'insert', records: [{ id: 'new' }, { id: 'a' }] }, 'PERSIST_CONFLICT', ctx('s2'));
    expect(failure.message).toContain('id "a" already exists');
    expect(failure.message).toContain("'upsert'");
    expect(readFileSync(file()).length).toBe(size);
  });

  it('fails an update of a missing id with PERSIST_NOT_FOUND, writing nothing', async () => {
    const store = createPersistHandler({ dir });
    const failure = await expectHandlerFailure(store, { collection: 'orders', op: 'update', records: [{ id: 'x' }, { id: 'y' }] }, 'PERSIST_NOT_FOUND', ctx('s1'));
    expect(failure.message).toContain('ids "x", "y" do not exist');
    expect(() => readFileSync(file())).toThrow(/ENOENT/);
  });

  it('fails records without a usable id with PERSIST_RECORD_INVALID, listing each', async () => {
    const failure = await expectHandlerFailure(
      createPersistHandler({ dir }),
      { collection: 'orders', op: 'upsert', records: [{ id: 'ok' }, { name: 'no id' }, { id: null }, { id: '' }] },
      'PERSIST_RECORD_INVALID',
      ctx('s1'),
    );
    expect(failure.message).toContain("3 of 4 records cannot be identified: records[1] has no 'id'; records[2] has 'id' = null; records[3] has 'id' = \"\"");
  });

  it.each(['../etc', 'Orders', 'a/b', '_x', 'a-b'])('rejects the collection name %s with PERSIST_COLLECTION_INVALID', async (collection) => {
    const failure = await expectHandlerFailure(createPersistHandler({ dir }), { collection, op: 'insert', records: [{ id: 1 }] }, 'PERSIST_COLLECTION_INVALID');
    expect(failure.message).toContain("e.g. 'orders'");
  });

  it('fails a file with a damaged line before its end with PERSIST_STORE_CORRUPT', async () => {
    writeFileSync(file(), 'not json\n{"op":"commit","key":"k","at":"t","count":0,"inserted":0,"updated":0,"unchanged":0}\n');
    const failure = await expectHandlerFailure(createPersistHandler({ dir }), { collection: 'orders', op: 'upsert', records: [{ id: 1 }] }, 'PERSIST_STORE_CORRUPT', ctx('s1'));
    expect(failure.message).toContain('orders.jsonl has an unreadable line 1');
  });
});

describe('persist idempotency', () => {
  it('a retry after a crash between the write and the completion writes nothing again', async () => {
    const input = { collection: 'orders', op: 'upsert', records: [{ id: 'a', n: 1 }, { id: 'b', n: 2 }] };
    const first = await runHandler(createPersistHandler({ dir }), input, ctx('s1'));
    // The worker died before reporting completion: Temporal retries the step on a new worker
    // (a new handler, so no cache) with the same idempotency key.
    const retry = await runHandler(createPersistHandler({ dir }), input, { ...ctx('s1'), attempt: 2 });
    expect(first).toEqual({ inserted: 2, updated: 0, unchanged: 0, duplicate: false });
    expect(retry).toEqual({ inserted: 2, updated: 0, unchanged: 0, duplicate: true });
    expect(logLines().filter((l) => l.op !== 'commit')).toHaveLength(2);
    // A different step is a different batch.
    expect(await runHandler(createPersistHandler({ dir }), input, ctx('s2'))).toEqual({ inserted: 0, updated: 0, unchanged: 2, duplicate: false });
  });

  it('ignores a batch torn by a crash mid-append, and the retry writes it whole', async () => {
    const store = createPersistHandler({ dir });
    await runHandler(store, { collection: 'orders', op: 'insert', records: [{ id: 'a' }] }, ctx('s1'));
    // The crash: the first record line of step s2 reached the disk, the second only in part,
    // the commit line not at all.
    appendFileSync(file(), `${JSON.stringify({ op: 'insert', key: 'run-1/s2', id: 'b', record: { id: 'b' }, at: 't' })}\n{"op":"insert","key":"run-1/s2","id":"c","rec`);
    expect(Object.keys(await stored())).toEqual(['"a"']);

    const retry = await runHandler(createPersistHandler({ dir }), { collection: 'orders', op: 'insert', records: [{ id: 'b' }, { id: 'c' }] }, ctx('s2'));
    expect(retry).toEqual({ inserted: 2, updated: 0, unchanged: 0, duplicate: false });
    expect(Object.keys(await stored())).toEqual(['"a"', '"b"', '"c"']);
    // The torn tail was cut before the append: every line of the file parses.
    expect(logLines().map((l) => `${l.op}:${String(l.id ?? '')}`)).toEqual(['insert:a', 'commit:', 'insert:b', 'insert:c', 'commit:']);
  });

  it('ignores a torn trailing line, and the next write still works', async () => {
    const store = createPersistHandler({ dir });
    await runHandler(store, { collection: 'orders', op: 'insert', records: [{ id: 'a' }] }, ctx('s1'));
    appendFileSync(file(), '{"op":"commit","key":"run-1/s9","at":"2024');
    expect(await runHandler(store, { collection: 'orders', op: 'insert', records: [{ id: 'b' }] }, ctx('s2'))).toMatchObject({ inserted: 1, duplicate: false });
    expect(Object.keys(await stored())).toEqual(['"a"', '"b"']);
    expect(readFileSync(file(), 'utf8').endsWith('}\n')).toBe(true);
  });

  it('two concurrent attempts with the same key write the batch once', async () => {
    const input = { collection: 'orders', op: 'upsert', records: [{ id: 'a' }] };
    const results = await Promise.all([
      runHandler(createPersistHandler({ dir }), input, ctx('s1')),
      runHandler(createPersistHandler({ dir }), input, ctx('s1')),
      runHandler(createPersistHandler({ dir }), input, ctx('s1')),
    ]);
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true, true]);
    expect(logLines()).toHaveLength(2);
  });

  it('sees writes of another process: the cache is invalidated when the file changes', async () => {
    const mine = createPersistHandler({ dir });
    await runHandler(mine, { collection: 'orders', op: 'insert', records: [{ id: 'a' }] }, ctx('s1'));
    await runHandler(createPersistHandler({ dir }), { collection: 'orders', op: 'insert', records: [{ id: 'b' }] }, ctx('s2'));
    await expectHandlerFailure(mine, { collection: 'orders', op: 'insert', records: [{ id: 'b' }] }, 'PERSIST_CONFLICT', ctx('s3'));
  });

  it('waits for a lock held by a live process, and takes over one left by a dead process', async () => {
    const store = createPersistHandler({ dir });
    writeFileSync(`${file()}.lock`, JSON.stringify({ pid: process.pid, nonce: 'other-holder' }));
    let done = false;
    const pending = runHandler(store, { collection: 'orders', op: 'insert', records: [{ id: 'a' }] }, ctx('s1')).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 60));
    expect(done).toBe(false);
    rmSync(`${file()}.lock`);
    await pending;
    expect(Object.keys(await stored())).toEqual(['"a"']);

    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${file()}.lock`, JSON.stringify({ pid: dead, nonce: 'crashed-holder' }));
    await runHandler(store, { collection: 'orders', op: 'insert', records: [{ id: 'b' }] }, ctx('s2'));
    expect(Object.keys(await stored())).toEqual(['"a"', '"b"']);
  });

  it('stops waiting for the lock when the activity is cancelled', async () => {
    writeFileSync(`${file()}.lock`, JSON.stringify({ pid: process.pid, nonce: 'other-holder' }));
    const controller = new AbortController();
    const pending = runHandler(createPersistHandler({ dir }), { collection: 'orders', op: 'insert', records: [{ id: 'a' }] }, fakeHandlerContext({ signal: controller.signal }));
    controller.abort(new Error('activity cancelled'));
    await expect(pending).rejects.toThrow('activity cancelled');
  });
});

describe('persist as a grammar composition', () => {
  it('is one mutating persist primitive, with exactly that primitive\'s error modes', () => {
    expect(compositionOf(persist)).toEqual([{ kind: 'persist', name: 'write_records' }]);
    expect(compositionOf(createPersistHandler({ dir }))).toEqual([{ kind: 'persist', name: 'write_records' }]);
    expect(persist.mutating).toBe(true);
    expect(persist.errorModes.map((m) => m.code)).not.toContain('COMPOSITION_STEP_INPUT_INVALID');
  });
});
