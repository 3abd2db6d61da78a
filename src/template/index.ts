/**
 * Templates: define the reviewed frame, compile it against a catalog.
 * @example
 * import { defineTemplate, staticStep, planningStep, convergenceStep, compileTemplate } from 'weft/template';
 */
export { defineTemplate, staticStep, planningStep, convergenceStep, finalizationStep } from './define.js';
export type { Template, TemplateInput, StepInput, HandlerStepInput, PlanningStepInput, FailurePolicyInput } from './define.js';
export { compileTemplate, TemplateError } from './compile.js';
export { DEFAULT_BUDGET, DEFAULT_PLANNING, DEFAULT_STEP_FAILURE, DEFAULT_PLANNER_FAILURE } from './defaults.js';
