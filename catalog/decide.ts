/**
 * `decide`: routes among declared outcomes with ordered rules, each a JSONata condition. The
 * first rule whose condition is true decides; otherwise the default does. Conditions run through
 * the same bounded evaluation as `transform` (`evaluateJsonata`), sharing one time limit.
 */
import { z } from 'zod';
import type { Handler } from '../src/handler.js';
import { listChoices } from '../src/core/diagnostics.js';
import type { JsonValue } from '../src/core/json.js';
import { declareErrorModes } from './failures.js';
import { compose } from './grammar/compose.js';
import { decidePrimitive } from './grammar/kinds.js';
import {
  compileJsonata,
  DEFAULT_JSONATA_LIMITS,
  evaluateJsonata,
  JsonataProblem,
  jsonataMessage,
  type JsonataLimits,
} from './transform.js';

/** Input of `decide`. */
export const decideInput = z
  .object({
    data: z.json().describe('The value the rules test; `$` in each condition.'),
    rules: z
      .array(
        z
          .object({
            when: z
              .string()
              .min(1)
              .max(2_000)
              .meta({ 'x-weft-syntax': 'jsonata' })
              .describe('A JSONata condition that evaluates to true or false, e.g. `total > 1000 and priority = "high"`. Regexes use RE2 syntax.'),
            outcome: z.string().min(1).describe('The outcome when this rule is the first to match; one of `outcomes`.'),
          })
          .strict(),
      )
      .max(100)
      .describe('Tested in order; the first rule whose condition is true decides. No match, or null, counts as false.'),
    default: z.string().min(1).describe('The outcome when no rule matches; one of `outcomes`.'),
    outcomes: z
      .array(z.string().min(1))
      .min(1)
      .max(50)
      .describe('Every outcome this decision may produce; downstream steps branch on these.'),
  })
  .strict();

/** Output of `decide`. */
export const decideOutput = z.object({
  outcome: z.string().describe('The chosen outcome, one of the declared `outcomes`.'),
  matched_rule: z.number().int().nullable().describe('Index of the rule that decided, or null when the default did.'),
});

/** What `decide` takes, as parsed. */
export type DecideInput = z.infer<typeof decideInput>;
/** What `decide` returns. */
export type DecideOutput = z.infer<typeof decideOutput>;

const errors = declareErrorModes({
  DECIDE_OUTCOME_UNDECLARED: {
    retryable: false,
    description: 'A rule outcome or the default is not one of the declared outcomes.',
  },
  DECIDE_RULE_INVALID: { retryable: false, description: 'A rule condition is not valid JSONata.' },
  DECIDE_RULE_FAILED: {
    retryable: false,
    description: 'A rule condition failed on this data, or returned something other than true, false or null.',
  },
  DECIDE_TIMEOUT: { retryable: false, description: 'The rule conditions together ran past the time limit.' },
});

function describeValue(value: JsonValue): string {
  const text = JSON.stringify(value);
  const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return `${kind} (${text.length > 40 ? `${text.slice(0, 40)}…` : text})`;
}

/**
 * Chooses an outcome: checks that every outcome is declared and every condition parses (reporting
 * all problems at once), then tests the rules in order within one shared time limit.
 */
export async function decideOutcome(input: DecideInput, limits: JsonataLimits = DEFAULT_JSONATA_LIMITS): Promise<DecideOutput> {
  const declared = new Set(input.outcomes);
  const undeclared = [
    ...input.rules.flatMap((r, i) => (declared.has(r.outcome) ? [] : [`rules[${i}].outcome '${r.outcome}'`])),
    ...(declared.has(input.default) ? [] : [`default '${input.default}'`]),
  ];
  if (undeclared.length > 0) {
    throw errors.fail(
      'DECIDE_OUTCOME_UNDECLARED',
      `Decision uses outcomes it does not declare: ${undeclared.join(', ')}. ` +
        `Use one of the declared outcomes (${listChoices(input.outcomes)}), or add them to \`outcomes\`.`,
      { undeclared },
    );
  }

  const syntax = input.rules.flatMap((rule, i) => {
    try {
      compileJsonata(rule.when, limits);
      return [];
    } catch (err) {
      const problem = err instanceof JsonataProblem ? err : new JsonataProblem('syntax', `does not parse: ${String(err)}`);
      return [{ index: i, message: jsonataMessage(`Rule ${i} condition`, problem, 'Fix the JSONata syntax.'), info: problem.info }];
    }
  });
  if (syntax.length > 0) {
    throw errors.fail(
      'DECIDE_RULE_INVALID',
      `${syntax.length} of ${input.rules.length} rule conditions do not parse:\n${syntax.map((s) => s.message).join('\n')}`,
      { rules: syntax.map(({ index, info }) => ({ index, ...info })) },
    );
  }

  // One time limit for the whole decision: a long rule list must not multiply it.
  const deadline = Date.now() + limits.timeoutMs;
  for (const [i, rule] of input.rules.entries()) {
    const remaining = deadline - Date.now();
    let value: JsonValue;
    try {
      if (remaining <= 0) throw new JsonataProblem('timeout', `was not reached within ${limits.timeoutMs} ms`);
      value = await evaluateJsonata(rule.when, input.data, { limits: { ...limits, timeoutMs: remaining } });
    } catch (err) {
      const problem = err instanceof JsonataProblem ? err : new JsonataProblem('evaluation', `failed: ${String(err)}`);
      if (problem.kind === 'timeout') {
        throw errors.fail(
          'DECIDE_TIMEOUT',
          jsonataMessage(`Rule ${i} condition`, problem, `All conditions share ${limits.timeoutMs} ms; simplify them or reduce \`data\`.`),
          { index: i, ...problem.info },
        );
      }
      throw errors.fail(
        'DECIDE_RULE_FAILED',
        jsonataMessage(`Rule ${i} condition`, problem, 'Check the condition against the shape of `data`.'),
        { index: i, ...problem.info },
      );
    }
    if (value === true) return { outcome: rule.outcome, matched_rule: i };
    if (value !== false && value !== null) {
      throw errors.fail(
        'DECIDE_RULE_FAILED',
        `Rule ${i} condition \`${rule.when}\` returned ${describeValue(value)}, not true or false. ` +
          'Compare explicitly (e.g. `status = "paid"`) or wrap the expression in `$boolean(...)`.',
        { index: i },
      );
    }
  }
  return { outcome: input.default, matched_rule: null };
}

/** The one step of `decide`: `decideOutcome` within `limits`. */
function applyRules(limits: JsonataLimits) {
  return decidePrimitive({
    name: 'apply_rules',
    input: decideInput,
    output: decideOutput,
    errorModes: errors.modes,
    run: (input) => decideOutcome(input, limits),
  });
}

/**
 * Creates the `decide` handler with the given JSONata limits (the worker chooses them): a
 * composition of one `decide` primitive.
 */
export function createDecideHandler(limits: Partial<JsonataLimits> = {}): Handler<DecideInput, DecideOutput> {
  const resolved: JsonataLimits = { ...DEFAULT_JSONATA_LIMITS, ...limits };
  return compose('decide', { description: 'Chooses one of the declared outcomes with ordered JSONata rules and a default.', category: 'control' })
    .then(applyRules(resolved))
    .build();
}

/** The `decide` handler with the default limits (1 s for all rules together). */
export const decide = createDecideHandler();
