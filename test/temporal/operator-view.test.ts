/**
 * What operators see in the Web UI's current details (layer 1 markdown) and search attributes,
 * with patch `weft-10-operator-history`: escaped text in lists (Web UI 2.42 renders no tables and
 * reads `$…$` as TeX), every planning attempt's outcome including an exhausted planning step's
 * last one, the parked step with its command, and an operator skip that leaves a trace.
 */
import { describe, expect, it } from 'vitest';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { operateUpdate } from '../../workflows/definitions.js';
import { fragment, runTask, step, testTemplate, waitFor, waitForStep } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { failTimes } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();
const details = (h: { query: <T>(name: string) => Promise<T> }) => h.query<{ currentDetails?: string }>('__temporal_workflow_metadata').then((m) => m.currentDetails ?? '');

describe('current details and search attributes', () => {
  it('exhausted planning: both rejected attempts listed, the parked planning step with its command, $ escaped', async () => {
    const bad = fragment([step('x', 'nope', {})]);
    const workflowId = `details-exhausted-${Date.now()}`;
    let seen = '';
    await runTask({
      ...engine,
      template: testTemplate({ maxAttempts: 2, onExhausted: 'park' }),
      planner: scriptedPlanner(() => bad),
      workflowId,
      during: async (h) => {
        await waitForStep(h, 'plan', 'parked');
        seen = await waitFor(() => details(h as never), (d) => d.includes('parked'), 'details with the parked step');
        await h.executeUpdate(operateUpdate, { args: [{ step: 'plan', action: 'fail', reason: 'test' }] });
      },
    });
    expect(seen).toContain('- plan phase 1, attempt 1 (planner): rejected: HANDLER\\_UNKNOWN');
    expect(seen).toContain('- plan phase 1, attempt 2 (planner): rejected: HANDLER\\_UNKNOWN');
    expect(seen).toContain(`⚠ **parked: plan** — PLANNING\\_EXHAUSTED: no valid fragment after 2 attempt(s); last diagnostics: HANDLER\\_UNKNOWN`);
    expect(seen).toContain(`resolve with \`weft dlq retry|skip|fail ${workflowId} plan\``);
    expect(seen).toMatch(/\\\$0\.00\/\\\$5\.00/);
    expect(seen).not.toMatch(/^\|/m);
    expect(seen).toContain('- seed · completed · emit\\_number · template static');
  });

  it('an operator skip: the result is partial with the reason, WeftCreatedBy has operator', async () => {
    const workflowId = `skip-trace-${Date.now()}`;
    failTimes(workflowId, 'broken', 100);
    const { result, searchAttributes, currentDetails } = await runTask({
      ...engine,
      template: testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 1 } } }),
      planner: scriptedPlanner(() => fragment([step('broken', 'flaky', { label: 'b' }), step('after', 'add', { values: [1] }, ['broken'])])),
      workflowId,
      during: async (h) => {
        await waitForStep(h, 'broken', 'parked');
        await h.executeUpdate(operateUpdate, { args: [{ step: 'broken', action: 'skip', output: { ok: true, label: 'given' }, by: 'op' }] });
      },
    });
    expect(result).toMatchObject({ partial: true, reason: "step 'broken' was skipped by an operator (skip by op); its output was given, not computed" });
    expect(searchAttributes['WeftCreatedBy']).toEqual(['operator', 'planning_step', 'template']);
    expect(currentDetails).toContain('- broken · skipped · flaky · planning\\_step by plan (phase 1, plan:p1:');
  });
});
