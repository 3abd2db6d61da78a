/**
 * `fan_out`: a step that partitions an array and runs a named handler once per partition. Each
 * run is a child step (`created_by: batch_spawn`) with its own record, activity, summary and
 * retries, exactly like any other step. The engine runs the fan-out itself in workflow code (it
 * creates steps, which an activity cannot), so its schemas and the pure partitioning live here,
 * sandbox-safe.
 */
import { z } from 'zod';
import { isBlobPath, isBlobRef, type BlobPath } from './blob.js';
import type { JsonValue } from './json.js';

/** The reserved handler name of the fan-out. */
export const FAN_OUT_HANDLER = 'fan_out';

/**
 * Most partitions one fan-out may make. Each is a step with its own activity, and Temporal caps
 * a workflow at 2,000 pending activities and 51,200 history events; a thousand children (about
 * four events each) leaves room for the rest of the task.
 */
export const MAX_PARTITIONS = 1_000;

/**
 * Most partitions of a fan-out that runs in slices (child workflows of 500 partitions each,
 * `src/core/slices.ts`): past `INLINE_STEPS` partitions, a new run's fan-out is sliced, and the
 * task's own history holds a few events per slice. The bound is the task's memory: a record per
 * partition.
 */
export const MAX_SLICED_PARTITIONS = 25_000;

/** Temporal ends a run whose history passes these (events; bytes). */
export const TEMPORAL_HISTORY_LIMITS = { events: 51_200, bytes: 50 * 1024 * 1024 } as const;

/**
 * What one child adds to history, with room to spare: measured at about 3.3 events and 1.1 KB
 * (`bench/fan-out.bench.ts`: scheduled, started, completed, and its share of workflow tasks),
 * plus an output of up to its inline threshold.
 */
const PER_CHILD = { events: 4, bytes: 4 * 1024 } as const;

/** Share of Temporal's limits a fan-out may fill; the rest is for what the task does after it. */
const HISTORY_SHARE = 0.8;

/**
 * Whether `partitions` more children fit in the run's history; the problem as a sentence if not.
 * A run that passes Temporal's limits is terminated with everything in flight, so a fan-out that
 * would get there fails first, saying what would fit.
 * @example historyRoomProblem(1000, { events: 50_000, bytes: 1e6 }, 5000) // "… would add about 4,000 events …"
 */
export function historyRoomProblem(partitions: number, history: { readonly events: number; readonly bytes: number }, items: number): string | null {
  const eventRoom = Math.floor((TEMPORAL_HISTORY_LIMITS.events * HISTORY_SHARE - history.events) / PER_CHILD.events);
  const byteRoom = Math.floor((TEMPORAL_HISTORY_LIMITS.bytes * HISTORY_SHARE - history.bytes) / PER_CHILD.bytes);
  const room = Math.max(0, Math.min(eventRoom, byteRoom));
  if (partitions <= room) return null;
  const fits = room === 0 ? 'no more children fit' : `at most ${room} more children fit (partition_size ${Math.ceil(items / room)} or more)`;
  return (
    `${partitions} children would add about ${thousands(partitions * PER_CHILD.events)} events to a history of ` +
    `${thousands(history.events)} events and ${(history.bytes / 1024 / 1024).toFixed(1)} MB; Temporal ends a run at ` +
    `${thousands(TEMPORAL_HISTORY_LIMITS.events)} events or 50 MB, and ${fits}`
  );
}

/** `51200` → `51,200` (no Intl: the same text everywhere). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Most children one fan-out runs at once (well under Temporal's 2,000 pending activities). */
export const MAX_FAN_OUT_CONCURRENCY = 100;

/** Handlers a fan-out cannot run per partition: they run in the workflow and make no sense per partition. */
export const NOT_PER_PARTITION: readonly string[] = [FAN_OUT_HANDLER, 'gate'];

/** The input of the per-partition handler that receives the partition when `partition_input` is not given. */
export const DEFAULT_PARTITION_INPUT = 'data';

/**
 * The input a fan-out step's partitions go to, from its (unchecked) inputs.
 * @example partitionInputOf({ items: [], handler: 'score', partition_input: 'rows' }) // 'rows'
 */
export function partitionInputOf(inputs: Readonly<Record<string, unknown>>): string {
  const given = inputs['partition_input'];
  return typeof given === 'string' ? given : DEFAULT_PARTITION_INPUT;
}

/** Why a handler cannot run per partition, for a message. */
export const RUNS_IN_WORKFLOW = 'runs in the workflow and cannot run per partition';

/**
 * Whether a fan-out cannot run `handler` per partition with a catalog of `available` handlers
 * (it runs in the workflow, or the catalog lacks it), and the ones it could run; null when it can.
 */
export function perPartitionRefusal(handler: string, available: readonly string[]): { readonly inWorkflow: boolean; readonly usable: string[] } | null {
  const inWorkflow = NOT_PER_PARTITION.includes(handler);
  if (!inWorkflow && available.includes(handler)) return null;
  return { inWorkflow, usable: available.filter((h) => !NOT_PER_PARTITION.includes(h)).sort() };
}

/** What happens when a partition's step fails after its retries. */
export const FAN_OUT_FAILURE_STRATEGIES = ['fail_fast', 'continue', 'isolate'] as const;
/** A failure strategy. */
export type FanOutFailureStrategy = (typeof FAN_OUT_FAILURE_STRATEGIES)[number];

