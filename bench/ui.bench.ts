/**
 * `weft ui` at scale: a 1,000-step task (a frame, a 10-step fragment, a fan-out of 990 children)
 * rendered as its page — server side (the history view laid out with dagre, fan-out collapsed, to
 * HTML) and in a real headless Chromium (the HTML loaded and painted) — against the 2 s target.
 * For comparison, the same number of planned steps with no fan-out to collapse, smaller (dagre's
 * cost grows much faster than linearly; a random 1,000-node DAG takes it tens of seconds).
 *
 *   npx tsx bench/ui.bench.ts [--runs 5] [--uncollapsed 300]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TEMPLATE_PROVENANCE, newStepRecord, type Provenance } from '../src/core/steps.js';
import type { StepView, TaskView } from '../src/history/task-view.js';
import { taskPage } from '../src/ui/html.js';
import { launchBrowser } from '../test/support/browser.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, uncollapsed: { type: 'string', default: '300' } } });
const RUNS = Number(values.runs);
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function stepView(name: string, kind: 'static' | 'planning' | 'convergence' | 'planned', deps: string[], provenance: Provenance, spawnedBy: string | null = null): StepView {
  const record = { ...newStepRecord({ name, kind, handler: kind === 'planning' ? null : 'transform', dependencies: deps, provenance }), spawnedBy, state: 'completed' as const, executions: 1, startedAtMs: 0, finishedAtMs: 10 };
  return { record, input: { data: name }, output: { ok: true }, executions: [], planningMs: kind === 'planning' ? 5 : null, parkedSinceMs: null };
}

/** A task view of `planned` planned steps (a random DAG, each with 1–2 earlier dependencies) plus a fan-out of `children`. */
function task(planned: number, children: number): TaskView {
  const prov = (i: number): Provenance => ({ createdBy: 'planning_step', planningStep: 'plan', fragmentId: 'plan:p1:bench', planningPhase: 1, planningReasoning: `step ${i}` });
  const steps: StepView[] = [stepView('load', 'static', [], TEMPLATE_PROVENANCE), stepView('plan', 'planning', ['load'], TEMPLATE_PROVENANCE)];
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const names: string[] = [];
  for (let i = 0; i < planned; i++) {
    const deps = i === 0 ? ['load'] : [...new Set([names[rand(i)]!, names[rand(i)]!])];
    const name = i === planned - 1 && children > 0 ? 'fan' : `s${i}`;
    names.push(name);
    steps.push(stepView(name, 'planned', deps, prov(i)));
  }
  for (let c = 0; c < children; c++) steps.push(stepView(`fan[${c}]`, 'planned', [], { ...prov(c), createdBy: 'batch_spawn' }, 'fan'));
  steps.push(stepView('converge', 'convergence', ['plan'], TEMPLATE_PROVENANCE));
  return {
    workflowId: 'bench',
    runId: 'r',
    runIds: ['r'],
    slices: [],
    taskQueue: 'q',
    status: 'COMPLETED',
    state: 'completed',
    plan: null,
    input: null,
    steps,
    planning: [],
    budget: null,
    result: null,
    failure: null,
    startedAtMs: 0,
    closedAtMs: 10,
  };
}

const cases = [
  { key: '1,000 steps: 10 planned, a fan-out of 990 children (collapsed)', view: task(10, 990) },
  { key: `${values.uncollapsed} planned steps, nothing to collapse`, view: task(Number(values.uncollapsed), 0) },
];
const browser = await launchBrowser();
const rows: { key: string; steps: number; serverMs: number; browserMs: number; totalMs: number; htmlKb: number }[] = [];
try {
  const page = await browser.newPage();
  for (const c of cases) {
    const server: number[] = [];
    const painted: number[] = [];
    let html = '';
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      html = taskPage(c.view, 'http://127.0.0.1:8233');
      const t1 = performance.now();
      await page.setContent(html, { waitUntil: 'load' });
      // Two animation frames: the SVG has been laid out and painted.
      await page.evaluate(() => new Promise((resolve) => { const w = globalThis as unknown as { requestAnimationFrame(cb: () => void): void }; w.requestAnimationFrame(() => w.requestAnimationFrame(() => resolve(null))); }));
      const t2 = performance.now();
      server.push(t1 - t0);
      painted.push(t2 - t1);
    }
    const row = { key: c.key, steps: c.view.steps.length, serverMs: Math.round(median(server)), browserMs: Math.round(median(painted)), totalMs: Math.round(median(server.map((s, i) => s + painted[i]!))), htmlKb: Math.round(html.length / 1024) };
    rows.push(row);
    console.log(`${row.key}: server ${row.serverMs} ms + browser ${row.browserMs} ms = ${row.totalMs} ms (median of ${RUNS}; ${row.htmlKb} KB of HTML)`);
  }
} finally {
  await browser.close();
}
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL('./results/ui.json', import.meta.url), JSON.stringify({ runs: RUNS, targetMs: 2000, rows }, null, 2) + '\n');
