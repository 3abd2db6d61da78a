/**
 * Fragment validation speed: valid fragments of 100, 1,000 and 10,000 steps shaped like real
 * plans — a layered DAG where each step depends on one or two steps of the layer before and
 * reads their outputs through exact references (type-checked against the consumer's input
 * schema) and interpolated text. Reports median and p99 of `validateFragment`, for the parsed
 * value (a tool call's input) and for JSON text, and writes bench/results/validator.json.
 *
 *   npx tsx bench/validator.bench.ts
 *
 * Target: p99 ≤ 5 ms at 1,000 steps.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Fragment, FragmentStep } from '../src/core/fragment.js';
import type { HandlerManifest, HandlerManifestEntry } from '../src/core/manifest.js';
import type { ValidationContext } from '../src/core/validation.js';
import { validateFragment } from '../src/core/validator/index.js';
import { toJsonSchema } from '../src/handler.js';

const Item = z.object({
  id: z.string(),
  sku: z.string(),
  qty: z.number().int().min(0).max(10_000),
  price: z.number().nonnegative(),
  status: z.enum(['new', 'paid', 'shipped', 'void']),
  note: z.string().nullable(),
  tags: z.array(z.string()).optional(),
});
const Batch = z.object({ items: z.array(Item), count: z.number().int(), meta: z.record(z.string(), z.string()), raw: z.json() });

function entry(name: string, input: z.ZodType, cost = 0): HandlerManifestEntry {
  return {
    name,
    description: `${name} (bench)`,
    category: 'data',
    mutating: false,
    inputSchema: toJsonSchema(input, 'input'),
    outputSchema: toJsonSchema(Batch, 'output'),
    errorModes: [],
    estimatedCostUsd: cost,
  };
}

const catalog: HandlerManifest = {
  load: entry('load', z.object({ source: z.string(), limit: z.number().int().min(1).max(1000), region: z.string().optional() })),
  enrich: entry('enrich', z.object({ items: z.array(Item), fields: z.array(z.enum(['geo', 'risk', 'tier'])), label: z.string().optional() })),
  filter: entry('filter', z.object({ items: z.array(Item.pick({ id: true, qty: true, status: true })), min_qty: z.number().int().min(0), tag: z.string().nullable().optional() })),
  merge: entry('merge', z.object({ left: z.array(Item), right: z.array(Item), key: z.enum(['id', 'sku']) })),
  annotate: entry('annotate', z.object({ items: z.array(Item), text: z.string().max(2000), options: z.object({ ids: z.array(z.string()), dry_run: z.boolean() }).partial() }), 0.0001),
};

/** A tiny deterministic generator, so every run benchmarks the same fragments. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function buildFragment(steps: number): Fragment {
  const rand = lcg(steps);
  const width = Math.max(10, Math.round(Math.sqrt(steps) * 1.5));
  const out: FragmentStep[] = [];
  let previous: string[] = [];
  for (let layer = 0; out.length < steps; layer++) {
    const current: string[] = [];
    for (let k = 0; k < width && out.length < steps; k++) {
      const name = `s${layer}_${k}`;
      current.push(name);
      if (layer === 0) {
        out.push({ name, handler: 'load', reasoning: 'Load a partition of the orders.', dependencies: [], inputs: { source: `orders/${k}`, limit: 500, region: '${task.input.region}' } });
        continue;
      }
      const a = previous[Math.floor(rand() * previous.length)] as string;
      const b = previous[Math.floor(rand() * previous.length)] as string;
      const roll = rand();
      if (roll < 0.3 && a !== b) {
        out.push({ name, handler: 'merge', reasoning: 'Join two partitions.', dependencies: [a, b], inputs: { left: `\${steps.${a}.output.items}`, right: `\${steps.${b}.output.items}`, key: 'id' } });
      } else if (roll < 0.55) {
        out.push({ name, handler: 'enrich', reasoning: 'Add risk data.', dependencies: [a], inputs: { items: `\${steps.${a}.output.items}`, fields: ['geo', 'risk'], label: `layer ${layer} from \${steps.${a}.output.meta.source}` } });
      } else if (roll < 0.8) {
        out.push({ name, handler: 'filter', reasoning: 'Keep real orders.', dependencies: [a], inputs: { items: `\${steps.${a}.output.items}`, min_qty: 1, tag: null } });
      } else {
        out.push({
          name,
          handler: 'annotate',
          reasoning: 'Note the batch.',
          dependencies: a === b ? [a] : [a, b],
          inputs: {
            items: `\${steps.${a}.output.items}`,
            text: `Batch of \${steps.${a}.output.count} orders, first \${steps.${b}.output.items[0].id} (\${steps.${b}.output.items[0].status})`,
            options: { ids: [`\${steps.${b}.output.items[0].sku}`, 'fixed'], dry_run: false },
          },
        });
      }
    }
    previous = current;
  }
  return { fragment_version: '1', goal: `Process orders in ${steps} steps.`, reasoning: 'Layered plan for the benchmark.', steps: out, next: 'done' };
}

function contextFor(steps: number): ValidationContext {
  return {
    planningStep: 'plan',
    allowedHandlers: Object.keys(catalog),
    maxSteps: steps,
    maxDepth: steps,
    maxFragmentBytes: 64 * 1024 * 1024,
    catalog,
    taskInputSchema: toJsonSchema(z.object({ region: z.string() }), 'input'),
    knownSteps: {},
    remaining: { steps, phases: 1, costUsd: 100 },
  };
}

interface Stats {
  readonly iterations: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

function measure(run: () => void, warmup: number, iterations: number): Stats {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] as number;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return { iterations, medianMs: round(at(0.5)), p99Ms: round(at(0.99)), minMs: round(times[0] as number), maxMs: round(times[times.length - 1] as number) };
}

const plan = [
  { steps: 100, warmup: 200, iterations: 2000 },
  { steps: 1_000, warmup: 50, iterations: 500 },
  { steps: 10_000, warmup: 5, iterations: 50 },
];

const results: Record<string, unknown> = {};
for (const { steps, warmup, iterations } of plan) {
  const fragment = buildFragment(steps);
  const text = JSON.stringify(fragment);
  const ctx = contextFor(steps);
  const check = validateFragment(fragment, ctx);
  if (!check.ok) throw new Error(`bench fragment of ${steps} steps is invalid: ${JSON.stringify(check.diagnostics.slice(0, 3), null, 2)}`);
  const references = (text.match(/\$\{/g) ?? []).length;
  const value = measure(() => validateFragment(fragment, ctx), warmup, iterations);
  const json = measure(() => validateFragment(text, ctx), warmup, iterations);
  // A yardstick for comparing machines: the same fragment through JSON.parse alone.
  const parseOnly = measure(() => JSON.parse(text) as unknown, warmup, iterations);
  results[String(steps)] = { steps, references, bytes: text.length, value, text: json, jsonParseOnly: parseOnly };
  console.log(
    `${String(steps).padStart(6)} steps, ${references} refs, ${(text.length / 1024).toFixed(0)} KiB: ` +
      `value median ${value.medianMs.toFixed(3)} ms, p99 ${value.p99Ms.toFixed(3)} ms | ` +
      `text median ${json.medianMs.toFixed(3)} ms, p99 ${json.p99Ms.toFixed(3)} ms | ` +
      `JSON.parse alone median ${parseOnly.medianMs.toFixed(3)} ms`,
  );
}

const report = {
  benchmark: 'validateFragment',
  measuredAt: new Date().toISOString(),
  command: 'npx tsx bench/validator.bench.ts',
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  target: 'p99 <= 5 ms at 1,000 steps',
  results,
};
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL('./results/validator.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log('wrote bench/results/validator.json');
