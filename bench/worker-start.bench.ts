/**
 * Worker start time: what `createWeftWorker` costs with the workflow code bundled at start (what an
 * installed weft did before issue 12: webpack over `dist/workflows/index.js`) against loading the
 * bundle the build wrote (`dist/workflow-bundle.js`), including the check that it was built from
 * the code beside it. Alternates the two in one process; reports medians and their ratio.
 *
 *   npm run build && npx tsx bench/worker-start.bench.ts [--runs 5]
 *
 * Starts its own dev server from the cached Temporal CLI (./temporal-dev.sh build first).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { bundlerOptions } from '../src/bundler.js';
import { packageRoot, packageVersion } from '../src/package-root.js';
import { checkPrebuiltBundle } from '../src/prebuilt-bundle.js';
import { missingPlanner } from '../src/planner/missing.js';
import { startDevServerEnv } from '../test/support/environments.js';
import { testHandlers } from '../test/support/test-handlers.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const dist = join(packageRoot(), 'dist');
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const env = await startDevServerEnv();
const activities = createActivities({ handlers: testHandlers, templates: [], planner: missingPlanner('bench') });
const create = (source: object) => Worker.create({ connection: env.nativeConnection, taskQueue: `bench-${Math.random()}`, activities, ...source });

const bundling: number[] = [];
const prebuilt: number[] = [];
const checks: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    await create({ workflowsPath: join(dist, 'workflows', 'index.js'), bundlerOptions });
    bundling.push(performance.now() - t);
    t = performance.now();
    const status = checkPrebuiltBundle(dist, packageVersion());
    checks.push(performance.now() - t);
    if (status.codePath === undefined) throw new Error(`no usable prebuilt bundle: ${status.reason} (npm run build first)`);
    await create({ workflowBundle: { codePath: status.codePath } });
    prebuilt.push(performance.now() - t);
    process.stdout.write(`run ${run + 1}: bundling ${bundling.at(-1)!.toFixed(0)} ms, prebuilt ${prebuilt.at(-1)!.toFixed(0)} ms (check ${checks.at(-1)!.toFixed(0)} ms)\n`);
  }
} finally {
  await env.teardown();
}
const result = {
  runs: RUNS,
  bundlingMedianMs: Math.round(median(bundling)),
  prebuiltMedianMs: Math.round(median(prebuilt)),
  prebuiltCheckMedianMs: Math.round(median(checks)),
  ratio: Number((median(bundling) / median(prebuilt)).toFixed(1)),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL('results/worker-start.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
