/**
 * Fan-out steps: the handler they run per partition is checked like a step's own handler (known,
 * allowed, not gate or fan_out), the partition goes to an input it takes, and `with` gives every
 * other input it needs; a mutating per-partition handler falls under MUTATION_POLICY. Also the
 * pure partitioning helpers.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fanOut } from '../../catalog/fan-out.js';
import { gate } from '../../catalog/gate.js';
import { aggregate } from '../../catalog/aggregate.js';
import { childStepName, historyRoomProblem, partitionRanges, partitionReasoning, sliceItems } from '../../src/core/fan-out.js';
import type { Fragment } from '../../src/core/fragment.js';
import type { JsonValue } from '../../src/core/json.js';
import type { ValidationContext } from '../../src/core/validation.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { defineHandler, manifestOf } from '../../src/handler.js';

const score = defineHandler({
  name: 'score',
  description: 'Scores rows with a threshold.',
  category: 'data',
  input: z.object({ rows: z.array(z.object({ id: z.string() })), threshold: z.number() }),
  output: z.object({ scored: z.number() }),
  run: () => Promise.resolve({ scored: 0 }),
});
const send = defineHandler({
  name: 'send',
  description: 'Sends rows.',
  category: 'io',
  mutating: true,
  input: z.object({ data: z.array(z.json()) }),
  output: z.object({ sent: z.number() }),
  run: () => Promise.resolve({ sent: 0 }),
});
const hidden = defineHandler({ name: 'hidden', description: 'Not allowed here.', category: 'data', input: z.object({ data: z.array(z.json()) }), output: z.object({}), run: () => Promise.resolve({}) });
const catalog = manifestOf([fanOut, gate, aggregate, score, send, hidden]);

function ctx(allowed = ['fan_out', 'gate', 'aggregate', 'score', 'send'], mutationPolicy: ValidationContext['mutationPolicy'] = 'require_gate'): ValidationContext {
  return {
    planningStep: 'plan',
    allowedHandlers: allowed,
    maxSteps: 10,
    maxDepth: 5,
    maxFragmentBytes: 64 * 1024,
    catalog,
    taskInputSchema: {
      type: 'object',
      properties: {
        rows: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
        names: { type: 'array', items: { type: 'string' } },
        count: { type: 'number' },
      },
    },
    knownSteps: {},
    remaining: { steps: 10, phases: 0, costUsd: 1 },
    mutationPolicy,
  };
}

const fan = (inputs: Record<string, unknown>): Fragment => ({
  fragment_version: '1',
  goal: 'g',
  reasoning: 'r',
  steps: [{ name: 'fan', handler: 'fan_out', reasoning: '', dependencies: [], inputs: { items: '${task.input.rows}', ...inputs } }],
  next: 'done',
});
const codes = (r: ReturnType<typeof validateFragment>) => r.diagnostics.map((d) => [d.code, d.path]);

describe('fan_out validation', () => {
  it('accepts a fan-out whose handler takes the partition and gets its other inputs through `with`', () => {
    const r = validateFragment(fan({ handler: 'score', partition_input: 'rows', with: { threshold: 0.5 } }), ctx());
    expect(r.diagnostics).toEqual([]);
    // the default partition input is `data`; aggregate's inputs are a union of ops, each with `data`
    expect(validateFragment(fan({ handler: 'aggregate', with: { op: 'count' } }), ctx()).ok).toBe(true);
  });

  it('reports an unknown or disallowed per-partition handler at inputs/handler, with the closest choices', () => {
    const unknown = validateFragment(fan({ handler: 'scor', partition_input: 'rows' }), ctx());
    expect(unknown.diagnostics).toEqual([
      {
        code: 'HANDLER_UNKNOWN',
        path: '/steps/0/inputs/handler',
        message: "Step 'fan' runs handler 'scor' per partition, which is not in this planning step's catalog.",
        hint: 'Use one of: score, aggregate, send.',
      },
    ]);
    const notAllowed = validateFragment(fan({ handler: 'hidden' }), ctx());
    expect(codes(notAllowed)).toEqual([['HANDLER_NOT_ALLOWED', '/steps/0/inputs/handler']]);
  });

  it('refuses gate and fan_out per partition, and a handler given by reference', () => {
    const nested = validateFragment(fan({ handler: 'fan_out' }), ctx());
    expect(nested.diagnostics[0]).toMatchObject({ code: 'INPUT_INVALID', path: '/steps/0/inputs/handler', hint: expect.stringMatching(/^Make partitions bigger/) as unknown });
    expect(validateFragment(fan({ handler: 'gate' }), ctx()).diagnostics[0]!.message).toBe(
      "Step 'fan' runs 'gate' per partition, but 'gate' runs in the workflow and cannot run per partition.",
    );
    expect(codes(validateFragment(fan({ handler: '${task.input.h}' }), ctx()))).toContainEqual(['INPUT_INVALID', '/steps/0/inputs/handler']);
  });

  it('requires the partition input to be one the handler takes, naming those it does', () => {
    const r = validateFragment(fan({ handler: 'score', with: { threshold: 1 } }), ctx());
    expect(r.diagnostics).toEqual([
      {
        code: 'INPUT_INVALID',
        path: '/steps/0/inputs',
        message: "Step 'fan' gives each partition to input 'data' (the default), which handler 'score' does not take.",
        hint: 'Set "partition_input" to the input of \'score\' that takes an array of items: rows, threshold.',
      },
    ]);
    expect(codes(validateFragment(fan({ handler: 'score', partition_input: 'row' }), ctx()))).toEqual([['INPUT_INVALID', '/steps/0/inputs/partition_input']]);
  });

  it('checks `with` against the handler: missing, unknown and invalid inputs, with paths into `with`', () => {
    const missing = validateFragment(fan({ handler: 'score', partition_input: 'rows' }), ctx());
    expect(missing.diagnostics).toEqual([
      expect.objectContaining({
        code: 'INPUT_MISSING',
        path: '/steps/0/inputs/with/threshold',
        message: "Step 'fan' does not give 'with.threshold' (for every partition), which handler 'score' requires.",
      }),
    ]);
    expect(missing.diagnostics[0]!.hint).toMatch(/^Add 'threshold': number\. Inputs of 'score': threshold \(required\)\.$/);
    const wrong = validateFragment(fan({ handler: 'score', partition_input: 'rows', with: { threshold: 'high', colour: 'red' } }), ctx());
    expect(codes(wrong)).toEqual([
      ['INPUT_UNKNOWN', '/steps/0/inputs/with/colour'],
      ['INPUT_INVALID', '/steps/0/inputs/with/threshold'],
    ]);
    const twice = validateFragment(fan({ handler: 'score', partition_input: 'rows', with: { threshold: 1, rows: [] } }), ctx());
    expect(twice.diagnostics[0]).toMatchObject({ code: 'INPUT_INVALID', path: '/steps/0/inputs/with/rows', hint: 'Remove \'rows\' from "with"; put the array to partition in "items".' });
    // a reference in `with` is a run-time value: not checked as a literal
    expect(validateFragment(fan({ handler: 'score', partition_input: 'rows', with: { threshold: '${task.input.t}' } }), ctx()).diagnostics.map((d) => d.code)).not.toContain('INPUT_INVALID');
  });

  it('checks references in `with` against the per-partition handler, and items against its partition input', () => {
    const withRef = validateFragment(fan({ handler: 'score', partition_input: 'rows', with: { threshold: '${task.input.rows}' } }), ctx());
    expect(withRef.diagnostics).toHaveLength(1);
    expect(withRef.diagnostics[0]).toMatchObject({ code: 'REFERENCE_TYPE_MISMATCH', path: '/steps/0/inputs/with/threshold' });
    expect(withRef.diagnostics[0]!.message).toMatch(/but handler 'score' expects number there \(it goes to 'score' for every partition\)/);

    const items = validateFragment(fan({ items: '${task.input.names}', handler: 'score', partition_input: 'rows', with: { threshold: 1 } }), ctx());
    expect(items.diagnostics).toHaveLength(1);
    expect(items.diagnostics[0]).toMatchObject({ code: 'REFERENCE_TYPE_MISMATCH', path: '/steps/0/inputs/items' });
    expect(items.diagnostics[0]!.message).toMatch(/\(each partition goes to 'score' input 'rows'\)/);

    // not an array at all: the fan-out's own schema says so, once
    const scalar = validateFragment(fan({ items: '${task.input.count}', handler: 'score', partition_input: 'rows', with: { threshold: 1 } }), ctx());
    expect(scalar.diagnostics.map((d) => [d.code, d.path])).toEqual([['REFERENCE_TYPE_MISMATCH', '/steps/0/inputs/items']]);
    expect(scalar.diagnostics[0]!.message).toMatch(/but handler 'fan_out' expects array/);
  });

  it('applies MUTATION_POLICY to a mutating per-partition handler', () => {
    const r = validateFragment(fan({ handler: 'send' }), ctx());
    expect(r.diagnostics).toEqual([
      expect.objectContaining({
        code: 'MUTATION_POLICY',
        path: '/steps/0/dependencies',
        message: "Step 'fan' uses 'fan_out' to run 'send' per partition, which changes the world outside the task, with no approval gate upstream of it.",
      }),
    ]);
    expect(codes(validateFragment(fan({ handler: 'send' }), ctx(undefined, 'forbid')))).toEqual([['MUTATION_POLICY', '/steps/0/inputs/handler']]);
    expect(validateFragment(fan({ handler: 'send' }), ctx(undefined, 'allow')).ok).toBe(true);
  });
});

describe('partitioning', () => {
  it('splits items into ranges of the partition size, the last smaller', () => {
    expect(partitionRanges(5, 2)).toEqual([
      { index: 0, start: 0, end: 2 },
      { index: 1, start: 2, end: 4 },
      { index: 2, start: 4, end: 5 },
    ]);
    expect(partitionRanges(0, 3)).toEqual([]);
    expect(partitionRanges(3, 10)).toEqual([{ index: 0, start: 0, end: 3 }]);
  });

  it('slices inline items, and turns stored items into a path with the slice', () => {
    const range = { index: 1, start: 2, end: 4 };
    expect(sliceItems(['a', 'b', 'c', 'd', 'e'], range)).toEqual(['c', 'd']);
    const ref = { $weft_blob: 'sha256:ab', bytes: 10, shape: { type: 'array' }, sample: [] } as unknown as JsonValue;
    expect(sliceItems(ref, range)).toEqual({ $weft_blob_path: { blob: 'sha256:ab', path: [], slice: [2, 4] } });
    const path = { $weft_blob_path: { blob: 'sha256:ab', path: ['rows'] } } as unknown as JsonValue;
    expect(sliceItems(path, range)).toEqual({ $weft_blob_path: { blob: 'sha256:ab', path: ['rows'], slice: [2, 4] } });
    expect(() => sliceItems({ not: 'items' }, range)).toThrow(/array or a stored-result reference/);
  });

  it("refuses children that would crowd the run's history past Temporal's limits, saying what fits", () => {
    expect(historyRoomProblem(1_000, { events: 200, bytes: 100_000 }, 1_000)).toBeNull();
    // 80% of 51,200 events is 40,960; 38,960 used leaves room for 500 children of 4 events
    expect(historyRoomProblem(1_000, { events: 38_960, bytes: 1024 * 1024 }, 5_000)).toBe(
      '1000 children would add about 4,000 events to a history of 38,960 events and 1.0 MB; Temporal ends a run at 51,200 events or 50 MB, and at most 500 more children fit (partition_size 10 or more)',
    );
    expect(historyRoomProblem(10, { events: 100, bytes: 45 * 1024 * 1024 }, 10)).toMatch(/and 45\.0 MB; .* and no more children fit$/);
  });

  it('names children outside the step-name pattern and says which items they hold', () => {
    expect(childStepName('score', 12)).toBe('score[12]');
    expect(partitionReasoning('score', { index: 3, start: 30, end: 40 }, 100)).toBe('partition 4 of 100 of score (items 30–39)');
    expect(partitionReasoning('score', { index: 0, start: 0, end: 1 }, 1)).toBe('partition 1 of 1 of score (item 0)');
  });
});
