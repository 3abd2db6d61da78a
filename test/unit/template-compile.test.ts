import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fanOut } from '../../catalog/fan-out.js';
import { gate } from '../../catalog/gate.js';
import { builtinHandlers } from '../../catalog/index.js';
import { orderTriageHandlers } from '../../examples/order-triage/handlers.js';
import { orderTriage } from '../../examples/order-triage/template.js';
import type { Fragment } from '../../src/core/fragment.js';
import type { PlanPlanningStep, PlanStep } from '../../src/core/plan.js';
import { DEFAULT_SUMMARIZATION } from '../../src/core/summarize.js';
import { manifestOf } from '../../src/handler.js';
import {
  compileTemplate,
  convergenceStep,
  DEFAULT_BUDGET,
  DEFAULT_PLANNER_FAILURE,
  DEFAULT_STEP_FAILURE,
  defineTemplate,
  finalizationStep,
  planningStep,
  staticStep,
  TemplateError,
  type Template,
  type PlanningStepInput,
  type StepInput,
} from '../../src/template/index.js';

const handlers = [...builtinHandlers, ...orderTriageHandlers, gate];
const input = z.object({ orders_path: z.string().optional(), focus: z.string() });

/** A valid frame: load → plan → conv; each test below breaks it in one way. */
const load = staticStep('load', { handler: 'load_orders', inputs: { path: '${task.input.orders_path}' } });
const plan = (over: Partial<Omit<PlanningStepInput, 'kind' | 'name'>> = {}): PlanningStepInput =>
  planningStep('plan', { dependencies: ['load'], problem: 'Triage: ${task.input.focus}', allow: { handlers: ['transform'] }, convergence: 'conv', ...over });
const conv = convergenceStep('conv', { handler: 'compose_report', dependencies: ['plan'], inputs: { results: '${steps.plan.output.results}' } });

function template(steps: readonly StepInput[], budget?: Template['budget']): Template {
  return defineTemplate({ name: 't', version: '1', input, steps, ...(budget ? { budget } : {}) });
}

/** The problems a template fails with (the test fails when it compiles). */
function problemsOf(steps: readonly StepInput[], budget?: Template['budget']): readonly string[] {
  try {
    compileTemplate(template(steps, budget), handlers);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as TemplateError).problems;
  }
  throw new Error('expected the template not to compile');
}

/** Asserts that exactly one problem was found and that it says `fragments`. */
function expectOneProblem(steps: readonly StepInput[], ...fragments: string[]): void {
  const problems = problemsOf(steps);
  expect(problems).toHaveLength(1);
  for (const f of fragments) expect(problems[0]).toContain(f);
}

function planningStepOf(steps: readonly PlanStep[], name: string): PlanPlanningStep {
  const s = steps.find((x) => x.name === name);
  if (s?.kind !== 'planning') throw new Error(`no planning step '${name}'`);
  return s;
}

