/**
 * Writes weft's Grafana dashboards from their TypeScript definitions
 * (src/telemetry/dashboards/weft.ts) into observability/dashboards/:
 *
 *   npm run dashboards
 *
 * test/unit/dashboards.test.ts fails while a committed file is stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { DASHBOARDS, dashboardFile } from '../src/telemetry/dashboards/weft.js';

const dir = new URL('../observability/dashboards/', import.meta.url);
await mkdir(dir, { recursive: true });
for (const { file, spec } of DASHBOARDS) {
  const path = new URL(file, dir);
  const text = dashboardFile(spec);
  const before = await readFile(path, 'utf8').catch(() => null);
  if (before === text) console.log(`${file}: current`);
  else {
    await writeFile(path, text);
    console.log(`${file}: written (${spec.panels.length} panels)`);
  }
}
