/**
 * `persist`: a durable local store. Each collection is an append-only JSON-lines file under the
 * worker's store directory (`WEFT_PERSIST_DIR`, default `.weft/store`); its current state is
 * rebuilt by replaying the file and cached per handler until the file changes.
 *
 * A write batch is one append of its record lines followed by a commit line, synced, under an
 * exclusive lock. Replay applies a batch only when its commit line is complete, so a crash leaves
 * all of a batch or none of it. The commit line carries `ctx.idempotencyKey`: a retried batch whose
 * key is already committed is skipped as a whole and reports the first attempt's counts.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Handler, HandlerContext } from '../src/handler.js';
import { declareErrorModes } from './failures.js';
import { compose } from './grammar/compose.js';
import { persistPrimitive } from './grammar/kinds.js';
import { appendDurably, CorruptLineError, fileVersion, readJsonLines, truncateDurably, withFileLock } from './jsonl-file.js';

/** Names a collection may have: also its file name. */
export const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Input of `persist`. */
export const persistInput = z
  .object({
    // The name pattern is checked in `run` (PERSIST_COLLECTION_INVALID), not here: the planner's
    // example generator (src/planner/schema-example.ts) ignores `pattern` and would show an
    // invalid example. Move it into the schema once the generator honours `examples`.
    collection: z
      .string()
      .min(1)
      .max(63)
      .describe('The collection to write, also its file name: a lower case letter, then lower case letters, digits and _, e.g. `orders`.'),
    op: z
      .enum(['insert', 'update', 'upsert'])
      .describe('insert: every id must be new; update: every id must exist (the record is replaced); upsert: either.'),
    id_field: z.string().min(1).max(100).default('id').describe('The field that identifies a record; its value is a string or a number.'),
    records: z
      .array(z.record(z.string(), z.json()))
      .max(10_000)
      .describe('The records, applied in order as one all-or-nothing batch.'),
  })
  .strict();

/** Output of `persist`. */
export const persistOutput = z.object({
  inserted: z.number().int().describe('Records that were new.'),
  updated: z.number().int().describe('Existing records that changed.'),
  unchanged: z.number().int().describe('Records equal to what the store already held.'),
  duplicate: z.boolean().describe('True when this batch was already written by an earlier attempt of the step; nothing was written again.'),
});

/** What `persist` takes, as parsed. */
export type PersistInput = z.infer<typeof persistInput>;
/** What `persist` returns. */
export type PersistOutput = z.infer<typeof persistOutput>;

const errors = declareErrorModes({
  PERSIST_COLLECTION_INVALID: {
    retryable: false,
    description: 'The collection name is not a lower case letter followed by lower case letters, digits and _.',
  },
  PERSIST_CONFLICT: { retryable: false, description: 'An insert names an id the collection already holds.' },
  PERSIST_NOT_FOUND: { retryable: false, description: 'An update names an id the collection does not hold.' },
  PERSIST_RECORD_INVALID: { retryable: false, description: 'A record lacks the id field, or its id is not a string or a number.' },
  PERSIST_STORE_CORRUPT: {
    retryable: false,
    description: 'A collection file has an unreadable line before its end: it was damaged or edited by hand.',
  },
});

type RecordId = string | number;
type StoredRecord = PersistInput['records'][number];

