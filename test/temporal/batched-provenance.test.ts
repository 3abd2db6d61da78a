/**
 * Patch `weft-12-batched-provenance`: steps that charge the budget as they run (a priced handler)
 * no longer upsert the memo and search attributes one activation at a time; those are written at
 * phase boundaries. Mid-phase, the operator view read from history alone (`taskView`, what
 * `weft inspect` and `weft ui` show) still has every step's state, from the activities.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeHistory, taskView } from '../../src/history/index.js';
import { defineHandler } from '../../src/handler.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { stepsQuery } from '../../workflows/definitions.js';
import { fragment, runTask, step, testTemplate, waitFor } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { priced, testHandlers } from '../support/test-handlers.js';

const STEPS = 20;
const harness = useTimeSkippingEngine();

let release: () => void = () => undefined;
const released = new Promise<void>((r) => (release = r));
const hold = defineHandler({
  name: 'hold',
  description: 'Waits until the test lets it go.',
  category: 'data',
  input: z.object({}).strict(),
  output: z.object({ ok: z.boolean() }),
  run: async () => {
    await released;
    return { ok: true };
  },
});

type Events = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events'];
const upserts = (events: Events) => {
  const list = events ?? [];
  return {
    memo: list.filter((e) => e.workflowPropertiesModifiedEventAttributes).length,
    // weft's own: `TemporalChangeVersion` upserts record patches.
    attrs: list.filter((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).some((k) => k.startsWith('Weft'))).length,
  };
};

describe('provenance writes batched per phase (patch weft-12-batched-provenance)', () => {
  it('upserts memo and search attributes a constant number of times, and the history view shows every step mid-phase', async () => {
    let mid: { memo: number; attrs: number } | undefined;
    let midStates: Record<string, string> = {};
    const outcome = await runTask({
      ...harness,
      handlers: [...testHandlers, priced, hold],
      template: testTemplate({ maxSteps: STEPS + 1, concurrency: 4, allow: { handlers: ['priced', 'hold'] } }),
      planner: scriptedPlanner(() => fragment([step('wait', 'hold', {}), ...Array.from({ length: STEPS }, (_, i) => step(`p${i}`, 'priced', { values: [i] }))])),
      during: async (handle) => {
        await waitFor(() => handle.query(stepsQuery), (s) => s.filter((x) => x.name.startsWith('p') && x.state === 'completed').length === STEPS, 'the priced steps');
        const events = (await handle.fetchHistory()).events;
        mid = upserts(events);
        const view = taskView(decodeHistory(events ?? []), { workflowId: handle.workflowId, runId: '', nowMs: Date.now() });
        midStates = Object.fromEntries(view.steps.map((s) => [s.record.name, s.record.state]));
        release();
      },
    });
    expect(outcome.error).toBeNull();
    // Before the patch: about one memo and one search-attribute upsert per activation a priced step finished in.
    expect(mid!.memo).toBeLessThanOrEqual(2);
    expect(mid!.attrs).toBeLessThanOrEqual(3);
    for (let i = 0; i < STEPS; i++) expect(midStates[`p${i}`]).toBe('completed');
    expect(midStates['wait']).toBe('running');
    const total = upserts((await outcome.handle.fetchHistory()).events);
    expect(total.memo).toBeLessThanOrEqual(3);
    expect(total.attrs).toBeLessThanOrEqual(5);
    // At the end, both say what was spent.
    const described = await outcome.handle.describe();
    expect((described.memo as { weft_budget: { used: { costUsd: number } } }).weft_budget.used.costUsd).toBeCloseTo(STEPS * 0.001, 6);
  });
});
