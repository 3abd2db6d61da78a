/**
 * The planning eval: a suite of planning problems run against a planner at each capability tier,
 * reported as valid on first try, valid after repair, attempts, tokens and cost per tier.
 *
 * @example
 * import { formatReport, loadSuite, runEval } from './eval/index.js';
 * const report = await runEval({ registry, suite: await loadSuite(), planner: (tier) => anthropicPlanner({ tier }) });
 * console.log(formatReport(report));
 */
export { DEFAULT_SUITE_DIR, loadSuite, parseProblem, problemSchema, SuiteError } from './suite.js';
export type { EvalProblem, EvalSuite, Expectations, ProblemSpec } from './suite.js';
export { breaches, EvalAbortedError, prepareSuite, runEval } from './run.js';
export type { EvalOptions, PreparedProblem } from './run.js';
export { EVAL_TIERS, formatReport, smallestTier, tierReport } from './report.js';
export type { AttemptOutcome, EvalReport, EvalTier, ProblemOutcome, Ratio, TierReport } from './report.js';