// One line of a collection file. Record lines hold the effective operation (an upsert is logged as
// the insert or update it turned out to be); the commit line closes the batch and keeps its counts.
const recordLine = z.object({
  op: z.enum(['insert', 'update']),
  key: z.string(),
  id: z.union([z.string(), z.number()]),
  record: z.record(z.string(), z.json()),
  at: z.string(),
});
const commitLine = z.object({
  op: z.literal('commit'),
  key: z.string(),
  at: z.string(),
  count: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
const logLine = z.discriminatedUnion('op', [recordLine, commitLine]);

/** A collection's state after replay. */
export interface CollectionState {
  readonly version: string;
  /** Records by `JSON.stringify(id)`, so the id 1 and the id "1" stay distinct. */
  readonly records: Map<string, StoredRecord>;
  /** Committed batches by idempotency key, with their counts. */
  readonly batches: Map<string, Omit<PersistOutput, 'duplicate'>>;
  /** Bytes of the file that belong to committed batches; anything after is a torn write. */
  readonly committedEnd: number;
  readonly size: number;
}

/** Replays a collection file (a missing file is an empty collection). Throws `CorruptLineError`. */
export async function loadCollection(file: string): Promise<CollectionState> {
  const snapshot = await readJsonLines(file);
  const records = new Map<string, StoredRecord>();
  const batches = new Map<string, Omit<PersistOutput, 'duplicate'>>();
  let committedEnd = 0;
  let pending: z.infer<typeof recordLine>[] = [];
  for (const { value, line, end } of snapshot.lines) {
    const parsed = logLine.safeParse(value);
    if (!parsed.success) throw new CorruptLineError(file, line);
    const entry = parsed.data;
    if (entry.op !== 'commit') {
      // Record lines of a batch that never committed are dropped when the next batch starts.
      if (pending[0] !== undefined && pending[0].key !== entry.key) pending = [];
      pending.push(entry);
      continue;
    }
    const batch = pending.filter((p) => p.key === entry.key);
    pending = [];
    if (batch.length !== entry.count) continue;
    for (const r of batch) records.set(JSON.stringify(r.id), r.record);
    batches.set(entry.key, { inserted: entry.inserted, updated: entry.updated, unchanged: entry.unchanged });
    committedEnd = end;
  }
  return { version: snapshot.version, records, batches, committedEnd, size: snapshot.size };
}

/** Canonical JSON (sorted keys), to tell an unchanged record from a changed one. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function listIds(ids: readonly RecordId[]): string {
  const shown = ids.slice(0, 5).map((id) => JSON.stringify(id));
  return ids.length > 5 ? `${shown.join(', ')} and ${ids.length - 5} more` : shown.join(', ');
}

/** Options of `createPersistHandler`. */
export interface PersistOptions {
  /** Store directory; default `WEFT_PERSIST_DIR`, else `.weft/store` (read when the handler runs). */
  readonly dir?: string;
}

/**
 * Creates the `persist` handler, a grammar composition of one `persist` primitive (mutating) whose
 * manifest is derived from it; each handler keeps its own cache of replayed collections.
 */
export function createPersistHandler(options: PersistOptions = {}): Handler<PersistInput, PersistOutput> {
  const cache = new Map<string, CollectionState>();

  async function current(file: string): Promise<CollectionState> {
    const cached = cache.get(file);
    if (cached && cached.version === (await fileVersion(file))) return cached;
    try {
      const state = await loadCollection(file);
      cache.set(file, state);
      return state;
    } catch (err) {
      if (!(err instanceof CorruptLineError)) throw err;
      throw errors.fail(
        'PERSIST_STORE_CORRUPT',
        `Collection file ${err.path} has an unreadable line ${err.line}, before its end, so its state cannot be rebuilt. ` +
          'Restore the file from a backup or remove the damaged line; nothing was written.',
        { file: err.path, line: err.line },
      );
    }
  }

  async function write(input: PersistInput, ctx: HandlerContext): Promise<PersistOutput> {
    const { collection, op, id_field: idField, records } = input;
    if (!COLLECTION_NAME.test(collection)) {
      throw errors.fail(
        'PERSIST_COLLECTION_INVALID',
        `Collection name '${collection}' is not allowed: it is also a file name, so use a lower case letter followed by ` +
          `lower case letters, digits and _ (${COLLECTION_NAME.source}), e.g. 'orders'.`,
        { collection },
      );
    }
    const invalid = records.flatMap((record, index) => {
      const id = record[idField];
      if (typeof id === 'string' ? id !== '' : typeof id === 'number' && Number.isFinite(id)) return [];
      return [`records[${index}] ${id === undefined ? `has no '${idField}'` : `has '${idField}' = ${JSON.stringify(id)}`}`];
    });
    if (invalid.length > 0) {
      throw errors.fail(
        'PERSIST_RECORD_INVALID',
        `${invalid.length} of ${records.length} records cannot be identified: ${invalid.slice(0, 5).join('; ')}` +
          `${invalid.length > 5 ? ` and ${invalid.length - 5} more` : ''}. ` +
          `Give every record a non-empty string or number in '${idField}', or set id_field to the field that identifies them.`,
        { invalid },
      );
    }

    const file = resolve(options.dir ?? process.env['WEFT_PERSIST_DIR'] ?? '.weft/store', `${collection}.jsonl`);
    return withFileLock(file, ctx.signal, async () => {
      const state = await current(file);
      const previous = state.batches.get(ctx.idempotencyKey);
      if (previous) return { ...previous, duplicate: true };

      // Apply in order to an overlay, so a batch may insert an id and then update it.
      const overlay = new Map<string, StoredRecord | undefined>();
      const lookup = (k: string): StoredRecord | undefined => (overlay.has(k) ? overlay.get(k) : state.records.get(k));
      const conflicts: RecordId[] = [];
      const missing: RecordId[] = [];
      const lines: z.infer<typeof recordLine>[] = [];
      const counts = { inserted: 0, updated: 0, unchanged: 0 };
      const at = new Date().toISOString();
      for (const record of records) {
        const id = record[idField] as RecordId;
        const k = JSON.stringify(id);
        const existing = lookup(k);
        if (existing === undefined && op === 'update') missing.push(id);
        else if (existing !== undefined && op === 'insert') conflicts.push(id);
        else if (existing !== undefined && canonical(existing) === canonical(record)) counts.unchanged += 1;
        else {
          const effective = existing === undefined ? 'insert' : 'update';
          counts[effective === 'insert' ? 'inserted' : 'updated'] += 1;
          lines.push({ op: effective, key: ctx.idempotencyKey, id, record, at });
          overlay.set(k, record);
        }
      }
      if (conflicts.length > 0) {
        throw errors.fail(
          'PERSIST_CONFLICT',
          `Cannot insert into '${collection}': ${conflicts.length === 1 ? 'id' : 'ids'} ${listIds(conflicts)} already ` +
            `${conflicts.length === 1 ? 'exists' : 'exist'} (in the store or earlier in this batch). Use op 'upsert' to overwrite, ` +
            "or 'update'; nothing was written.",
          { collection, ids: conflicts },
        );
      }
      if (missing.length > 0) {
        throw errors.fail(
          'PERSIST_NOT_FOUND',
          `Cannot update '${collection}': ${missing.length === 1 ? 'id' : 'ids'} ${listIds(missing)} ` +
            `${missing.length === 1 ? 'does' : 'do'} not exist. Use op 'upsert' to create them, or 'insert'; nothing was written.`,
          { collection, ids: missing },
        );
      }

      const commit: z.infer<typeof commitLine> = { op: 'commit', key: ctx.idempotencyKey, at, count: lines.length, ...counts };
      // A torn or uncommitted tail is cut first: otherwise the new lines would be glued to it.
      if (state.size > state.committedEnd) await truncateDurably(file, state.committedEnd);
      await appendDurably(file, [...lines, commit].map((l) => `${JSON.stringify(l)}\n`).join(''));
      ctx.heartbeat({ collection, written: lines.length });

      for (const [k, record] of overlay) if (record) state.records.set(k, record);
      state.batches.set(ctx.idempotencyKey, counts);
      const version = await fileVersion(file);
      const size = Number(version.split(':')[1]);
      cache.set(file, { ...state, version, committedEnd: size, size });
      return { ...counts, duplicate: false };
    });
  }

  const store = persistPrimitive({ name: 'write_records', input: persistInput, output: persistOutput, errorModes: errors.modes, run: write });
  return compose('persist', {
    description: 'Writes records to a durable local collection by identity (insert, update or upsert), once per step.',
    category: 'io',
  })
    .then(store)
    .build();
}

/** The `persist` handler, storing under `WEFT_PERSIST_DIR` (default `.weft/store`). */
export const persist = createPersistHandler();
