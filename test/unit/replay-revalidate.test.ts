/**
 * `weft replay`'s re-validation on a history built event by event: it reads the pinned plan and
 * the planner outputs, reports only outputs valid then and rejected now, and judges a later
 * phase's output with the steps the earlier phases accepted.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { Fragment } from '../../src/core/fragment.js';
import type { CompiledPlan } from '../../src/core/plan.js';
import { revalidate } from '../../src/replay/check.js';
import { readRecorded } from '../../src/replay/recorded.js';
import { compileAll } from '../../src/worker.js';
import { fanOut } from '../../catalog/fan-out.js';
import { gate } from '../../catalog/gate.js';
import { fragment, step, testTemplate } from '../support/engine.js';
import { testHandlers } from '../support/test-handlers.js';

const compile = (t: ReturnType<typeof testTemplate>): CompiledPlan => compileAll([t], [...testHandlers, gate, fanOut])[0]!;
/** Event IDs are int64 (`Long`) in the protobuf types; the reader only compares their text. */
const id = (n: number) => n as never;
const then = compile(testTemplate({ maxPhases: 2 }));
// a later deploy: the planning step may no longer use `add` (and its pinned catalog no longer has it)
const narrower = compile(testTemplate({ maxPhases: 2, allow: { handlers: ['emit_number', 'flaky'] } }));

const payload = (v: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(v)] });

/** A weftTask history that started with `plan` and whose planner returned `outputs`, one per phase. */
function history(plan: CompiledPlan, outputs: readonly Fragment[]): temporal.api.history.v1.IHistory {
  const events: temporal.api.history.v1.IHistoryEvent[] = [
    { eventId: id(1), workflowExecutionStartedEventAttributes: { workflowType: { name: 'weftTask' }, input: payload({ plan, input: { n: 1 } }) } },
  ];
  outputs.forEach((output, i) => {
    const n = 10 + 2 * i;
    events.push({ eventId: id(n), activityTaskScheduledEventAttributes: { activityType: { name: 'weftPlan' }, input: payload({ planningStep: 'plan', phase: i + 1, attempt: 1 }) } });
    events.push({ eventId: id(n + 1), activityTaskCompletedEventAttributes: { scheduledEventId: id(n), result: payload({ output }) } });
  });
  return { events };
}

const phase1 = fragment([step('double_seed', 'add', { values: ['${steps.seed.output.value}', '${steps.seed.output.value}'] }, ['seed'])], 'replan');
const phase2 = fragment([step('plus_ten', 'add', { values: ['${steps.double_seed.output.value}', 10] }, ['double_seed'])]);

describe('revalidate', () => {
  it('reads the pinned plan and each planner output with its step, phase and attempt', () => {
    const r = readRecorded(history(then, [phase1, phase2]));
    expect(r.workflowType).toBe('weftTask');
    expect(r.plan?.name).toBe('engine-test');
    expect(r.outputs.map((o) => [o.planningStep, o.phase, o.attempt])).toEqual([['plan', 1, 1], ['plan', 2, 1]]);
  });

  it('finds nothing when today judges as then did, a later phase reading an earlier one included', () => {
    expect(revalidate({ source: 'h', history: history(then, [phase1, phase2]) }, [then])).toEqual({ template: 'engine-test', fragments: 2, findings: [] });
  });

  it("reports every phase's output today's template rejects, the later phase judged with the earlier phase's steps", () => {
    const { findings } = revalidate({ source: 'h', history: history(then, [phase1, phase2]) }, [narrower]);
    expect(findings.map((f) => (f.kind === 'now_rejected' ? [f.phase, f.diagnostics.map((d) => d.code)] : f.kind))).toEqual([
      [1, ['HANDLER_UNKNOWN']],
      [2, ['HANDLER_UNKNOWN']],
    ]);
  });

  it('reports a template that is gone', () => {
    const { findings } = revalidate({ source: 'h', history: history(then, [phase1]) }, []);
    expect(findings).toEqual([expect.objectContaining({ kind: 'template_gone', template: 'engine-test' })]);
  });
});
