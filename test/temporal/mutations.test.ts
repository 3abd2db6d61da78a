/**
 * Mutating handlers under Temporal's own retries: a worker that dies after the side effect and
 * before reporting completion makes Temporal run the activity again, and the idempotency key the
 * engine derives (run ID + activity ID) is what keeps `emit` and `persist` from repeating it.
 * Each planned step runs `emit` or `persist` for real, against files in a temporary directory.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createEmitHandler } from '../../catalog/emit.js';
import { createPersistHandler, loadCollection } from '../../catalog/persist.js';
import { defineHandler, type Handler } from '../../src/handler.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { fragment, runTask, step, testTemplate } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { testHandlers } from '../support/test-handlers.js';

const engine = useTimeSkippingEngine();

/** Attempts each step made, by step name, across all runs of this file. */
const attempts = new Map<string, number[]>();

/**
 * `handler`, on a worker that dies right after the side effect of each step's first attempt: the
 * side effect happened, but Temporal only sees a (retryable) failure and runs the activity again.
 */
function crashingAfterSideEffect<I, O>(handler: Handler<I, O>): Handler<I, O> {
  return defineHandler<I, O>({
    name: handler.name,
    description: handler.description,
    category: handler.category,
    mutating: handler.mutating,
    input: handler.input,
    output: handler.output,
    errorModes: [...handler.errorModes, { code: 'WORKER_LOST', retryable: true, description: 'The test worker died after the side effect.' }],
    run: async (input, ctx) => {
      attempts.set(ctx.stepName, [...(attempts.get(ctx.stepName) ?? []), ctx.attempt]);
      const output = await handler.run(input, ctx);
      if (ctx.attempt === 1) throw ApplicationFailure.create({ type: 'WORKER_LOST', message: `worker lost after ${ctx.stepName}'s side effect` });
      return output;
    },
  });
}

describe('emit and persist retried by Temporal after a crash', () => {
  it('append the event and write the batch once, and report the retry as a duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-mutations-'));
    const handlers = [
      ...testHandlers,
      crashingAfterSideEffect(createEmitHandler({ emitDir: dir })),
      crashingAfterSideEffect(createPersistHandler({ dir })),
    ];
    const template = testTemplate({
      allow: { handlers: ['emit', 'persist', 'add'] },
      mutations: 'allow',
      stepFailure: { retry: { maximumAttempts: 3, initialIntervalMs: 10 } },
    });
    const { result, details, handle } = await runTask({
      ...engine,
      template,
      handlers,
      input: { n: 7 },
      planner: scriptedPlanner(() =>
        fragment([
          step('notify', 'emit', { sink: 'file', path: 'events.jsonl', payload: { n: '${task.input.n}' } }),
          step('save', 'persist', { collection: 'orders', op: 'insert', records: [{ id: 'o-1', total: 10 }, { id: 'o-2', total: 20 }] }),
        ]),
      ),
    });
    expect(result?.outputs['converge']).toMatchObject({ keys: ['notify', 'save'], partial: false });
    expect(attempts.get('notify')).toEqual([1, 2]);
    expect(attempts.get('save')).toEqual([1, 2]);
    const { runId } = await handle.describe();

    // emit: one line, keyed by run ID + step; the successful attempt saw it and did not append again
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ key: `${runId}/notify`, payload: { n: 7 } });
    expect(details['notify']?.output).toMatchObject({ sink: 'file', delivered: false, duplicate: true, key: `${runId}/notify` });

    // persist: the insert committed once (a second insert of the same ids would have been a conflict)
    const collection = await loadCollection(join(dir, 'orders.jsonl'));
    expect([...collection.records.keys()]).toEqual(['"o-1"', '"o-2"']);
    expect([...collection.batches.keys()]).toEqual([`${runId}/save`]);
    expect(details['save']?.output).toMatchObject({ duplicate: true });
  });
});
