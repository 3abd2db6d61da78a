/**
 * Live progress of a task: polls the step table (and, while planning, the planning records)
 * and prints one line per change with the step's provenance, until the result arrives; then the
 * result summary. Shared by `weft run` and `npm run demo`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isClientError, type WeftClient } from '../client.js';
import { failureMessage } from '../client/errors.js';
import { budgetLine } from '../core/budget.js';
import { countStates, summaryLine, type StepRecord } from '../core/steps.js';
import type { PlanningAttempt, TaskResult } from '../../workflows/definitions.js';
import { brief, bytes, seconds } from './format.js';

/** How a followed task ended. */
export type FollowOutcome = { readonly ok: true; readonly result: TaskResult } | { readonly ok: false; readonly error: unknown };

/** Options of `followTask`. */
export interface FollowOptions {
  /** Poll interval (default 500 ms). */
  readonly intervalMs?: number;
  /** Writes a line. */
  readonly out: (line: string) => void;
}

/** Prints step changes until the task closes; resolves to its result or its failure. */
export async function followTask(weft: WeftClient, workflowId: string, options: FollowOptions): Promise<FollowOutcome> {
  const interval = options.intervalMs ?? 500;
  const started = Date.now();
  const printer = new ProgressPrinter(workflowId, options.out, () => Date.now() - started);
  let closed = false;
  const outcome: Promise<FollowOutcome> = weft.result(workflowId).then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, error }),
  );
  void outcome.finally(() => {
    closed = true;
  });
  while (!closed) {
    await printer.poll(weft);
    await Promise.race([outcome, sleep(interval)]);
  }
  // Queries answer on closed tasks too (the worker replays the history): print the last changes.
  await printer.poll(weft);
  return outcome;
}

/** Remembers what was printed and prints what changed. */
class ProgressPrinter {
  private readonly states = new Map<string, string>();
  /** Steps whose provenance was printed (on their first line that is not `pending`). */
  private readonly introduced = new Set<string>();
  /** The children line printed last, per fan-out. */
  private readonly childLines = new Map<string, string>();
  /** Failed children printed, per fan-out (at most MAX_CHILD_FAILURE_LINES each). */
  private readonly childFailures = new Map<string, number>();
  private attemptsSeen = 0;
  private warnedNoWorker = false;

  constructor(
    private readonly workflowId: string,
    private readonly out: (line: string) => void,
    private readonly elapsed: () => number,
  ) {}

  async poll(weft: WeftClient): Promise<void> {
    let steps: StepRecord[];
    try {
      steps = await weft.steps(this.workflowId);
    } catch (err) {
      // A task not yet picked up by a worker cannot answer; the result tells the real failure.
      if (isClientError(err, 'NO_WORKER') && !this.warnedNoWorker) {
        this.warnedNoWorker = true;
        this.line('…', `waiting: ${err.message}`);
      }
      return;
    }
    const events: { at: number; order: number; name: string; text: string }[] = [];
    const planningChanged = steps.some((s) => s.kind === 'planning' && this.states.get(s.name) !== s.state);
    const planningActive = steps.some((s) => s.kind === 'planning' && s.state === 'running');
    const children = new Map<string, StepRecord[]>();
    steps.forEach((s, order) => {
      if (s.spawnedBy !== null) {
        // A fan-out's children print as one line of counts: a thousand partitions are not a thousand lines.
        const kids = children.get(s.spawnedBy);
        if (kids) kids.push(s);
        else children.set(s.spawnedBy, [s]);
        const failedNow = s.state === 'failed' && this.states.get(s.name) !== 'failed';
        this.states.set(s.name, s.state);
        const shown = this.childFailures.get(s.spawnedBy) ?? 0;
        if (failedNow && shown < MAX_CHILD_FAILURE_LINES) {
          this.childFailures.set(s.spawnedBy, shown + 1);
          events.push({ at: eventTime(s), order, name: s.name, text: stepLine(s, true, this.workflowId) });
        }
        return;
      }
      if (this.states.get(s.name) === s.state) return;
      this.states.set(s.name, s.state);
      if (s.state === 'pending') return;
      const first = !this.introduced.has(s.name);
      this.introduced.add(s.name);
      events.push({ at: eventTime(s), order, name: s.name, text: stepLine(s, first, this.workflowId) });
    });
    for (const [parent, kids] of children) {
      const text = childrenLine(kids);
      if (this.childLines.get(parent) === text) continue;
      this.childLines.set(parent, text);
      // A loop, not Math.max(...): tens of thousands of arguments can overflow the stack.
      let at = -Infinity;
      for (const k of kids) {
        const t = k.state === 'pending' ? 0 : eventTime(k);
        if (t !== Number.MAX_SAFE_INTEGER && t > at) at = t;
      }
      events.push({ at, order: steps.length, name: `${parent}[…]`, text });
    }
    if (planningChanged || planningActive) {
      for (const a of await this.newAttempts(weft)) events.push({ at: a.atMs, order: -1, name: a.planningStep, text: attemptLine(a) });
    }
    // Several changes between two polls print in the order they happened, not in table order.
    events.sort((x, y) => x.at - y.at || x.order - y.order);
    for (const e of events) this.line(e.name, e.text);
  }

