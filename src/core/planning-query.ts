/**
 * What the `weft.planning` query answers of a task with large fragments. Temporal refuses a
 * query result over 2 MB, and each attempt record holds its candidate twice (`output` as the
 * planner returned it, `fragment` as parsed): ten phases of 1,000-step fragments were 3 MB. Past
 * the budget, the oldest attempts lose their bulky fields (null) until the answer fits; the task's
 * history keeps them all (`weft inspect --layer 3`). Pure, sandbox-safe.
 */
import { jsonByteLength } from './json.js';

/** Bytes of JSON the planning query answers at most: half of Temporal's 2 MB limit on a query result. */
export const PLANNING_QUERY_BYTES = 1024 * 1024;

/** The fields of an attempt record that can be large, in the order they are dropped. */
const BULKY = ['output', 'fragment', 'thinking', 'context', 'prompt'] as const;

type Bulky = { readonly [K in (typeof BULKY)[number]]?: unknown };

/**
 * The attempts, whole when they fit in `maxBytes` of JSON; otherwise with the bulky fields of the
 * oldest set to null, attempt by attempt, until they fit (the newest keep theirs when they can).
 * @example attemptsWithin(run.planning) // the attempts, the oldest fragments left out past 1 MB
 */
export function attemptsWithin<T extends Bulky>(attempts: readonly T[], maxBytes: number = PLANNING_QUERY_BYTES): T[] {
  const sizes = attempts.map((a) => jsonByteLength(a) + 1);
  let total = sizes.reduce((a, b) => a + b, 1);
  if (total <= maxBytes) return [...attempts];
  return attempts.map((a, i) => {
    if (total <= maxBytes) return a;
    const lean = { ...a };
    for (const k of BULKY) if (k in lean) (lean as Record<string, unknown>)[k] = null;
    const size = jsonByteLength(lean) + 1;
    total -= (sizes[i] as number) - size;
    return lean;
  });
}
