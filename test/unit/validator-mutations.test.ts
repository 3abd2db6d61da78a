/** MUTATION_POLICY: forbid, require_gate (the default) and allow, with paths and hints. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gateInputSchema, gateOutputSchema } from '../../src/core/gate.js';
import type { Fragment } from '../../src/core/fragment.js';
import type { HandlerManifest } from '../../src/core/manifest.js';
import type { MutationPolicy } from '../../src/core/plan.js';
import type { ValidationContext } from '../../src/core/validation.js';
import { validateFragment } from '../../src/core/validator/index.js';
import { defineHandler, manifestOf } from '../../src/handler.js';

const handlers = [
  defineHandler({ name: 'gate', description: 'Waits for approval.', category: 'control', input: gateInputSchema, output: gateOutputSchema, run: () => Promise.reject(new Error('workflow only')) }),
  defineHandler({ name: 'compute', description: 'Computes.', category: 'data', input: z.object({ n: z.number() }), output: z.object({ n: z.number() }), run: (i) => Promise.resolve(i) }),
  defineHandler({ name: 'send', description: 'Sends a message.', category: 'io', mutating: true, input: z.object({ text: z.string() }), output: z.object({ sent: z.boolean() }), run: () => Promise.resolve({ sent: true }) }),
];
const catalog: HandlerManifest = manifestOf(handlers);

function ctx(policy: MutationPolicy | undefined, allowed = ['gate', 'compute', 'send']): ValidationContext {
  return {
    planningStep: 'plan',
    allowedHandlers: allowed,
    maxSteps: 10,
    maxDepth: 5,
    maxFragmentBytes: 64 * 1024,
    catalog,
    taskInputSchema: { type: 'object' },
    knownSteps: {},
    remaining: { steps: 10, phases: 0, costUsd: 1 },
    ...(policy ? { mutationPolicy: policy } : {}),
  };
}

const fragment = (steps: Fragment['steps']): Fragment => ({ fragment_version: '1', goal: 'g', reasoning: 'r', steps, next: 'done' });
const s = (name: string, handler: string, inputs: Record<string, unknown>, dependencies: string[] = []) => ({ name, handler, reasoning: '', dependencies, inputs: inputs as Fragment['steps'][number]['inputs'] });

const ungated = fragment([s('calc', 'compute', { n: 1 }), s('notify', 'send', { text: 'hi' }, ['calc'])]);
const gated = fragment([s('ok_to_send', 'gate', { prompt: 'send?', on_timeout: 'reject' }), s('notify', 'send', { text: 'hi' }, ['ok_to_send'])]);
const gateElsewhere = fragment([s('ok_to_send', 'gate', { prompt: 'send?' }), s('notify', 'send', { text: 'hi' })]);

describe('MUTATION_POLICY', () => {
  it('requires a gate upstream by default, pointing at the dependencies and saying how to add one', () => {
    const r = validateFragment(ungated, ctx(undefined));
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MUTATION_POLICY', path: '/steps/1/dependencies' });
    expect(r.diagnostics[0]!.message).toBe("Step 'notify' uses 'send', which changes the world outside the task, with no approval gate upstream of it.");
    expect(r.diagnostics[0]!.hint).toMatch(/^Add a step with handler 'gate' .* list it in the dependencies of 'notify'\.$/);
  });

  it('accepts a mutating step behind a gate of the same fragment, and names an unused gate in the hint', () => {
    expect(validateFragment(gated, ctx('require_gate')).ok).toBe(true);
    const r = validateFragment(gateElsewhere, ctx('require_gate'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MUTATION_POLICY']);
    expect(r.diagnostics[0]!.hint).toContain("(or depend on 'ok_to_send')");
  });

  it('forbids mutating steps under forbid, even behind a gate, naming the handlers that change nothing', () => {
    const r = validateFragment(gated, ctx('forbid'));
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MUTATION_POLICY', path: '/steps/1/handler' });
    expect(r.diagnostics[0]!.hint).toBe('Use a handler that changes nothing: gate, compute. The template performs changes in its own steps.');
  });

  it('allows them under allow', () => {
    expect(validateFragment(ungated, ctx('allow')).ok).toBe(true);
  });

  it('says no mutating step can be planned when the gate is not allowed here', () => {
    const r = validateFragment(ungated, ctx('require_gate', ['compute', 'send']));
    expect(r.diagnostics[0]!.hint).toBe("'gate' is not allowed for planning step 'plan', so no mutating step can be planned here; use one that changes nothing.");
  });
});
