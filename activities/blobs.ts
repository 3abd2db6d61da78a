/**
 * Moving results between history and the blob store at the activity boundary: inputs are
 * hydrated (stored results and paths into them loaded), outputs over the threshold are stored
 * and replaced by a reference, so no payload approaches Temporal's limits.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isBlobPath, isBlobRef } from '../src/core/blob.js';
import { isJsonObject, jsonByteLength, type JsonValue } from '../src/core/json.js';
import { formatPath, lookupPath, type PathLookup, type PathSegment } from '../src/core/references.js';
import type { BlobCache } from '../src/blob/cache.js';
import type { BlobStore } from '../src/blob/store.js';

/**
 * Replaces every stored result and path into one with its value. With a `cache`, blobs are read
 * once per worker rather than once per step; the value returned is always a fresh copy (the walk
 * rebuilds every object and array it returns), so a handler never holds a cached value.
 */
export async function hydrate(value: JsonValue, store: BlobStore, cache?: BlobCache): Promise<JsonValue> {
  const loaded = new Map<string, Promise<JsonValue>>();
  const load = (ref: string): Promise<JsonValue> => {
    let p = loaded.get(ref);
    if (!p) {
      const read = (): Promise<JsonValue> => store.get(ref);
      p = (cache ? cache.get(ref, read) : read()).catch((err: unknown) => {
        throw missingHere(err);
      });
      loaded.set(ref, p);
    }
    return p;
  };
  const walk = async (v: JsonValue): Promise<JsonValue> => {
    // A stored value may hold references itself (a planning step's results joined from slices).
    if (isBlobRef(v)) return walk(await load(v.$weft_blob));
    if (isBlobPath(v)) {
      const { blob, path, slice } = v.$weft_blob_path;
      const found = await follow(await load(blob), path, load);
      if (found.found) return walk(slice === undefined ? found.value : sliceOf(found.value, slice, blob, path));
      throw ApplicationFailure.create({
        type: 'REFERENCE_UNRESOLVED',
        nonRetryable: true,
        message: `The stored result ${blob} has no '${formatPath(path)}': ${found.reason}.`,
      });
    }
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (isJsonObject(v)) {
      const out: Record<string, JsonValue> = {};
      for (const [k, item] of Object.entries(v)) out[k] = await walk(item);
      return out;
    }
    return v;
  };
  return walk(value);
}

/**
 * A stored result the worker's own store lacks, said as what it most likely means: a worker with
 * another store wrote it (each worker on its own `.weft/blobs`, say). The store's message follows,
 * with where it looked and what to set. Still retryable: a worker sharing the writer's store may
 * run the next attempt.
 */
function missingHere(err: unknown): unknown {
  if (!(err instanceof ApplicationFailure) || err.type !== 'BLOB_MISSING') return err;
  return ApplicationFailure.create({
    type: 'BLOB_MISSING',
    nonRetryable: false,
    message: `This worker's blob store does not have a stored result the step reads; a worker with another store most likely wrote it. ${err.message}`,
  });
}

/**
 * Looks `path` up in a stored value, loading a stored result met on the way: the outputs of a
 * slice (one blob) hold the references of the outputs that were stored on their own.
 */
async function follow(root: JsonValue, path: readonly PathSegment[], load: (ref: string) => Promise<JsonValue>): Promise<PathLookup> {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    if (isBlobRef(current)) current = await load(current.$weft_blob);
    const step = lookupPath(current, [path[i] as PathSegment]);
    if (!step.found) return { ...step, failedAt: i };
    current = step.value;
  }
  return { found: true, value: current };
}

function sliceOf(value: JsonValue, [start, end]: readonly [number, number], blob: string, path: readonly (string | number)[]): JsonValue {
  if (Array.isArray(value)) return value.slice(start, end);
  throw ApplicationFailure.create({
    type: 'REFERENCE_UNRESOLVED',
    nonRetryable: true,
    message: `The stored result ${blob} has no array at '${formatPath(path) || '(root)'}' to take items ${start}–${end - 1} from.`,
  });
}

/** Stores a value over the threshold and returns its reference; smaller values pass through. */
export async function offload(value: JsonValue, store: BlobStore, thresholdBytes: number): Promise<JsonValue> {
  if (jsonByteLength(value) <= thresholdBytes) return value;
  return (await store.put(value)) as unknown as JsonValue;
}