  private async newAttempts(weft: WeftClient): Promise<PlanningAttempt[]> {
    try {
      const attempts = await weft.planning(this.workflowId);
      const fresh = attempts.slice(this.attemptsSeen);
      this.attemptsSeen = Math.max(this.attemptsSeen, attempts.length);
      return fresh;
    } catch {
      return [];
    }
  }

  private line(name: string, text: string): void {
    this.out(`  +${seconds(this.elapsed()).padStart(6)}  ${name.padEnd(20)}  ${text}`);
  }
}

/** Failed children of one fan-out printed one by one at most; the counts line has the rest. */
const MAX_CHILD_FAILURE_LINES = 5;

/**
 * The line for a fan-out's children: counts by state, in lifecycle order.
 * @example childrenLine(children) // "children  120/1000 completed, 20 running, 860 pending"
 */
export function childrenLine(children: readonly StepRecord[]): string {
  const counts = countStates(children);
  const parts = counts.map(([st, n]) => (st === 'completed' ? `${n}/${children.length} completed` : `${n} ${st}`));
  if (counts[0]?.[0] !== 'completed') parts.unshift(`0/${children.length} completed`);
  return `children  ${parts.join(', ')}`;
}

/** When a step reached its current state (workflow clock), for ordering lines. */
function eventTime(s: StepRecord): number {
  const finished = s.state === 'completed' || s.state === 'failed' || s.state === 'skipped' || s.state === 'cancelled';
  return (finished ? s.finishedAtMs : s.startedAtMs) ?? s.startedAtMs ?? Number.MAX_SAFE_INTEGER;
}

/** One progress line for a step that changed state. */
export function stepLine(s: StepRecord, first: boolean, workflowId: string): string {
  const state = s.state.padEnd(9);
  const took = s.startedAtMs !== null && s.finishedAtMs !== null ? seconds(s.finishedAtMs - s.startedAtMs) : null;
  const provenance = first ? summaryLine(s) : null;
  switch (s.state) {
    case 'completed':
    case 'skipped': {
      const facts = [took, s.outputBytes === null ? null : bytes(s.outputBytes), s.operatorAction].filter((x) => x !== null);
      return [state, facts.join(', '), provenance].filter((x) => x).join('  ');
    }
    case 'failed':
      return `${state}  ${s.error ? `${s.error.type}: ${s.error.message}` : ''}${provenance ? `  (${provenance})` : ''}`;
    case 'parked':
      return (
        `${state}  ${s.error ? `${s.error.type}: ${s.error.message}` : ''}` +
        `\n${' '.repeat(33)}resolve with: weft dlq retry|skip|fail ${workflowId} ${s.name}`
      );
    case 'running':
      if (s.handler === 'gate') return `${state}  waiting for a decision: weft gate approve|reject ${workflowId} ${s.name}`;
      return provenance ? `${state}  ${provenance}` : state;
    case 'pending':
    case 'cancelled':
      return provenance ? `${state}  ${provenance}` : state;
  }
}

/** One progress line for a planning attempt. */
export function attemptLine(a: PlanningAttempt): string {
  let who = `${a.source === 'fallback' ? 'fallback fragment' : (a.planner ?? 'planner')}, phase ${a.phase}, attempt ${a.attempt}`;
  const failed = a.failedCalls ?? [];
  // failed provider calls count against the LLM-call budget: show each try, not just the last
  const calls = failed.length === 0 ? '' : `; ${failed.length} failed provider call${failed.length === 1 ? '' : 's'}: ${failed.map((c) => (c.status === null ? c.errorType : `${c.status}`)).join(', ')}`;
  if (a.error) return `planner failed (${who}${calls}): ${a.error.type}: ${a.error.message}`;
  who = `${who}${calls}`;
  if (a.accepted) {
    const n = a.fragment?.steps.length ?? 0;
    return `fragment accepted: ${n} step${n === 1 ? '' : 's'}, next "${a.fragment?.next ?? '?'}" (${who}, ${a.fragmentId ?? '?'})`;
  }
  const codes = [...new Set(a.diagnostics.map((d) => d.code))];
  return `fragment rejected (${who}): ${a.diagnostics.length} diagnostic${a.diagnostics.length === 1 ? '' : 's'}: ${codes.join(', ')}`;
}

/** The result summary: outcome, step counts, partial/reason, budget, result. */
export function resultSummary(result: TaskResult, elapsedMs: number): string[] {
  const s = result.steps;
  return [
    `completed ${result.template}@${result.version} in ${seconds(elapsedMs)}: ${s.total} steps (${s.template} from the template, ${s.planned} planned${s.spawned ? `, ${s.spawned} of them spawned by fan-outs` : ''})`,
    `  partial: ${result.partial ? `yes: ${result.reason ?? 'no reason recorded'}` : 'no'}`,
    `  budget:  ${budgetLine(result.budget)}`,
    `  result:  ${brief(result.result, 400)}`,
  ];
}

/** The failure summary of a task that did not complete. */
export function failureSummary(workflowId: string, error: unknown): string {
  return isClientError(error) ? error.message : `task ${workflowId} failed: ${failureMessage(error)}`;
}
