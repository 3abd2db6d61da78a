/**
 * `weft ui` in a real headless Chromium, on a dev server with every worker stopped: the example,
 * a re-planned task parked on a failed step. Asserts what an operator must see: nodes, edges,
 * states, provenance, planned vs actual, the rejected attempt's diagnostic on its node, the task
 * list's filters, a step's layer 4 and the link into the Temporal Web UI.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import { registry } from '../../examples/registry.js';
import { localBlobStore } from '../../src/blob/store.js';
import { WeftClient } from '../../src/client.js';
import { loadConfig } from '../../src/config.js';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { startUiServer, type UiServer } from '../../src/ui/server.js';
import { createWeftWorker } from '../../src/worker.js';
import { launchBrowser } from '../support/browser.js';
import { bundle, fragment, step, testTemplate } from '../support/engine.js';
import { startDevServerEnv } from '../support/environments.js';
import { REPO_ROOT } from '../support/paths.js';
import { failTimes, testHandlers } from '../support/test-handlers.js';

let env: TestWorkflowEnvironment;
let weft: WeftClient;
let dir: string;
let server: UiServer;
let browser: Browser;
let page: Page;
const taskQueue = `ui-${randomUUID().slice(0, 8)}`;
const ids = { finished: `ui-finished-${randomUUID().slice(0, 8)}`, parked: `ui-parked-${randomUUID().slice(0, 8)}` };

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await probe();
      if (ok(v)) return v;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  // the report goes to a temporary directory: a root the in-test worker may write (WEFT_FILE_ROOTS)
  process.env['WEFT_FILE_ROOTS'] = [REPO_ROOT, tmpdir()].join(':');
  [env, browser] = await Promise.all([startDevServerEnv(), launchBrowser()]);
  dir = mkdtempSync(join(tmpdir(), 'weft-ui-'));
  const cliEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', WEFT_TASK_QUEUE: taskQueue };
  weft = new WeftClient(env.client, loadConfig(cliEnv), { env: cliEnv });
  const parks = testTemplate({ stepFailure: { onExhausted: 'park', retry: { maximumAttempts: 1 } } });
  const planner = scriptedPlanner((req) => {
    if (req.taskId !== ids.parked) return orderTriageFragment;
    return req.attempt === 1
      ? fragment([step('fetch', 'http_get', { url: 'x' })])
      : fragment([step('broken', 'flaky', { label: 'b' }), step('after', 'add', { values: [1] }, ['broken'])]);
  });
  const worker = await createWeftWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    handlers: [...registry.handlers, ...testHandlers.filter((h) => !registry.handlers.some((r) => r.name === h.name))],
    templates: [...registry.templates, parks],
    planner,
    workflowBundle: await bundle(),
    blobStore: localBlobStore(join(dir, 'blobs')),
  });
  failTimes(ids.parked, 'broken', 1000);
  await worker.runUntil(async () => {
    await weft.start('order-triage', { orders_path: join(REPO_ROOT, 'examples/order-triage/data/orders.json'), report_dir: join(dir, 'reports') }, { workflowId: ids.finished });
    await weft.start(parks.name, { n: 2 }, { workflowId: ids.parked });
    await weft.result(ids.finished);
    await until(() => weft.read(ids.parked), (v) => v.state === 'parked', 'the parked task');
  });
  // The worker is gone: the page reads history and visibility only.
  server = await startUiServer(weft, { port: 0 });
  page = await browser.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the page's elements offer (the DOM library is not in this project's TypeScript settings). */
interface El {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  readonly classList: { contains(c: string): boolean };
  querySelector(selector: string): El | null;
}

const nodes = () =>
  page.$$eval('svg#dag g.node', (gs: El[]) => gs.map((g) => ({ step: g.getAttribute('data-step'), state: g.getAttribute('data-state'), provenance: g.getAttribute('data-provenance') })));
const edges = () => page.$$eval('svg#dag path.edge', (ps: El[]) => ps.map((p) => `${p.getAttribute('data-from')}->${p.getAttribute('data-to')}:${p.classList.contains('edge-planned') ? 'planned' : 'dependency'}`));

