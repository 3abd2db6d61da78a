/**
 * The Claude planner against the loopback Messages API server (test/support/anthropic-server.ts)
 * and the simulated model of the eval tests (test/support/simulated-planner-model.ts), through the
 * real SDK:
 *
 * 1. Prompt caching on vs off, tokens billed by class and cost (claude-sonnet-4-6 prices):
 *    - the order-triage re-plan: one problem whose first fragment is rejected (tier 1: the model
 *      guesses an input name) and repaired from the diagnostics on the second attempt;
 *    - a batch of 10 tasks of order-triage (the 8 shipped problems, then the first 2 again as new
 *      tasks), at tier 2 and at `auto`, one planner for the batch as on one worker.
 *    Usage comes from the test server's cache accounting (4 bytes a token, a prefix cache keyed by
 *    bytes, 1,024-token minimum, the output format's schema counted as prompt): real savings depend
 *    on the provider's cache behaviour (its tokenizer, minimums, eviction, and routing).
 * 2. `weft eval` with constrained output on (`structured`) and off (`tool`): the malformed-fragment
 *    rate per tier. The simulated model slips at the schema level only when unconstrained, so this
 *    pins what the eval measures, not how Claude does.
 *
 * Prints tables and writes bench/results/planner-api.json.
 *
 *   npx tsx bench/planner-api.bench.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { remaining } from '../src/core/budget.js';
import { validateFragment } from '../src/core/validator/index.js';
import { loadSuite, prepareSuite, runEval, type PreparedProblem } from '../src/eval/index.js';
import { anthropicPlanner, type AnthropicPlannerOptions } from '../src/planner/anthropic.js';
import type { FailedAttempt, PlanningRequest } from '../src/planner/types.js';
import { addUsage, NO_USAGE, type TokenUsage } from '../src/planner/usage.js';
import { loadRegistry } from '../src/registry.js';
import { startAnthropicServer } from '../test/support/anthropic-server.js';
import { simulatedModel } from '../test/support/simulated-planner-model.js';

const MODEL = 'claude-sonnet-4-6';

/** The simulated model's answers, with input usage left to the server's cache accounting. */
const server = await startAnthropicServer([], {
  responder: (body) => {
    const r = simulatedModel(body);
    return { ...r, usage: { output_tokens: r.usage?.output_tokens ?? 1 } };
  },
});
const scripted = await startAnthropicServer([], { responder: simulatedModel });
const registry = (await loadRegistry(undefined, {})).registry;
const suite = await loadSuite();

const planner = (options: AnthropicPlannerOptions) => anthropicPlanner({ apiKey: 'bench', baseURL: server.baseURL, model: MODEL, env: {}, maxRetries: 0, timeoutMs: 10_000, ...options });

interface Run {
  readonly scenario: string;
  readonly caching: 'on' | 'off';
  readonly calls: number;
  readonly usage: TokenUsage;
  readonly costUsd: number;
}

/** Plans one task as the workflow does: attempts until valid or the limit, diagnostics fed back. */
async function planTask(p: PreparedProblem, plan: ReturnType<typeof planner>, taskId: string): Promise<{ usage: TokenUsage; costUsd: number; calls: number }> {
  const failures: FailedAttempt[] = [];
  let usage = NO_USAGE;
  let costUsd = 0;
  let calls = 0;
  for (let attempt = 1; attempt <= p.maxAttempts; attempt++) {
    const request: PlanningRequest = { ...p.base, taskId, attempt, constraints: { ...p.base.constraints, remaining: remaining(p.ledger, 0) }, failures: [...failures] };
    const result = await plan.plan(request, new AbortController().signal);
    usage = addUsage(usage, result.usage ?? NO_USAGE);
    costUsd += result.costUsd;
    calls += result.llmCalls;
    const v = validateFragment(result.output, p.context);
    if (v.ok) break;
    failures.push({ attempt, diagnostics: v.diagnostics, rejected: result.output });
  }
  return { usage, costUsd, calls };
}

