/**
 * What slices (child workflows running part of a large plan) need from outside the workflow:
 * storing a slice's outputs as one result, and joining the outputs several slices stored into the
 * one value a sliced fan-out or planning step returns. Values never pass through the task.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { BlobRef } from '../src/core/blob.js';
import { isJsonObject, type JsonValue } from '../src/core/json.js';
import type { BlobStore } from '../src/blob/store.js';

import type { JoinOutputsRequest, StoreValueRequest } from './types.js';

/** `weftStoreValue`: stores the value and returns its reference. */
export function storeValueActivity(store: BlobStore): (request: StoreValueRequest) => Promise<BlobRef> {
  return async ({ value }) => slim(await store.put(value));
}

/** A reference without its shape and sample: slices keep many, and nobody plans with them. */
function slim(ref: BlobRef): BlobRef {
  return { $weft_blob: ref.$weft_blob, bytes: ref.bytes, shape: { type: 'null' }, sample: [] };
}

/**
 * `weftJoinOutputs`: loads each part (the stored results inside stay references: a step output
 * that was stored on its own is not loaded), takes the named outputs in order and stores the join.
 */
export function joinOutputsActivity(store: BlobStore): (request: JoinOutputsRequest) => Promise<BlobRef> {
  return async ({ chunks, names, inline, as }) => {
    const outputs = new Map<string, JsonValue>(Object.entries(inline ?? {}));
    for (const chunk of chunks) {
      const map = await store.get(chunk.$weft_blob);
      if (!isJsonObject(map)) {
        throw ApplicationFailure.create({ type: 'WEFT_INTERNAL', nonRetryable: true, message: `The slice outputs ${chunk.$weft_blob} are not an object by step name.` });
      }
      for (const [k, v] of Object.entries(map)) outputs.set(k, v);
    }
    const value: JsonValue = as === 'array' ? names.map((n) => outputs.get(n) ?? null) : Object.fromEntries(names.map((n) => [n, outputs.get(n) ?? null]));
    return store.put(value);
  };
}
