/**
 * Fan-out at scale on a dev server: 1,000 items through `fan_out` to a handler that returns at
 * once, at several partition sizes and concurrencies, alternating configurations in one process.
 * Reports, per configuration, the median time of the fan-out step (first child scheduled to last
 * result), the time per child, and the run's history (events and bytes) against Temporal's
 * 51,200-event and 50 MB limits.
 *
 *   npx tsx bench/fan-out.bench.ts [--runs 3]
 *
 * Starts its own dev server from the cached Temporal CLI (./temporal-dev.sh build first).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { scriptedPlanner } from '../src/planner/scripted.js';
import { startDevServerEnv } from '../test/support/environments.js';
import { bundle, fragment, runTask, step, testTemplate } from '../test/support/engine.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const ITEMS = 1_000;
const CONFIGS = [
  { partitionSize: 1, concurrency: 20 },
  { partitionSize: 1, concurrency: 100 },
  { partitionSize: 10, concurrency: 20 },
] as const;

interface Sample {
  readonly fanOutMs: number;
  readonly events: number;
  readonly historyBytes: number;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const env = await startDevServerEnv();
const workflowBundle = await bundle();
const samples = new Map<string, Sample[]>();
try {
  for (let run = 0; run < RUNS; run++) {
    for (const c of CONFIGS) {
      const key = `size ${c.partitionSize}, concurrency ${c.concurrency}`;
      const outcome = await runTask({
        env,
        workflowBundle,
        template: testTemplate({}, { maxSteps: ITEMS + 20 }),
        planner: scriptedPlanner(() =>
          fragment([
            step('make', 'make_rows', { count: ITEMS }),
            step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: c.partitionSize, concurrency: c.concurrency }, ['make']),
          ]),
        ),
        detailsOf: () => [],
      });
      if (outcome.error) throw outcome.error;
      const fan = outcome.steps.find((s) => s.name === 'fan')!;
      // Temporal's own measure of the history (protobuf bytes), the one its 50 MB limit applies to.
      const described = await outcome.handle.describe();
      const sample = { fanOutMs: fan.finishedAtMs! - fan.startedAtMs!, events: described.historyLength, historyBytes: described.historySize ?? NaN };
      samples.set(key, [...(samples.get(key) ?? []), sample]);
      console.log(`run ${run + 1}/${RUNS} ${key}: ${sample.fanOutMs} ms, ${sample.events} events`);
    }
  }
} finally {
  await env.teardown();
}

const rows = CONFIGS.map((c) => {
  const key = `size ${c.partitionSize}, concurrency ${c.concurrency}`;
  const s = samples.get(key)!;
  const children = Math.ceil(ITEMS / c.partitionSize);
  const ms = median(s.map((x) => x.fanOutMs));
  return { key, children, ms, perChildMs: ms / children, events: median(s.map((x) => x.events)), historyKb: median(s.map((x) => x.historyBytes)) / 1024 };
});
console.log(`\nfan_out of ${ITEMS} items, median of ${RUNS} runs:`);
console.log('| configuration | children | fan-out step | per child | history events | history size |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.key} | ${r.children} | ${(r.ms / 1000).toFixed(2)} s | ${r.perChildMs.toFixed(1)} ms | ${r.events} | ${r.historyKb.toFixed(0)} KB |`);
}
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL('./results/fan-out.json', import.meta.url), JSON.stringify({ items: ITEMS, runs: RUNS, rows }, null, 2) + '\n');
