/**
 * The long fuzz run of the validator, outside the default test run (the property tests in
 * test/unit/validator-properties.test.ts are its fast, seeded subset):
 *
 *   npx tsx scripts/fuzz-validator.ts [count=100000] [seed=1]
 *
 * Mutates the example fragment `count` times (1–3 seeded edits each: replaced nodes, deleted or
 * added keys, renamed or reordered steps, extra dependencies, references good and bad, deep and
 * odd values), validates each as a value and as JSON text, and counts: throws (must be 0),
 * invalid fragments accepted by the independent oracle's judgement (must be 0), value/text
 * disagreements (must be 0), and diagnostics by code. Every 10th input also gets 2,000–20,000
 * nested arrays spliced into a literal, the shape that used to overflow the stack. Exits 1 when
 * any must-be-0 count is not.
 */
import { orderTriageFragment } from '../examples/order-triage/plan.js';
import { registry } from '../examples/registry.js';
import { fragmentContext, planningStepOf } from '../src/cli/validation-context.js';
import { validateFragment } from '../src/core/validator/index.js';
import { compileAll } from '../src/worker.js';
import { acceptedViolations, mutate, nested, rng } from '../test/support/fragment-fuzz.js';

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  console.error('usage: npx tsx scripts/fuzz-validator.ts [count=100000] [seed=1]');
  process.exit(2);
}

const [plan] = compileAll(registry.templates, registry.handlers).filter((p) => p.name === 'order-triage');
if (!plan) throw new Error('examples/registry.ts does not serve order-triage');
const ctx = fragmentContext(plan, planningStepOf(plan, 'plan_processing'), 1);

const r = rng(seed);
let throws = 0;
let accepted = 0;
let invalidAccepted = 0;
let disagreements = 0;
let deep = 0;
const codes = new Map<string, number>();
const started = Date.now();

for (let i = 0; i < count; i++) {
  let value = mutate(orderTriageFragment, r);
  if (i % 10 === 0 && typeof value === 'object' && value !== null) {
    deep++;
    value = { ...(value as Record<string, unknown>), goal: nested(2_000 + Math.floor(r() * 18_000)) };
  }
  try {
    const result = validateFragment(value, ctx);
    for (const d of result.diagnostics) codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
    if (result.ok) {
      accepted++;
      const why = acceptedViolations(result.fragment, ctx, registry.handlers);
      if (why.length > 0) {
        invalidAccepted++;
        if (invalidAccepted <= 5) console.error(`accepted but invalid (#${i}): ${why.join('; ')}`);
      }
    }
    // JSON.stringify recurses: the deep inputs are compared as values only
    if (i % 10 !== 0) {
      const text = JSON.stringify(value);
      if (text !== undefined && typeof value !== 'string') {
        const again = validateFragment(text, ctx);
        if (JSON.stringify(again.diagnostics) !== JSON.stringify(result.diagnostics)) disagreements++;
      }
    }
  } catch (err) {
    throws++;
    if (throws <= 5) console.error(`threw (#${i}): ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
}

const report = {
  fragments: count,
  seed,
  seconds: +((Date.now() - started) / 1000).toFixed(1),
  deep_inputs: deep,
  throws,
  accepted,
  invalid_accepted: invalidAccepted,
  value_text_disagreements: disagreements,
  diagnostics_by_code: Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])),
};
console.log(JSON.stringify(report, null, 2));
process.exit(throws === 0 && invalidAccepted === 0 && disagreements === 0 ? 0 : 1);
