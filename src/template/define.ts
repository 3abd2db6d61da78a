/**
 * The template definition API: the reviewed frame — static steps, planning steps with their
 * constraints, convergence and finalization steps — and the task budget.
 */
import type { z } from 'zod';
import type { Fragment } from '../core/fragment.js';
import type { JsonValue } from '../core/json.js';
import type { Budget, ExhaustedAction, MutationPolicy, PlannerSettings, RetrySettings, SummarizationSettings } from '../core/plan.js';

/** Failure policy as authors write it; every field has a default. */
export interface FailurePolicyInput {
  readonly retry?: Partial<RetrySettings>;
  readonly timeoutMs?: number;
  /** How soon a step whose worker died is retried (default 15 s; see `FailurePolicy`). */
  readonly heartbeatTimeoutMs?: number;
  readonly onExhausted?: ExhaustedAction;
}

/** A step that runs a handler. */
export interface HandlerStepInput {
  readonly kind: 'static' | 'convergence' | 'finalization';
  readonly name: string;
  readonly handler: string;
  readonly description?: string;
  /** Literals and `${task.input...}` / `${steps.<name>.output...}` references. */
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  readonly dependencies?: readonly string[];
  readonly failure?: FailurePolicyInput;
}

/** A planning step and the bounds the planner works within. */
export interface PlanningStepInput {
  readonly kind: 'planning';
  readonly name: string;
  readonly description?: string;
  /** The problem given to the planner whole; `${task.input...}` references are filled in. */
  readonly problem: string;
  /** Earlier steps whose results the planner sees (default: its dependencies). */
  readonly sees?: readonly string[];
  /** Which handlers the planner may use: by name and/or by category. */
  readonly allow: { readonly handlers?: readonly string[]; readonly categories?: readonly string[] };
  readonly maxSteps?: number;
  readonly maxDepth?: number;
  readonly maxAttempts?: number;
  readonly maxPhases?: number;
  readonly maxFragmentBytes?: number;
  readonly concurrency?: number;
  /** What the planner may plan that changes the world (default `require_gate`). */
  readonly mutations?: MutationPolicy;
  /** The convergence step this planning step feeds; it must depend on this step. */
  readonly convergence: string;
  readonly fallback?: Fragment;
  /** When attempts are exhausted and there is no (valid) fallback. Default `fail`. */
  readonly onExhausted?: ExhaustedAction;
  readonly dependencies?: readonly string[];
  /** Failure policy of the planning activity (provider errors). */
  readonly failure?: FailurePolicyInput;
  /** Failure policy of every planned step. */
  readonly stepFailure?: FailurePolicyInput;
  readonly summarization?: Partial<SummarizationSettings>;
  /** Thinking and effort of the planning model for this step (default: the planner's settings). */
  readonly planner?: PlannerSettings;
}

/** Any frame step. */
export type StepInput = HandlerStepInput | PlanningStepInput;

/** A template as its author writes it. */
export interface TemplateInput<I extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  /** The task input schema; `${task.input...}` references are checked against it. */
  readonly input: I;
  readonly steps: readonly StepInput[];
  readonly budget?: Partial<Budget>;
}

/** A defined template (not yet compiled against a catalog). */
export interface Template<I extends z.ZodType = z.ZodType> extends TemplateInput<I> {
  readonly __weftTemplate: true;
}

/**
 * Defines a template. It is checked against a catalog by `compileTemplate`, which fails with
 * every problem listed when the frame itself is wrong.
 * @example
 * const t = defineTemplate({
 *   name: 'order-triage', version: '1', input: z.object({}),
 *   steps: [
 *     staticStep('load_orders', { handler: 'load_orders' }),
 *     planningStep('plan', { dependencies: ['load_orders'], problem: 'Triage the orders.',
 *       allow: { handlers: ['transform', 'validate'] }, convergence: 'report' }),
 *     convergenceStep('report', { handler: 'compose_report', dependencies: ['plan'],
 *       inputs: { results: '${steps.plan.output.results}' } }),
 *   ],
 * });
 */
export function defineTemplate<I extends z.ZodType>(input: TemplateInput<I>): Template<I> {
  return { ...input, __weftTemplate: true };
}

type Without<T, K extends keyof T> = Omit<T, K>;

/** A static step: runs a handler as part of the frame. */
export function staticStep(name: string, def: Without<HandlerStepInput, 'kind' | 'name'>): HandlerStepInput {
  return { ...def, kind: 'static', name };
}

/** A planning step: the planner fills this part of the workflow within the given bounds. */
export function planningStep(name: string, def: Without<PlanningStepInput, 'kind' | 'name'>): PlanningStepInput {
  return { ...def, kind: 'planning', name };
}

/** A convergence step: runs when every planned step of its planning step has finished. */
export function convergenceStep(name: string, def: Without<HandlerStepInput, 'kind' | 'name'>): HandlerStepInput {
  return { ...def, kind: 'convergence', name };
}

/** A finalization step: runs after convergence. */
export function finalizationStep(name: string, def: Without<HandlerStepInput, 'kind' | 'name'>): HandlerStepInput {
  return { ...def, kind: 'finalization', name };
}
