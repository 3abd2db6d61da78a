/**
 * The one place a template's input schema is applied: defaults from the plan's JSON Schema, then
 * every issue, the same whatever starts the task.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withDefaults } from '../../src/core/json-schema/defaults.js';
import { taskInputFor } from '../../src/core/task-input.js';
import { toJsonSchema } from '../../src/handler.js';
import { compileTemplate } from '../../src/template/compile.js';
import { registry } from '../../examples/registry.js';
import { orderTriage } from '../../examples/order-triage/template.js';

describe('withDefaults', () => {
  const schema = toJsonSchema(
    z.object({
      focus: z.string().default('all'),
      limits: z.object({ max: z.number().default(10), min: z.number().optional() }).default({ max: 5 }),
      rows: z.array(z.object({ tag: z.string().default('none') })).optional(),
      keep: z.string().optional(),
    }),
    'input',
  );

  it('fills absent properties, recursively, as zod parse does', () => {
    const input = { rows: [{}, { tag: 'x' }] };
    const zodParsed = z
      .object({ focus: z.string().default('all'), limits: z.object({ max: z.number().default(10), min: z.number().optional() }).default({ max: 5 }), rows: z.array(z.object({ tag: z.string().default('none') })).optional(), keep: z.string().optional() })
      .parse(input);
    expect(withDefaults(schema, input)).toEqual(zodParsed);
    expect(withDefaults(schema, { limits: {} })).toMatchObject({ limits: { max: 10 } });
  });

  it('keeps given values and does not modify the input', () => {
    const input = { focus: 'late orders' };
    expect(withDefaults(schema, input)).toMatchObject({ focus: 'late orders', limits: { max: 5 } });
    expect(input).toEqual({ focus: 'late orders' });
  });
});

describe('taskInputFor', () => {
  const plan = compileTemplate(orderTriage, registry.handlers);

  it("applies order-triage's default focus to an empty or missing input (weft worker's compiled plans)", () => {
    for (const input of [{}, undefined, null]) {
      const r = taskInputFor(plan, input);
      expect(r).toEqual({ ok: true, input: { focus: orderTriage.input.parse({}).focus } });
    }
  });

  it('names every issue, where it is and what to do', () => {
    const r = taskInputFor(plan, { focus: 3, orders_path: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/does not fit template 'order-triage'/);
    expect(r.message).toMatch(/\/focus: .*string/);
    expect(r.message).toMatch(/\/orders_path: /);
    expect(r.message).toMatch(/weft run order-triage --input file\.json/);
  });
});
