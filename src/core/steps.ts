/**
 * The step record: one shape for static, planning, convergence, finalization and planned steps.
 * Provenance is metadata on the record, never a different structure.
 */
import { jsonByteLength } from './json.js';
import type { CreatedBy, StepKind } from './plan.js';

/** A step's lifecycle state. */
export type StepState = 'pending' | 'running' | 'completed' | 'failed' | 'parked' | 'skipped' | 'cancelled';

/** Where a step came from (the essay's provenance fields). */
export interface Provenance {
  readonly createdBy: CreatedBy;
  /** The planning step that created it. */
  readonly planningStep: string | null;
  readonly fragmentId: string | null;
  readonly planningPhase: number | null;
  readonly planningReasoning: string | null;
}

/** A failure as operators see it. */
export interface StepError {
  /** `ApplicationFailure` type or Temporal failure kind, e.g. `VALIDATION_FAILED`, `TIMEOUT`. */
  readonly type: string;
  readonly message: string;
}

/** One step of a task, as the step table shows it. */
export interface StepRecord {
  readonly name: string;
  readonly kind: StepKind;
  /** Handler name; `null` for planning steps. */
  readonly handler: string | null;
  readonly dependencies: readonly string[];
  readonly provenance: Provenance;
  /** For a fan-out's child (`created_by: batch_spawn`): the fan-out step that spawned it. */
  readonly spawnedBy: string | null;
  state: StepState;
  /** Executions started (activity executions, each with its own Temporal retries). */
  executions: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  error: StepError | null;
  /** Size of the JSON output, bytes (outputs themselves are in the layer-4 query). */
  outputBytes: number | null;
  /** Set when an operator acted on a parked step. */
  operatorAction: string | null;
}

/** Provenance of a template step. */
export const TEMPLATE_PROVENANCE: Provenance = {
  createdBy: 'template',
  planningStep: null,
  fragmentId: null,
  planningPhase: null,
  planningReasoning: null,
};

/** Every state, in lifecycle order (the order counts are shown in). */
export const STEP_STATES: readonly StepState[] = ['completed', 'running', 'pending', 'failed', 'cancelled', 'skipped', 'parked'];

/**
 * How many steps are in each state, in lifecycle order, leaving out states no step is in.
 * @example countStates(children) // [['completed', 950], ['running', 20], ['pending', 30]]
 */
export function countStates(steps: readonly Pick<StepRecord, 'state'>[]): [StepState, number][] {
  const counts = new Map<StepState, number>();
  for (const s of steps) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return STEP_STATES.filter((st) => counts.has(st)).map((st) => [st, counts.get(st) as number]);
}

/** A fresh record. */
export function newStepRecord(
  init: Pick<StepRecord, 'name' | 'kind' | 'handler' | 'dependencies' | 'provenance'> & { readonly spawnedBy?: string },
): StepRecord {
  return { ...init, spawnedBy: init.spawnedBy ?? null, state: 'pending', executions: 0, startedAtMs: null, finishedAtMs: null, error: null, outputBytes: null, operatorAction: null };
}

/**
 * The activity summary: one line with handler and provenance, so that Temporal's event history
 * reads like the plan.
 * @example summaryLine(step) // "transform · planned by plan_processing (phase 1, plan_processing:p1:3f2a) · normalize totals"
 */
export function summaryLine(step: Pick<StepRecord, 'handler' | 'kind' | 'provenance'> & { readonly spawnedBy?: string | null }, detail?: string): string {
  const p = step.provenance;
  const head = step.handler ?? 'planner';
  const planned = p.planningStep === null ? '' : ` (phase ${p.planningPhase ?? '?'}, ${p.fragmentId ?? '?'})`;
  const origin =
    p.createdBy === 'template'
      ? `${step.kind} step of the template`
      : p.createdBy === 'batch_spawn'
        ? `spawned by ${step.spawnedBy ?? p.planningStep ?? '?'}${planned}`
        : `planned by ${p.planningStep ?? '?'}${planned || ' (phase ?, ?)'}`;
  const tail = detail ?? (p.planningReasoning ? truncate(p.planningReasoning, 80) : '');
  return tail ? `${head} · ${origin} · ${tail}` : `${head} · ${origin}`;
}

/** Cuts a string to `max` characters with an ellipsis, on one line. */
export function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The compact provenance table kept in the memo: one row per step. */
export type MemoStepRow = readonly [name: string, createdBy: CreatedBy, handler: string | null, fragmentId: string | null, phase: number | null, state: StepState];

/** Rows for the memo. */
export function memoRows(steps: readonly StepRecord[]): MemoStepRow[] {
  return steps.map((s) => [s.name, s.provenance.createdBy, s.handler, s.provenance.fragmentId, s.provenance.planningPhase, s.state]);
}

/**
 * Counts of steps by who created them: `template`, or `planned` (at run time: by a planner, or
 * spawned by a fan-out); `spawned` is the part of `planned` that fan-outs made.
 */
export function countByOrigin(steps: readonly Pick<StepRecord, 'provenance'>[]): { template: number; planned: number; spawned: number } {
  let template = 0;
  let spawned = 0;
  for (const s of steps) {
    if (s.provenance.createdBy === 'template') template++;
    else if (s.provenance.createdBy === 'batch_spawn') spawned++;
  }
  return { template, planned: steps.length - template, spawned };
}

/**
 * Bytes of step records one page of the step table holds at most: half of Temporal's 2 MB limit
 * on a query result, which the whole table passes at about 6,000 steps.
 */
export const STEPS_PAGE_BYTES = 1024 * 1024;

/** One page of the step table: records from `from` on, and where the next page starts (null: none). */
export interface StepsPage {
  readonly records: readonly StepRecord[];
  /** Steps in the whole table. */
  readonly total: number;
  readonly next: number | null;
}

/**
 * The records from index `from` on, as many as fit in `maxBytes` of JSON (at least one, so a page
 * always moves on).
 * @example stepsPage(records, 0) // { records: [...first ~3,000], total: 10_003, next: 2_986 }
 */
export function stepsPage(records: readonly StepRecord[], from: number, maxBytes: number = STEPS_PAGE_BYTES): StepsPage {
  const start = Math.max(0, Math.floor(from));
  let end = start;
  for (let bytes = 0; end < records.length; end++) {
    bytes += jsonByteLength(records[end]) + 1;
    if (bytes > maxBytes && end > start) break;
  }
  return { records: records.slice(start, end), total: records.length, next: end < records.length ? end : null };
}