describe('compileTemplate: the order-triage example', () => {
  const compiled = compileTemplate(orderTriage, handlers);

  it('compiles to a 64-hex content hash that is stable across compiles and handler order', () => {
    expect(compiled.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(compileTemplate(orderTriage, handlers).hash).toBe(compiled.hash);
    expect(compileTemplate(orderTriage, [...handlers].reverse()).hash).toBe(compiled.hash);
    expect(compileTemplate(orderTriage, manifestOf(handlers)).hash).toBe(compiled.hash);
  });

  it('changes the hash when a step input changes', () => {
    const changed = defineTemplate({
      ...orderTriage,
      steps: orderTriage.steps.map((s) => (s.name === 'load_orders' && s.kind === 'static' ? { ...s, inputs: { path: 'other.json' } } : s)),
    });
    const other = compileTemplate(changed, handlers);
    expect(other.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(other.hash).not.toBe(compiled.hash);
  });

  it('orders the steps topologically, whatever order they are written in', () => {
    expect(compiled.steps.map((s) => s.name)).toEqual(['load_orders', 'plan_processing', 'summarize_results', 'publish_report']);
    const reversed = compileTemplate(defineTemplate({ ...orderTriage, steps: [...orderTriage.steps].reverse() }), handlers);
    expect(reversed.steps.map((s) => s.name)).toEqual(['load_orders', 'plan_processing', 'summarize_results', 'publish_report']);
    expect(reversed.hash).toBe(compiled.hash);
  });

  it('pins only the handlers the frame uses plus the allowed ones', () => {
    expect(Object.keys(compiled.catalog)).toEqual(['aggregate', 'compose_report', 'decide', 'load_orders', 'transform', 'validate', 'write_report']);
    expect(compiled.catalog).not.toHaveProperty('gate');
    expect(compiled.catalog['transform']).toEqual(manifestOf(handlers)['transform']);
  });

  it('keeps name, version, budget and input schema as plain data', () => {
    expect(compiled).toMatchObject({ name: 'order-triage', version: '1.0.0' });
    expect(compiled.budget).toEqual({ maxSteps: 40, maxPlanningPhases: 2, maxLlmCalls: 8, maxCostUsd: 2, maxWallTimeMs: 30 * 60 * 1000 });
    expect(Object.keys((compiled.inputSchema as { properties: object }).properties)).toEqual(['orders_path', 'report_dir', 'focus']);
    expect(JSON.parse(JSON.stringify(compiled))).toEqual(compiled);
  });

  it('fills the planning defaults the example leaves out', () => {
    const p = planningStepOf(compiled.steps, 'plan_processing');
    expect(p).toMatchObject({ maxSteps: 12, maxDepth: 4, maxAttempts: 3, maxPhases: 2, sees: ['load_orders'], convergence: 'summarize_results' });
    expect(p.allowedHandlers).toEqual(['aggregate', 'decide', 'transform', 'validate']);
    expect(p.maxFragmentBytes).toBe(64 * 1024);
    expect(p.concurrency).toBe(8);
    expect(p.onExhausted).toBe('fail');
    expect(p.fallback).toBeNull();
    expect(p.failure).toEqual(DEFAULT_PLANNER_FAILURE);
    expect(p.stepFailure).toEqual(DEFAULT_STEP_FAILURE);
    expect(p.summarization).toEqual(DEFAULT_SUMMARIZATION);
  });
});

describe('compileTemplate: defaults of a minimal frame', () => {
  const compiled = compileTemplate(template([load, plan({ maxSteps: 3 }), conv]), handlers);

  it('uses the default budget when none is given, and merges a partial one', () => {
    expect(compiled.budget).toEqual(DEFAULT_BUDGET);
    expect(compileTemplate(template([load, plan(), conv], { maxLlmCalls: 2 }), handlers).budget).toEqual({ ...DEFAULT_BUDGET, maxLlmCalls: 2 });
  });

  it('defaults sees to the dependencies, and other planning bounds to DEFAULT_PLANNING', () => {
    expect(planningStepOf(compiled.steps, 'plan')).toMatchObject({ sees: ['load'], maxSteps: 3, maxDepth: 4, maxAttempts: 3, maxPhases: 1 });
  });

  it('fills handler-step defaults and merges a partial failure policy', () => {
    expect(compiled.steps[0]).toEqual({
      kind: 'static',
      name: 'load',
      description: '',
      handler: 'load_orders',
      inputs: { path: '${task.input.orders_path}' },
      dependencies: [],
      failure: DEFAULT_STEP_FAILURE,
    });
    const custom = compileTemplate(
      template([staticStep('load', { handler: 'load_orders', failure: { retry: { maximumAttempts: 7 }, onExhausted: 'park' } }), plan({ dependencies: [] }), conv]),
      handlers,
    );
    expect(custom.steps[0]?.failure).toEqual({ ...DEFAULT_STEP_FAILURE, retry: { ...DEFAULT_STEP_FAILURE.retry, maximumAttempts: 7 }, onExhausted: 'park' });
  });

  it('resolves allowed categories to handler names, merged with named handlers', () => {
    const byCategory = compileTemplate(template([load, plan({ allow: { categories: ['data'] } }), conv]), handlers);
    expect(planningStepOf(byCategory.steps, 'plan').allowedHandlers).toEqual(['aggregate', 'compose_report', 'transform', 'validate']);
    const mixed = compileTemplate(template([load, plan({ allow: { handlers: ['decide', 'transform'], categories: ['data'] } }), conv]), handlers);
    expect(planningStepOf(mixed.steps, 'plan').allowedHandlers).toEqual(['aggregate', 'compose_report', 'decide', 'transform', 'validate']);
    expect(Object.keys(mixed.catalog)).toEqual(['aggregate', 'compose_report', 'decide', 'load_orders', 'transform', 'validate']);
  });

  it('accepts $${...} escapes in the problem text, and a finalization step', () => {
    const ok = template([
      load,
      plan({ problem: 'Refer to $${steps.load.output.orders}; goal: ${task.input.focus}' }),
      conv,
      finalizationStep('publish', { handler: 'write_report', dependencies: ['conv'], inputs: { report: '${steps.conv.output}' } }),
    ]);
    expect(compileTemplate(ok, handlers).steps.map((s) => [s.name, s.kind])).toEqual([
      ['load', 'static'],
      ['plan', 'planning'],
      ['conv', 'convergence'],
      ['publish', 'finalization'],
    ]);
  });
});

describe('compileTemplate: problems', () => {
  it('lists every problem together, one line each, in a TemplateError', () => {
    let error: unknown;
    try {
      compileTemplate(
        template([staticStep('Bad-Name', { handler: 'load_orders' }), staticStep('x', { handler: 'nope' }), staticStep('y', { handler: 'load_orders', dependencies: ['ghost'] }), load, plan(), conv]),
        handlers,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const e = error as TemplateError;
    expect(e.name).toBe('TemplateError');
    expect(e.template).toBe('t@1');
    expect(e.problems).toHaveLength(3);
    const lines = e.message.split('\n');
    expect(lines[0]).toBe("Template 't@1' is invalid (3 problems):");
    expect(lines.slice(1)).toEqual(e.problems.map((p) => `  - ${p}`));
    expect(e.problems[0]).toContain("step 'Bad-Name': the name must match");
    expect(e.problems[1]).toContain("step 'x' uses handler 'nope'");
    expect(e.problems[2]).toContain("step 'y' depends on 'ghost'");
  });

  it('says "1 problem" in the singular', () => {
    expect(() => compileTemplate(template([load, plan(), conv], { maxSteps: 2 }), handlers)).toThrow("Template 't@1' is invalid (1 problem):\n  - ");
  });

  it('rejects an invalid step name, naming the pattern', () => {
    expectOneProblem([staticStep('Bad-Name', { handler: 'load_orders' }), load, plan(), conv], "step 'Bad-Name': the name must match ^[a-z][a-z0-9_]{0,62}$.");
  });

  it('rejects a duplicate step', () => {
    expectOneProblem([load, load, plan(), conv], "step 'load' is defined twice; step names are unique.");
  });

  it('rejects an unknown handler and names the valid choices', () => {
    expectOneProblem(
      [staticStep('x', { handler: 'nope' }), load, plan(), conv],
      "step 'x' uses handler 'nope', which is not in the catalog.",
      'Use one of: aggregate, compose_report, decide, emit, gate and 6 more.',
    );
  });

  it("rejects a fan-out step whose per-partition handler it cannot run, and compiles one it can", () => {
    const fan = (handler: string, withInputs: Record<string, string> = {}) =>
      staticStep('fan', { handler: 'fan_out', dependencies: ['load'], inputs: { items: '${steps.load.output.orders}', handler, with: withInputs } });
    const compile = (handler: string, withInputs?: Record<string, string>) => () =>
      compileTemplate(template([load, fan(handler, withInputs), plan({ dependencies: ['fan'] }), conv]), [...handlers, fanOut]);
    expect(compile('nope')).toThrow(/step 'fan': fan_out runs 'nope' per partition, which is not in the catalog; use one of aggregate, compose_report/);
    expect(compile('gate')).toThrow(/fan_out runs 'gate' per partition, which runs in the workflow and cannot run per partition/);
    expect(compile('transform')).toThrow("step 'fan': for every partition, 'transform' input /expression is required but missing (give it in 'with'; the partition goes to 'data')");
    expect(compile('transform', { expression: '$count($)' })).not.toThrow();
    // the handler it runs per partition is pinned with the plan, like the handlers the frame names
    expect(Object.keys(compile('validate', { schema: '${task.input.focus}' })().catalog)).toEqual(expect.arrayContaining(['fan_out', 'validate']));
    expect(compile('transform', { expression: '${task.input.focus}' })).not.toThrow();
  });

  it('rejects an unknown dependency and lists the steps', () => {
    expectOneProblem(
      [staticStep('x', { handler: 'load_orders', dependencies: ['ghost'] }), load, plan(), conv],
      "step 'x' depends on 'ghost', which is not a step of this template. Steps: x, load, plan, conv.",
    );
  });

  it('rejects a self dependency (also reported as a one-step cycle)', () => {
    const problems = problemsOf([staticStep('x', { handler: 'load_orders', dependencies: ['x'] }), load, plan(), conv]);
    expect(problems).toContain("step 'x' depends on itself.");
    expect(problems).toContain('the steps form a cycle: x → x. Remove one of these dependencies.');
  });

  it('rejects a cycle, showing its path, without false problems elsewhere', () => {
    const problems = problemsOf([
      staticStep('a', { handler: 'load_orders', dependencies: ['b'] }),
      staticStep('b', { handler: 'load_orders', dependencies: ['a'] }),
      load,
      plan(),
      conv,
    ]);
    // conv does depend on plan: the cycle elsewhere must not make its reference "not upstream".
    expect(problems).toEqual(['the steps form a cycle: a → b → a. Remove one of these dependencies.']);
  });

  it('rejects a missing convergence step', () => {
    expectOneProblem([load, plan({ convergence: 'nowhere' })], "planning step 'plan' feeds convergence step 'nowhere', which does not exist. Add a convergenceStep('nowhere', ...).");
  });

  it('rejects a convergence that is not a convergence step', () => {
    expectOneProblem(
      [load, plan({ convergence: 'x' }), staticStep('x', { handler: 'load_orders', dependencies: ['plan'] })],
      "planning step 'plan' feeds 'x', which is a static step; it must be a convergence step.",
    );
  });

  it('rejects a convergence step that does not depend on its planning step', () => {
    expectOneProblem(
      [load, plan(), convergenceStep('conv', { handler: 'compose_report', dependencies: ['load'], inputs: { results: {} } })],
      "convergence step 'conv' must depend on planning step 'plan' (add 'plan' to its dependencies)",
    );
  });

  it('rejects a convergence step fed by two planning steps', () => {
    expectOneProblem(
      [
        load,
        plan(),
        planningStep('plan2', { dependencies: ['load'], problem: 'p', allow: { handlers: ['transform'] }, convergence: 'conv' }),
        convergenceStep('conv', { handler: 'compose_report', dependencies: ['plan', 'plan2'], inputs: { results: {} } }),
      ],
      "convergence step 'conv' is fed by two planning steps ('plan' and 'plan2'); give each its own.",
    );
  });

  it('rejects a convergence step that no planning step names', () => {
    expectOneProblem(
      [load, plan(), conv, convergenceStep('orphan', { handler: 'compose_report', dependencies: ['conv'], inputs: { results: {} } })],
      "convergence step 'orphan' is not the convergence of any planning step; make it a static step, or name it in a planning step's 'convergence'.",
    );
  });

  it('rejects sees of an unknown step', () => {
    expectOneProblem([load, plan({ sees: ['ghost'] }), conv], "planning step 'plan' sees 'ghost', which is not a step of this template.");
  });

  it('rejects sees of a step that is not upstream', () => {
    expectOneProblem(
      [load, staticStep('other', { handler: 'load_orders' }), plan({ sees: ['other'] }), conv],
      "planning step 'plan' sees 'other', which is not upstream of it; add 'other' to its dependencies.",
    );
  });

  it('rejects allowing no handler, naming the categories', () => {
    expectOneProblem([load, plan({ allow: {} }), conv], "planning step 'plan' allows no handler; name handlers or categories in 'allow'. Categories: api, control, data, io.");
  });

  it('rejects allowing an unknown handler and names the valid choices', () => {
    expectOneProblem(
      [load, plan({ allow: { handlers: ['transform', 'nope'] } }), conv],
      "planning step 'plan' allows handler 'nope', which is not in the catalog. Use one of: aggregate, compose_report, decide, emit, gate and 6 more.",
    );
  });

  it('rejects non-positive or fractional limits, each named', () => {
    const problems = problemsOf([load, plan({ maxSteps: 0, maxDepth: -1, maxAttempts: 1.5, maxPhases: 0, concurrency: 0, maxFragmentBytes: 0 }), conv]);
    expect(problems).toEqual([
      "planning step 'plan': maxSteps must be a positive integer (got 0).",
      "planning step 'plan': maxDepth must be a positive integer (got -1).",
      "planning step 'plan': maxAttempts must be a positive integer (got 1.5).",
      "planning step 'plan': maxPhases must be a positive integer (got 0).",
      "planning step 'plan': concurrency must be a positive integer (got 0).",
      "planning step 'plan': maxFragmentBytes must be a positive integer (got 0).",
    ]);
  });

  it("rejects a maxFragmentBytes past the planning activity's cut, which no fragment could reach whole", () => {
    expectOneProblem(
      [load, plan({ maxFragmentBytes: 4 * 1024 * 1024 }), conv],
      "planning step 'plan': maxFragmentBytes is 4194304, but the planning activity cuts a planner's answer at 524288 bytes (inside Temporal's 2 MB payload limit); set it to at most 524288 and let larger plans come in phases (maxPhases).",
    );
    expect(() => compileTemplate(template([load, plan({ maxFragmentBytes: 512 * 1024 }), conv]), handlers)).not.toThrow();
  });

  it('rejects a fallback fragment that does not fit the fragment schema', () => {
    const fallback = { steps: 'not a list' } as unknown as Fragment;
    expectOneProblem([load, plan({ fallback }), conv], "planning step 'plan': the fallback fragment does not fit the fragment schema:", ' at /');
  });

  it('rejects a malformed reference in inputs, with a suggestion', () => {
    expectOneProblem(
      [staticStep('x', { handler: 'load_orders', dependencies: ['load'], inputs: { path: '${steps.load.outputs.source}' } }), load, plan(), conv],
      "step 'x': '${steps.load.outputs.source}' is not a valid reference: after 'steps.load' comes '.output', not '.outputs'",
      'Did you mean ${steps.load.output.source}?',
    );
  });

  it('rejects a reference to a step that is not upstream', () => {
    expectOneProblem(
      [staticStep('x', { handler: 'load_orders', inputs: { path: '${steps.load.output.source}' } }), load, plan(), conv],
      "step 'x': ${steps.load.output.source} reads step 'load', which is not upstream; add 'load' to the dependencies.",
    );
  });

  it('rejects a reference to an unknown step', () => {
    expectOneProblem(
      [staticStep('x', { handler: 'load_orders', inputs: { path: '${steps.ghost.output.source}' } }), load, plan(), conv],
      "step 'x': ${steps.ghost.output.source} names step 'ghost', which is not a step of this template.",
    );
  });

  it('rejects a task input path the input schema lacks, naming what is there', () => {
    expectOneProblem(
      [staticStep('x', { handler: 'load_orders', inputs: { path: '${task.input.nope}' } }), load, plan(), conv],
      "step 'x': ${task.input.nope} reads 'nope', which the task input schema does not have (there is no key 'nope'). Available: orders_path, focus.",
    );
    expectOneProblem([load, plan({ problem: 'Goal: ${task.input.goal}' }), conv], "planning step 'plan': ${task.input.goal} reads 'goal'", 'Available: orders_path, focus.');
  });

  it("rejects a step-output path the producer's output schema lacks", () => {
    expectOneProblem(
      [staticStep('x', { handler: 'load_orders', dependencies: ['load'], inputs: { path: '${steps.load.output.nope}' } }), load, plan(), conv],
      "step 'x': ${steps.load.output.nope} reads 'nope', which the output of 'load' does not have (there is no key 'nope'). Available: orders, count, source.",
    );
    expectOneProblem(
      [load, plan(), convergenceStep('conv', { handler: 'compose_report', dependencies: ['plan'], inputs: { results: '${steps.plan.output.outcomes}' } })],
      "${steps.plan.output.outcomes} reads 'outcomes', which the output of 'plan' does not have",
      'Available: results, steps, phases, partial, reason.',
    );
  });

  it('rejects step references in the problem text', () => {
    expectOneProblem(
      [load, plan({ problem: 'Process ${steps.load.output.orders}' }), conv],
      "planning step 'plan': the problem text may reference only ${task.input...}; step results reach the planner through 'sees'.",
    );
  });

  it("rejects a literal input that fails the handler's input schema", () => {
    expectOneProblem([staticStep('x', { handler: 'load_orders', inputs: { path: 42 } }), load, plan(), conv], "step 'x': input /path must be string, got number");
    expectOneProblem([staticStep('x', { handler: 'load_orders', inputs: { extra: 'y' } }), load, plan(), conv], "step 'x': input /extra is not an accepted key (accepted: path)");
  });

  it('rejects a frame over budget.maxSteps, and no planning phases with a planning step', () => {
    expect(problemsOf([load, plan(), conv], { maxSteps: 2 })).toEqual(['the frame has 3 steps but the budget allows 2; raise budget.maxSteps.']);
    expect(problemsOf([load, plan(), conv], { maxPlanningPhases: 0 })).toEqual(['budget.maxPlanningPhases must be at least 1 when the template has a planning step.']);
  });

  it('rejects an input schema that JSON Schema cannot show', () => {
    const t = defineTemplate({ name: 'd', version: '2', input: z.object({ when: z.date() }), steps: [load, plan(), conv] });
    expect(() => compileTemplate(t, handlers)).toThrow(TemplateError);
    expect(() => compileTemplate(t, handlers)).toThrow('the input schema cannot be shown as JSON Schema');
  });
});

describe('allowed categories', () => {
  it('reports a category no handler has, naming the known ones', () => {
    const t = defineTemplate({
      name: 'cats',
      version: '1',
      input: z.object({}),
      steps: [
        planningStep('plan', { problem: 'p', allow: { handlers: ['transform'], categories: ['dta'] }, convergence: 'done' }),
        convergenceStep('done', { handler: 'compose_report', dependencies: ['plan'], inputs: { results: '${steps.plan.output.results}' } }),
      ],
    });
    expect(() => compileTemplate(t, [...builtinHandlers, ...orderTriageHandlers])).toThrow(/allows category 'dta', which no handler has\. Categories: .*data/);
  });
});

describe('planner settings of a planning step', () => {
  it('pins thinking and effort in the plan; without them the plan (and its hash) is as before', () => {
    const withSettings = compileTemplate(template([load, plan({ planner: { thinking: { budgetTokens: 2048 }, effort: 'high' } }), conv]), handlers);
    expect(planningStepOf(withSettings.steps, 'plan').planner).toEqual({ thinking: { budgetTokens: 2048 }, effort: 'high' });
    const without = compileTemplate(template([load, plan(), conv]), handlers);
    expect('planner' in planningStepOf(without.steps, 'plan')).toBe(false);
    expect(without.hash).not.toBe(withSettings.hash);
  });

  it('rejects a thinking budget under 1024 and an unknown effort, naming the step', () => {
    expect(problemsOf([load, plan({ planner: { thinking: { budgetTokens: 500 } } }), conv])).toEqual([
      "planning step 'plan': planner.thinking.budgetTokens must be an integer of at least 1024 (got 500).",
    ]);
    expectOneProblem([load, plan({ planner: { effort: 'extreme' as 'max' } }), conv], "planning step 'plan': planner.effort must be one of low, medium, high, xhigh, max (got \"extreme\").");
  });
});