async function scenario(name: string, tier: 1 | 2 | 'auto', tasks: readonly PreparedProblem[]): Promise<Run[]> {
  const runs: Run[] = [];
  for (const caching of ['off', 'on'] as const) {
    server.cache.clear();
    const plan = planner({ tier, promptCaching: caching === 'on' ? '5m' : 'off' });
    let total = { usage: NO_USAGE, costUsd: 0, calls: 0 };
    for (const [i, p] of tasks.entries()) {
      const t = await planTask(p, plan, `bench-${i + 1}`);
      total = { usage: addUsage(total.usage, t.usage), costUsd: total.costUsd + t.costUsd, calls: total.calls + t.calls };
    }
    runs.push({ scenario: name, caching, ...total });
  }
  return runs;
}

const prepared = prepareSuite(registry, suite);
const byId = new Map(prepared.map((p) => [p.problem.id, p]));
const batch = [...prepared, prepared[0]!, prepared[1]!];
const runs = [
  ...(await scenario('order-triage re-plan (status-counts, tier 1: rejected, then repaired)', 1, [byId.get('status-counts')!])),
  ...(await scenario('10 order-triage tasks, tier 2', 2, batch)),
  ...(await scenario('10 order-triage tasks, tier auto', 'auto', batch)),
];

const usd = (n: number) => `$${n.toFixed(6)}`;
console.log('Prompt caching (test server accounting; claude-sonnet-4-6: $3 input, $3.75 cache write 5m, $0.30 cache read, $15 output per MTok)\n');
console.log('| scenario | caching | calls | input | cache write 5m | cache read | output | cost | saving |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of runs) {
  const off = runs.find((o) => o.scenario === r.scenario && o.caching === 'off')!;
  const saving = r.caching === 'on' ? `${(((off.costUsd - r.costUsd) / off.costUsd) * 100).toFixed(1)}%` : '';
  console.log(`| ${r.scenario} | ${r.caching} | ${r.calls} | ${r.usage.input} | ${r.usage.cacheWrite5m} | ${r.usage.cacheRead} | ${r.usage.output} | ${usd(r.costUsd)} | ${saving} |`);
}

// 2. The eval's malformed rate, constrained output on and off (scripted usage, as in the eval test).
const evals = [];
for (const output of ['structured', 'tool'] as const) {
  const report = await runEval({
    registry,
    suite,
    planner: (tier) => anthropicPlanner({ tier, output, apiKey: 'bench', baseURL: scripted.baseURL, model: MODEL, env: {}, maxRetries: 0, timeoutMs: 10_000 }),
  });
  evals.push({ output, tiers: report.tiers.map((t) => ({ tier: t.tier, malformed: t.malformed, validFirstTry: t.validFirstTry, validAfterRepair: t.validAfterRepair, meanAttempts: t.meanAttempts })) });
}
console.log('\nweft eval, malformed fragments per tier (simulated model; attempts rejected as FRAGMENT_MALFORMED)\n');
console.log('| output | tier | malformed | valid 1st try | valid after repair | mean attempts |');
console.log('|---|---|---|---|---|---|');
for (const e of evals) {
  for (const t of e.tiers) {
    console.log(`| ${e.output} | ${t.tier} | ${t.malformed.count}/${t.malformed.of} (${t.malformed.percent}%) | ${t.validFirstTry.count}/${t.validFirstTry.of} | ${t.validAfterRepair.count}/${t.validAfterRepair.of} | ${t.meanAttempts.toFixed(2)} |`);
  }
}

await Promise.all([server.close(), scripted.close()]);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL('./results/planner-api.json', import.meta.url),
  `${JSON.stringify({ bench: 'planner-api', model: MODEL, accounting: 'test server: 4 bytes a token, prefix cache keyed by bytes, 1024-token minimum', caching: runs, eval: evals }, null, 2)}\n`,
);
