/**
 * Worker start time: what `createWeftWorker` costs with the workflow code bundled at start (what an
 * installed weft did before issue 12: webpack over `dist/workflows/index.js`) against loading the
 * bundle the build wrote (`dist/workflow-bundle.js`), including the check that it was built from
 * the code beside it. Each start is a fresh process (a restarted worker: nothing cached in
 * memory), the two alternating in one run; reports medians and their ratio, for `Worker.create`
 * and for the whole process up to a created worker.
 *
 *   npm run build && npx tsx bench/worker-start.bench.ts [--runs 5]
 *
 * Starts its own dev server from the cached Temporal CLI (./temporal-dev.sh build first).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, child: { type: 'string' }, address: { type: 'string' } } });
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

if (values.child) {
  // One worker start, in this fresh process.
  const { NativeConnection, Worker } = await import('@temporalio/worker');
  const { createActivities } = await import('../activities/index.js');
  const { bundlerOptions } = await import('../src/bundler.js');
  const { packageRoot, packageVersion } = await import('../src/package-root.js');
  const { checkPrebuiltBundle } = await import('../src/prebuilt-bundle.js');
  const { missingPlanner } = await import('../src/planner/missing.js');
  const { testHandlers } = await import('../test/support/test-handlers.js');
  const dist = join(packageRoot(), 'dist');
  const connection = await NativeConnection.connect({ address: values.address! });
  const activities = createActivities({ handlers: testHandlers, templates: [], planner: missingPlanner('bench') });
  const t = performance.now();
  let source: object;
  if (values.child === 'prebuilt') {
    const status = checkPrebuiltBundle(dist, packageVersion());
    if (status.codePath === undefined) throw new Error(`no usable prebuilt bundle: ${status.reason} (npm run build first)`);
    source = { workflowBundle: { codePath: status.codePath } };
  } else {
    source = { workflowsPath: join(dist, 'workflows', 'index.js'), bundlerOptions };
  }
  await Worker.create({ connection, taskQueue: `bench-${process.pid}`, activities, ...source });
  const end = performance.now();
  process.stdout.write(`${JSON.stringify({ createMs: end - t, processMs: end })}\n`);
  process.exit(0);
}

const RUNS = Number(values.runs);
const { startDevServerEnv } = await import('../test/support/environments.js');
const env = await startDevServerEnv();
const samples = { bundling: [] as { createMs: number; processMs: number }[], prebuilt: [] as { createMs: number; processMs: number }[] };
try {
  for (let run = 0; run < RUNS; run++) {
    for (const mode of ['bundling', 'prebuilt'] as const) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, '--address', env.address], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const s = JSON.parse(out.trim().split('\n').at(-1)!) as { createMs: number; processMs: number };
      samples[mode].push(s);
      process.stdout.write(`run ${run + 1} ${mode}: Worker.create ${s.createMs.toFixed(0)} ms, process ${s.processMs.toFixed(0)} ms\n`);
    }
  }
} finally {
  await env.teardown();
}
const m = (mode: 'bundling' | 'prebuilt', k: 'createMs' | 'processMs') => Math.round(median(samples[mode].map((s) => s[k])));
const result = {
  runs: RUNS,
  createMedianMs: { bundling: m('bundling', 'createMs'), prebuilt: m('prebuilt', 'createMs'), ratio: Number((m('bundling', 'createMs') / m('prebuilt', 'createMs')).toFixed(1)) },
  processMedianMs: { bundling: m('bundling', 'processMs'), prebuilt: m('prebuilt', 'processMs'), ratio: Number((m('bundling', 'processMs') / m('prebuilt', 'processMs')).toFixed(1)) },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL('results/worker-start.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