describe('weft ui in a headless Chromium, no worker running', () => {
  it('the example: every step a node with its state and provenance, dependency and planned-by edges', async () => {
    const res = await page.goto(`${server.url}/tasks/${ids.finished}`);
    expect(res?.status()).toBe(200);
    const ns = await nodes();
    expect(ns).toHaveLength(12);
    expect(ns.every((n) => n.state === 'completed')).toBe(true);
    expect(ns.find((n) => n.step === 'load_orders')).toMatchObject({ provenance: 'template' });
    expect(ns.find((n) => n.step === 'review_decision')).toMatchObject({ provenance: 'planning_step' });
    const es = await edges();
    expect(es).toContain('load_orders->plan_processing:dependency');
    expect(es).toContain('plan_processing->summarize_results:dependency');
    expect(es).toContain('valid_orders->review_decision:dependency');
    expect(es).toContain('mismatch_count->review_decision:dependency');
    expect(es).toContain('plan_processing->valid_orders:planned');
    expect(await page.$eval('.task-state', (e: El) => e.textContent)).toBe('completed');
    expect(await page.$$eval('.budget', (bs: El[]) => bs.map((b) => b.getAttribute('data-dimension')))).toEqual(['steps', 'phases', 'LLM calls', 'cost', 'wall time']);
    expect(await page.$eval('a.temporal', (a: El) => a.getAttribute('href'))).toContain(`/namespaces/default/workflows/${ids.finished}/`);
  });

  it('a re-planned, parked task: the parked step, what never ran, the rejected attempt with its diagnostic on its node', async () => {
    await page.goto(`${server.url}/tasks/${ids.parked}`);
    const ns = await nodes();
    expect(ns.find((n) => n.step === 'broken')).toMatchObject({ state: 'parked', provenance: 'planning_step' });
    expect(ns.find((n) => n.step === 'after')).toMatchObject({ state: 'pending' });
    expect(ns.find((n) => n.step === 'plan')).toMatchObject({ state: 'running', provenance: 'template' });
    expect(await edges()).toContain('broken->after:dependency');
    expect(await page.$eval('.task-state', (e: El) => e.textContent)).toBe('parked');
    const attempts = await page.$$eval('.attempt', (as: El[]) => as.map((a) => [a.getAttribute('data-attempt'), a.getAttribute('data-accepted')]));
    expect(attempts).toEqual([
      ['plan:1:1', 'false'],
      ['plan:1:2', 'true'],
    ]);
    const onNode = await page.$eval('.attempt[data-accepted="false"] g.node.diag', (g: El) => [g.getAttribute('data-step'), g.getAttribute('data-diagnostics')]);
    expect(onNode).toEqual(['fetch', 'HANDLER_UNKNOWN']);
    const actual = await page.$$eval('tr.step', (rows: El[]) => rows.map((r) => [r.getAttribute('data-step'), r.querySelector('.actual')?.textContent]));
    expect(actual).toEqual(expect.arrayContaining([['broken', 'parked'], ['after', 'pending']]));
  });

  it('a step page: layer 4 with executions and the link to the same event in the Temporal Web UI', async () => {
    await page.goto(`${server.url}/tasks/${ids.parked}`);
    await Promise.all([page.waitForNavigation(), page.click('svg#dag g.node[data-step="broken"]')]);
    expect(page.url()).toBe(`${server.url}/tasks/${ids.parked}/steps/broken`);
    expect(await page.$eval('.step-state', (e: El) => e.textContent)).toMatch(/^parked · flaky · planning_step · plan:p1:/);
    expect(await page.$eval('pre.input', (e: El) => e.textContent)).toContain('"label": "b"');
    expect(await page.$eval('a.temporal', (a: El) => a.getAttribute('href'))).toMatch(new RegExp(`/workflows/${ids.parked}/[^/]+/history/events/\\d+$`));
  });

  it('the task list filters by the Weft search attributes', async () => {
    await page.goto(`${server.url}/?parked=1`);
    const listed = await until(
      async () => {
        await page.reload();
        return page.$$eval('tr.task', (rows: El[]) => rows.map((r) => r.getAttribute('data-task')));
      },
      (l) => l.includes(ids.parked),
      'the parked task listed',
      20_000,
    );
    expect(listed).not.toContain(ids.finished);
    await page.goto(`${server.url}/?template=order-triage&state=completed`);
    expect(await page.$$eval('tr.task', (rows: El[]) => rows.map((r) => r.getAttribute('data-task')))).toContain(ids.finished);
  });
});

describe('weft ui, the command', () => {
  it('serves the task list on the port it prints, and stops on SIGINT', async () => {
    const { WEFT_UI_URL: _ui, ...inherited } = process.env;
    const child = spawn(process.execPath, ['bin/weft.js', 'ui', '--port', '0'], { cwd: REPO_ROOT, env: { ...inherited, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`weft ui printed no URL within 60 s: ${out}`)), 60_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /weft ui: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.once('exit', (code) => reject(new Error(`weft ui exited (${code}): ${out}`)));
    });
    try {
      await page.goto(`${url}/?template=order-triage`);
      expect(await page.$$eval('tr.task', (rows: El[]) => rows.map((r) => r.getAttribute('data-task')))).toContain(ids.finished);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
