/**
 * How much of a large task one planning request carries. A request is the input of a planning
 * activity, so every phase writes it into the task's history again: listing every earlier result,
 * available step and step name made the request grow with the task — at 10 phases of 1,000 steps,
 * 9.7 MB of the task's 18 MB of history, and the 10th request 2.0 MB, at Temporal's payload limit.
 * Each growing list is kept within a byte budget instead: the template's own steps always, then
 * the newest planned ones; the request says how many it left out. Pure, sandbox-safe.
 */
import { jsonByteLength } from './json.js';

/**
 * Bytes of JSON each growing list of a planning request holds at most (plus the template's own
 * steps). A prompt shows far less: the default budget of 12,000 tokens is about 48 KB of text.
 */
export const REQUEST_LIST_BYTES = {
  results: 256 * 1024,
  availableSteps: 64 * 1024,
  reservedNames: 32 * 1024,
} as const;

/** How many entries of each list a planning request left out (absent from a request that left out nothing). */
export interface RequestOmissions {
  /** Results of earlier planned steps. */
  readonly results: number;
  /** Completed earlier planned steps a fragment may still depend on. */
  readonly availableSteps: number;
  /** Names of earlier planned steps (still taken: the validator knows them all). */
  readonly reservedNames: number;
}

/**
 * The entries to carry: every `pinned` one, then the newest others while the JSON of all kept
 * stays within `maxBytes`, in their original order; and how many were left out.
 * @example newestWithin(['seed', 'a', 'b'], (n) => n === 'seed', 16) // { kept: ['seed', 'b'], omitted: 1 }
 */
export function newestWithin<T>(items: readonly T[], pinned: (item: T) => boolean, maxBytes: number): { kept: T[]; omitted: number } {
  const keep = new Uint8Array(items.length);
  // The JSON of the kept array: its brackets, and each item with a comma but the last.
  let bytes = 1;
  items.forEach((item, i) => {
    if (!pinned(item)) return;
    keep[i] = 1;
    bytes += jsonByteLength(item) + 1;
  });
  let omitted = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    if (keep[i] === 1) continue;
    const size = jsonByteLength(items[i]) + 1;
    // Once one does not fit, older ones are left out too: what is carried is the newest, unbroken.
    if (omitted === 0 && bytes + size <= maxBytes) {
      keep[i] = 1;
      bytes += size;
    } else omitted++;
  }
  return { kept: omitted === 0 ? [...items] : items.filter((_, i) => keep[i] === 1), omitted };
}