const HANDLER_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** The fan-out's inputs other than `items` (which the engine may hold as a stored-result reference). */
export const fanOutSettingsSchema = z
  .object({
    handler: z.string().regex(HANDLER_NAME).describe('The handler each partition runs: a handler this planning step may use, other than gate and fan_out.'),
    partition_size: z.number().int().min(1).max(100_000).default(10).describe('Items per partition (the last may be smaller); default 10.'),
    partition_input: z
      .string()
      .min(1)
      .default(DEFAULT_PARTITION_INPUT)
      .describe("The input of `handler` that receives each partition, an array of items; default 'data'."),
    with: z
      .record(z.string(), z.json())
      .default({})
      .describe('The other inputs of `handler`, the same for every partition (literals or references).'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_FAN_OUT_CONCURRENCY)
      .default(10)
      .describe(`How many partitions run at once; default 10, at most ${MAX_FAN_OUT_CONCURRENCY}.`),
    on_failure: z
      .enum(FAN_OUT_FAILURE_STRATEGIES)
      .default('fail_fast')
      .describe(
        "When a partition fails after its retries: 'fail_fast' (default) cancels the rest and fails the step; " +
          "'continue' runs the rest, then fails the step naming every failed partition; 'isolate' runs the rest and succeeds, " +
          'listing the failed partitions in `failed` with a null result.',
      ),
  })
  .strict();

/** The fan-out's inputs, as the planner and the validator see them (`items` first, as a planner writes them). */
export const fanOutInputSchema = z
  .object({
    items: z.array(z.json()).describe(`The array to partition, usually a reference to an upstream output; at most ${MAX_SLICED_PARTITIONS} partitions (past 500 they run in child workflows).`),
    ...fanOutSettingsSchema.shape,
  })
  .strict();

/** One failed partition. */
export const fanOutFailureSchema = z.object({
  partition: z.number().int().describe('Partition index, from 0.'),
  step: z.string().describe("The child step's name, e.g. score_orders[3]."),
  start: z.number().int().describe('Index of its first item.'),
  end: z.number().int().describe('Index after its last item.'),
  error: z.object({ type: z.string(), message: z.string() }),
});

/** What a fan-out step returns. */
export const fanOutOutputSchema = z.object({
  results: z.array(z.json()).describe("Each partition's output, in partition order; null for a failed partition (on_failure 'isolate')."),
  items: z.number().int().describe('How many items were partitioned.'),
  partitions: z.number().int().describe('How many partitions (child steps) ran.'),
  succeeded: z.number().int().describe('Partitions that completed.'),
  failed: z.array(fanOutFailureSchema).describe('Partitions that failed, in partition order (empty unless on_failure is isolate).'),
});

/** Parsed fan-out settings. */
export type FanOutSettings = z.output<typeof fanOutSettingsSchema>;
/** A failed partition. */
export type FanOutFailure = z.output<typeof fanOutFailureSchema>;
/** A fan-out's output. */
export type FanOutOutput = z.output<typeof fanOutOutputSchema>;

/** One partition: items `[start, end)`. */
export interface PartitionRange {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Splits `count` items into partitions of `size` (the last may be smaller).
 * @example partitionRanges(5, 2) // [{index:0,start:0,end:2}, {index:1,start:2,end:4}, {index:2,start:4,end:5}]
 */
export function partitionRanges(count: number, size: number): PartitionRange[] {
  const out: PartitionRange[] = [];
  for (let start = 0, index = 0; start < count; start += size, index++) out.push({ index, start, end: Math.min(count, start + size) });
  return out;
}

/**
 * A child step's name: the parent's name and the partition index, `score_orders[3]`. The brackets
 * are outside the step-name pattern, so a child can never collide with a planned or frame step.
 */
export function childStepName(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/**
 * Items `[start, end)` of the fan-out's items: a slice of an inline array, or, for items held in
 * the blob store, a path into the stored result with the slice, which the child's activity loads.
 * Items never pass through the workflow when they are stored.
 */
export function sliceItems(items: JsonValue, range: PartitionRange): JsonValue {
  if (Array.isArray(items)) return items.slice(range.start, range.end);
  const slice: [number, number] = [range.start, range.end];
  if (isBlobRef(items)) return { $weft_blob_path: { blob: items.$weft_blob, path: [], slice } } satisfies BlobPath;
  if (isBlobPath(items)) {
    const { blob, path } = items.$weft_blob_path;
    return { $weft_blob_path: { blob, path: [...path], slice } } satisfies BlobPath;
  }
  throw new TypeError('sliceItems: items must be an array or a stored-result reference');
}

/** Whether the engine must ask an activity how many items there are (they are in the blob store). */
export function itemsAreStored(items: JsonValue): boolean {
  return isBlobRef(items) || isBlobPath(items);
}

/**
 * The provenance line of a child: which partition of which step it is.
 * @example partitionReasoning('score', { index: 3, start: 30, end: 40 }, 100) // "partition 4 of 100 of score (items 30–39)"
 */
export function partitionReasoning(parent: string, range: PartitionRange, partitions: number): string {
  const items = range.end - range.start === 1 ? `item ${range.start}` : `items ${range.start}–${range.end - 1}`;
  return `partition ${range.index + 1} of ${partitions} of ${parent} (${items})`;
}

/** How a fan-out step fails (the engine raises these in workflow code; none is retried by Temporal). */
export const FAN_OUT_ERROR_MODES = [
  {
    code: 'FAN_OUT_PARTITIONS_FAILED',
    retryable: false,
    description: "Partitions failed after their retries (on_failure 'fail_fast' or 'continue'); an operator retry of the parked step re-runs only those.",
  },
  {
    code: 'FAN_OUT_TOO_MANY_PARTITIONS',
    retryable: false,
    description: `The items make more than ${MAX_SLICED_PARTITIONS} partitions (${MAX_PARTITIONS} in a task that predates slices), or more than the step budget has left; raise partition_size.`,
  },
  { code: 'FAN_OUT_HANDLER_INVALID', retryable: false, description: 'The handler to run per partition is not in the plan\'s catalog, or is gate or fan_out.' },
] as const;
