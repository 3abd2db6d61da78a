/**
 * Replacing blob pointers with what they point at, for operators (`weft inspect --layer 4
 * --resolve`, `weft blob get`): a `BlobRef` becomes the stored value, a `BlobPath` the value at
 * its path (and slice). A blob the store does not have stays a pointer, with why.
 */
import { isBlobPath, isBlobRef } from '../core/blob.js';
import { isJsonObject, type JsonValue } from '../core/json.js';
import type { BlobStore } from './store.js';

/** What stands in for a blob that could not be read. */
export interface UnresolvedBlob {
  readonly $weft_unresolved: string;
  readonly error: string;
}

/** Resolves every blob pointer in `value` (each blob read once). */
export async function resolveBlobs(value: JsonValue, store: BlobStore): Promise<JsonValue> {
  const cache = new Map<string, Promise<JsonValue>>();
  const load = (ref: string) => {
    let p = cache.get(ref);
    if (!p) {
      p = store.get(ref);
      cache.set(ref, p);
    }
    return p;
  };
  const walk = async (v: JsonValue): Promise<JsonValue> => {
    if (isBlobRef(v)) {
      try {
        return await load(v.$weft_blob);
      } catch (e) {
        return unresolved(v.$weft_blob, e);
      }
    }
    if (isBlobPath(v)) {
      const { blob, path, slice } = v.$weft_blob_path;
      try {
        let at: JsonValue | undefined = await load(blob);
        for (const key of path) at = Array.isArray(at) ? at[Number(key)] : isJsonObject(at) ? at[String(key)] : undefined;
        if (slice && Array.isArray(at)) at = at.slice(slice[0], slice[1]);
        return at ?? null;
      } catch (e) {
        return unresolved(blob, e);
      }
    }
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (isJsonObject(v)) {
      const out: Record<string, JsonValue> = {};
      for (const [k, x] of Object.entries(v)) out[k] = await walk(x);
      return out;
    }
    return v;
  };
  return walk(value);
}

function unresolved(ref: string, e: unknown): JsonValue {
  const u: UnresolvedBlob = { $weft_unresolved: ref, error: e instanceof Error ? e.message : String(e) };
  return { ...u };
}
