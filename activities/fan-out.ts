/**
 * The one thing a fan-out needs from outside the workflow: how many items a stored result holds.
 * The items stay in the blob store; each child's activity loads its own slice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { BlobStore } from '../src/blob/store.js';
import { hydrate } from './blobs.js';
import type { CountItemsRequest, CountItemsResult } from './types.js';

/** `weftCountItems`: loads the stored items and counts them; not an array is a non-retryable failure. */
export function countItemsActivity(store: BlobStore): (request: CountItemsRequest) => Promise<CountItemsResult> {
  return async ({ step, items }) => {
    const value = await hydrate(items, store);
    if (!Array.isArray(value)) {
      throw ApplicationFailure.create({
        type: 'INPUT_INVALID',
        nonRetryable: true,
        message: `Step '${step}' (fan_out): input 'items' must be an array, but the stored result holds ${value === null ? 'null' : typeof value}. Reference an array, e.g. \${steps.<name>.output.rows}.`,
      });
    }
    return { count: value.length };
  };
}
