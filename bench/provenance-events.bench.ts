/**
 * History cost of provenance: events and bytes per step of one task on a dev server, and how many
 * of them are memo and search-attribute upserts (each a history event). Three shapes:
 *
 *   - a planned fragment of 200 independent free steps (`add`),
 *   - a planned fragment of 200 independent priced steps (`priced`, $0.001 each: every step
 *     charges the budget, which the memo and `WeftCostUsd` show),
 *   - a fan-out of 1,000 one-item partitions (`batch_echo`).
 *
 * Reports Temporal's own `historyLength` and `historySizeBytes` per step, and the upserts: memo,
 * search attributes (all, and weft's own: the rest are the `TemporalChangeVersion` upserts that
 * record patches, one per patch a run meets first).
 *
 *   npx tsx bench/provenance-events.bench.ts
 *
 * Starts its own dev server from the cached Temporal CLI (./temporal-dev.sh build first).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { scriptedPlanner } from '../src/planner/scripted.js';
import { startDevServerEnv } from '../test/support/environments.js';
import { bundle, fragment, runTask, step, testTemplate } from '../test/support/engine.js';
import { priced, testHandlers } from '../test/support/test-handlers.js';
import type { Fragment } from '../src/core/fragment.js';

const STEPS = 200;
const ITEMS = 1_000;

const many = (handler: string): Fragment =>
  fragment(Array.from({ length: STEPS }, (_, i) => step(`s${i}`, handler, { values: [i, 1] })));

const shapes = [
  { name: `fragment of ${STEPS} free steps`, steps: STEPS, planner: () => many('add') },
  { name: `fragment of ${STEPS} priced steps`, steps: STEPS, planner: () => many('priced') },
  {
    name: `fan-out of ${ITEMS} partitions`,
    steps: ITEMS,
    planner: () =>
      fragment([
        step('make', 'make_rows', { count: ITEMS }),
        step('fan', 'fan_out', { items: '${steps.make.output.rows}', handler: 'batch_echo', partition_size: 1, concurrency: 20, with: { ms: 0 } }, ['make']),
      ]),
  },
];

const env = await startDevServerEnv();
const workflowBundle = await bundle();
const rows: Record<string, unknown>[] = [];
try {
  for (const shape of shapes) {
    const started = Date.now();
    const outcome = await runTask({
      env,
      workflowBundle,
      handlers: [...testHandlers, priced],
      template: testTemplate(
        { maxSteps: STEPS, concurrency: 20, allow: { handlers: ['add', 'priced', 'make_rows', 'fan_out', 'batch_echo'] } },
        { maxSteps: ITEMS + 50, maxCostUsd: 100 },
      ),
      planner: scriptedPlanner(shape.planner),
      detailsOf: () => [],
    });
    if (outcome.error) throw new Error(`${shape.name}: ${JSON.stringify(outcome.error)}`);
    const events = (await outcome.handle.fetchHistory()).events ?? [];
    const info = await outcome.handle.describe();
    const memo = events.filter((e) => e.workflowPropertiesModifiedEventAttributes).length;
    const upserts = events.flatMap((e) => (e.upsertWorkflowSearchAttributesEventAttributes ? [Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {})] : []));
    const attrs = upserts.length;
    // Temporal's own `TemporalChangeVersion` upserts record patches: one per patch a run first meets.
    const weftAttrs = upserts.filter((keys) => keys.some((k) => k.startsWith('Weft'))).length;
    const row = {
      shape: shape.name,
      steps: shape.steps,
      historyLength: info.historyLength,
      historySizeBytes: info.historySize ?? 0,
      eventsPerStep: Number((info.historyLength / shape.steps).toFixed(2)),
      bytesPerStep: Math.round((info.historySize ?? 0) / shape.steps),
      memoUpserts: memo,
      searchAttributeUpserts: attrs,
      weftSearchAttributeUpserts: weftAttrs,
      upsertsPerStep: Number(((memo + attrs) / shape.steps).toFixed(3)),
      seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
    };
    rows.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
} finally {
  await env.teardown();
}
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL('results/provenance-events.json', import.meta.url), `${JSON.stringify(rows, null, 2)}\n`);
process.exit(0);
