/**
 * `weft eval`: runs the planning-eval suite against Claude at each capability tier and reports,
 * per tier, valid on first try, valid after repair, attempts, tokens and cost — the tool for
 * finding the least schema detail that gives valid fragments more than 90% of the time.
 * See docs/planner-eval.md.
 */
import { intOption } from '../args.js';
import { CliError, defineCommand, UsageError } from '../command.js';
import { json } from '../format.js';
import { loadRegistry } from '../../registry.js';
import { EVAL_TIERS, formatReport, type EvalTier, type ProblemOutcome } from '../../eval/report.js';
import { registryOption } from '../registry-option.js';
import { OUTPUT_MODES, parseOutputMode, type OutputMode } from '../../planner/output-mode.js';

/** Retries per call of the SDK itself: here no Temporal activity retries a 429 or a 5xx. */
const SDK_RETRIES = 4;

/** Parses `--tier 1,2,auto` into tiers in the order given, without repeats. */
export function parseTiers(text: string | undefined): EvalTier[] {
  if (text === undefined) return [...EVAL_TIERS];
  const tiers: EvalTier[] = [];
  for (const word of text.split(',').map((w) => w.trim())) {
    const tier = EVAL_TIERS.find((t) => String(t) === word);
    if (tier === undefined) throw new UsageError(`--tier takes a comma-separated list of ${EVAL_TIERS.join(', ')} (got '${word}')`);
    if (!tiers.includes(tier)) tiers.push(tier);
  }
  return tiers;
}

function outputMode(text: string): OutputMode {
  const mode = parseOutputMode(text);
  if (mode === null) throw new UsageError(`--output takes one of ${OUTPUT_MODES.join(', ')} (got '${text}')`);
  return mode;
}

function progressLine(o: ProblemOutcome): string {
  const n = o.attempts.length;
  const what = o.valid ? `valid after ${n} attempt${n === 1 ? '' : 's'}` : o.stopped !== null ? `stopped (${o.stopped})` : `no valid fragment in ${n} attempts`;
  return `tier ${o.tier}, ${o.problem}: ${what}`;
}

/** `weft eval`. */
export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'Measure the planner on the planning-eval suite, per capability tier.',
  description:
    'Asks the planner every problem of the suite exactly as the workflow would (same request, same validator, ' +
    're-planning with the diagnostics), at each tier, and reports valid on first try, valid after repair, mean ' +
    'attempts, tokens, cost and diagnostic codes per tier, and the smallest tier with at least 90% valid on first ' +
    'try. Needs ANTHROPIC_API_KEY (WEFT_MODEL chooses the model); nothing runs on Temporal and no handler runs.',
  positionals: [],
  options: {
    suite: { type: 'string', placeholder: 'dir', description: 'directory of problem files (default eval/problems in the repository)' },
    tier: { type: 'string', placeholder: '1,2,3,auto', description: 'tiers to run, in report order (default all four)' },
    attempts: { type: 'string', placeholder: 'n', description: "attempts per problem, first try included (default: the planning step's own limit)" },
    concurrency: { type: 'string', placeholder: 'n', description: 'problems planned at once (default 1)' },
    model: { type: 'string', placeholder: 'id', description: 'the model (default $WEFT_MODEL, else the planner default)' },
    'base-url': { type: 'string', placeholder: 'url', description: 'the Messages API base URL (default $ANTHROPIC_BASE_URL, else api.anthropic.com)' },
    output: { type: 'string', placeholder: 'mode', description: 'how fragments are asked for: structured, strict_tool or tool (default $WEFT_PLANNER_OUTPUT, else structured)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    registry: registryOption,
  },
  exitCodes: [
    '0  the eval ran: every problem was planned and every expectation held (whatever the percentages)',
    '1  an expectation failed, the planner failed on a problem, or a planner error stopped the eval',
    '2  usage error, ANTHROPIC_API_KEY missing, or a suite that cannot be read or does not fit the registry',
  ],
  async run({ options }, ctx) {
    const tiers = parseTiers(options.tier);
    const attempts = options.attempts === undefined ? undefined : intOption(options.attempts, 'attempts', 1, 10, 3);
    const concurrency = intOption(options.concurrency, 'concurrency', 1, 16, 1);
    const output = options.output === undefined ? undefined : outputMode(options.output);
    const apiKey = ctx.env['ANTHROPIC_API_KEY'];
    if (apiKey === undefined || apiKey.trim() === '') {
      throw new CliError(
        'ANTHROPIC_API_KEY is not set, so there is no model to evaluate. Set it to run the suite against Claude ' +
          '(ANTHROPIC_API_KEY=sk-... npx weft eval; WEFT_MODEL picks the model), or point --base-url at a server that ' +
          'speaks the Messages API. Without a key, `npx vitest run test/unit/eval.test.ts` runs the suite against a ' +
          'simulated model on a local server, as CI does. See docs/planner-eval.md.',
        2,
      );
    }
    // Loaded only when an eval runs: the SDK and the validator are not `weft --help`'s business.
    const [{ anthropicPlanner }, { EvalAbortedError, runEval }, { loadSuite, SuiteError }] = await Promise.all([
      import('../../planner/anthropic.js'),
      import('../../eval/run.js'),
      import('../../eval/suite.js'),
    ]);
    const [suite, loaded] = await Promise.all([loadSuite(options.suite, ctx.cwd), loadRegistry(options.registry, ctx.env, ctx.cwd)]).catch((err: unknown) => {
      throw err instanceof SuiteError ? new CliError(err.message, 2) : err;
    });
    const planner = (tier: EvalTier) =>
      anthropicPlanner({
        tier,
        apiKey,
        env: ctx.env,
        maxRetries: SDK_RETRIES,
        warn: (m) => ctx.err(m),
        ...(options['base-url'] !== undefined ? { baseURL: options['base-url'] } : {}),
        ...(options.model !== undefined ? { model: options.model } : {}),
        ...(output !== undefined ? { output } : {}),
      });
    let report;
    try {
      report = await runEval({
        registry: loaded.registry,
        suite,
        planner,
        tiers,
        concurrency,
        ...(attempts !== undefined ? { maxAttempts: attempts } : {}),
        ...(options.json ? {} : { onOutcome: (o: ProblemOutcome) => ctx.err(progressLine(o)) }),
      });
    } catch (err) {
      if (err instanceof SuiteError) throw new CliError(err.message, 2);
      if (err instanceof EvalAbortedError) throw new CliError(err.message, 1);
      throw err;
    }
    ctx.out(options.json ? json(report) : formatReport(report));
    const troubled = report.tiers.some((t) => t.expectationFailures > 0 || t.plannerErrors > 0);
    return troubled ? 1 : 0;
  },
});
