import { ORDER_SCHEMA } from '../../examples/order-triage/plan.js';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { transform } from '../../catalog/transform.js';
import { validate } from '../../catalog/validate.js';
import {
  DEFECT_COUNTS,
  formatOrders,
  generateOrders,
  ORDER_COUNT,
  ORDERS_FILE,
  SCHEMA_DETECTABLE_DEFECTS,
} from '../../examples/order-triage/data/generate.js';
import {
  composeReport,
  DEFAULT_ORDERS_FILE,
  loadOrders,
  orderTriageHandlers,
  reportFileName,
  writeReport,
} from '../../examples/order-triage/handlers.js';
import { expectHandlerFailure, fakeHandlerContext, runHandler } from '../support/handler-context.js';

// Wrap the real functions so single calls can be made to fail like a full disk or a bad sector.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return { ...actual, readFile: vi.fn(actual.readFile), rename: vi.fn(actual.rename) };
});

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
const tempDir = () => mkdtempSync(join(tmpdir(), 'weft-order-triage-'));

/** A sensible schema for one order, as a planner would write it: the example plan's. */
const orderSchema = ORDER_SCHEMA;

// The tests write under the system's temporary directory: make it a root, as an operator would.
beforeEach(() => {
  vi.stubEnv('WEFT_FILE_ROOTS', [process.cwd(), tmpdir()].join(delimiter));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('order data', () => {
  it('is reproduced exactly by generate.ts', () => {
    expect(formatOrders(generateOrders().orders)).toBe(readFileSync(ORDERS_FILE, 'utf8'));
  });

  it('has a few hundred orders, 5–8% of them malformed', () => {
    const { defects } = generateOrders();
    const injected = Object.values(DEFECT_COUNTS).reduce((s, n) => s + n, 0);
    expect(defects).toHaveLength(injected);
    expect(new Set(defects.map((d) => d.index)).size).toBe(injected);
    expect(injected / ORDER_COUNT).toBeGreaterThanOrEqual(0.05);
    expect(injected / ORDER_COUNT).toBeLessThanOrEqual(0.08);
  });
});

describe('load_orders', () => {
  it('loads the shipped orders by default', async () => {
    const out = await runHandler(loadOrders, {});
    expect(out.count).toBe(ORDER_COUNT);
    expect(out.orders).toHaveLength(ORDER_COUNT);
    expect(out.source).toBe(DEFAULT_ORDERS_FILE);
  });

  it('lets validate filter exactly the rows generate.ts made structurally malformed', async () => {
    const { orders } = await runHandler(loadOrders, {});
    const { defects } = generateOrders();
    const out = await runHandler(validate, { data: orders, schema: orderSchema, on_invalid: 'filter' });
    const structural = defects.filter((d) => SCHEMA_DETECTABLE_DEFECTS.includes(d.kind));
    expect(out.invalid_count).toBe(structural.length);
    expect(out.valid_count).toBe(ORDER_COUNT - structural.length);
    expect([...new Set(out.errors.map((e) => e.index))]).toEqual(structural.map((d) => d.index));
  });

  it('lets a transform find the totals that do not match their items, which no schema can', async () => {
    const { orders } = await runHandler(loadOrders, {});
    const { valid } = await runHandler(validate, { data: orders, schema: orderSchema, on_invalid: 'filter' });
    const out = await runHandler(transform, {
      data: valid,
      expression: '[$[$abs(total - $sum(items.(qty * unit_price))) > 0.005].id]',
    });
    expect(out.result).toHaveLength(DEFECT_COUNTS.total_mismatch);
  });

  it('fails a missing file with ORDERS_FILE_NOT_FOUND', async () => {
    const path = join(tempDir(), 'nope.json');
    const failure = await expectHandlerFailure(loadOrders, { path }, 'ORDERS_FILE_NOT_FOUND');
    expect(failure.message).toContain(path);
    expect(failure.message).toContain('omit it to use');
  });

  it('fails a file that is not JSON with ORDERS_FILE_INVALID, at a line and column, without echoing content', async () => {
    const path = join(tempDir(), 'broken.json');
    writeFileSync(path, '[\n  {"id": "secret-1"},\n  {"id": "secret-2",}\n]\n');
    const failure = await expectHandlerFailure(loadOrders, { path }, 'ORDERS_FILE_INVALID');
    expect(failure.message).toContain('at line 3, column 21 (position 44): expected a string');
    expect(failure.message).not.toContain('secret');
  });

  it('fails JSON that is not an array with ORDERS_FILE_INVALID', async () => {
    const path = join(tempDir(), 'object.json');
    writeFileSync(path, '{"orders": []}');
    const failure = await expectHandlerFailure(loadOrders, { path }, 'ORDERS_FILE_INVALID');
    expect(failure.message).toContain('holds an object at the top level; expected a JSON array');
  });

  it('fails an I/O error with the retryable ORDERS_FILE_UNREADABLE', async () => {
    vi.mocked(readFile).mockRejectedValueOnce(errno('EIO'));
    const failure = await expectHandlerFailure(loadOrders, {}, 'ORDERS_FILE_UNREADABLE');
    expect(failure.nonRetryable).toBe(false);
  });
});

describe('compose_report', () => {
  it('summarizes each result and records partial convergence', async () => {
    const report = await runHandler(composeReport, {
      results: {
        valid_orders: { valid: Array.from({ length: 200 }, (_, i) => ({ i })), valid_count: 200, invalid_count: 3 },
        route: { outcome: 'review', matched_rule: 1 },
      },
      partial: true,
      reason: 'Budget exhausted: 5 of 5 planning phases used.',
    });
    expect(report).toEqual({
      title: 'Order triage report',
      sections: [
        { step: 'valid_orders', summary: 'valid: 200 items; valid_count: 200; invalid_count: 3' },
        { step: 'route', summary: 'outcome: "review"; matched_rule: 1' },
      ],
      partial: true,
      reason: 'Budget exhausted: 5 of 5 planning phases used.',
      generated_from: ['valid_orders', 'route'],
    });
  });

  it('defaults to a complete report', async () => {
    const report = await runHandler(composeReport, { results: {} });
    expect(report).toMatchObject({ partial: false, reason: null, sections: [], generated_from: [] });
  });
});

describe('write_report', () => {
  const report = {
    title: 'Order triage report',
    sections: [{ step: 'count', summary: 'result: 360' }],
    partial: true,
    reason: 'Budget exhausted.',
    generated_from: ['count'],
  };

  it('writes Markdown and JSON named by the idempotency key; a retry overwrites instead of adding', async () => {
    const dir = tempDir();
    const ctx = fakeHandlerContext({ idempotencyKey: 'wf-1.write_report' });
    const first = await runHandler(writeReport, { report, dir }, ctx);
    const retry = await runHandler(writeReport, { report: { ...report, title: 'Retried' }, dir }, fakeHandlerContext({ idempotencyKey: 'wf-1.write_report', attempt: 2 }));
    expect(retry).toEqual({ ...first, bytes: retry.bytes });
    expect(readdirSync(dir).sort()).toEqual(['report-wf-1.write_report.json', 'report-wf-1.write_report.md']);
    const markdown = readFileSync(first.markdown_path, 'utf8');
    expect(markdown).toContain('# Retried');
    expect(markdown).toContain('> **Partial results.** Budget exhausted.');
    expect(JSON.parse(readFileSync(first.json_path, 'utf8'))).toEqual({ ...report, title: 'Retried' });
    expect(retry.bytes).toBe(Buffer.byteLength(markdown) + readFileSync(first.json_path).length);
  });

  it('uses WEFT_REPORT_DIR when no dir is given', async () => {
    const dir = tempDir();
    vi.stubEnv('WEFT_REPORT_DIR', dir);
    const out = await runHandler(writeReport, { report });
    expect(out.markdown_path.startsWith(dir)).toBe(true);
  });

  it('gives keys with unsafe characters distinct, safe names', () => {
    expect(reportFileName('wf/1:step')).toMatch(/^report-wf_1_step-[0-9a-f]{12}$/);
    expect(reportFileName('wf/1:step')).not.toBe(reportFileName('wf:1/step'));
    expect(reportFileName('../../etc')).not.toContain('/');
  });

  it('fails a directory that cannot be created with REPORT_DIR_UNWRITABLE', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const failure = await expectHandlerFailure(writeReport, { report, dir: join(file, 'reports') }, 'REPORT_DIR_UNWRITABLE');
    expect(failure.message).toContain('Choose a writable directory');
  });

  it('fails a transient write error with the retryable REPORT_WRITE_FAILED and leaves no temp file', async () => {
    const dir = tempDir();
    vi.mocked(rename).mockRejectedValueOnce(errno('ENOSPC'));
    const failure = await expectHandlerFailure(writeReport, { report, dir }, 'REPORT_WRITE_FAILED');
    expect(failure.nonRetryable).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('file paths confined to the configured roots', () => {
  it('refuses orders files outside the roots — absolute, relative with .., through a symlink — with ORDERS_FILE_OUTSIDE_ROOTS', async () => {
    const root = tempDir();
    vi.stubEnv('WEFT_FILE_ROOTS', root);
    const outside = tempDir();
    writeFileSync(join(outside, 'orders.json'), '[]');
    symlinkSync(outside, join(root, 'link'));
    for (const path of [join(outside, 'orders.json'), '/etc/passwd', join(root, '..', '..', 'etc', 'passwd'), join(root, 'link', 'orders.json')]) {
      const failure = await expectHandlerFailure(loadOrders, { path }, 'ORDERS_FILE_OUTSIDE_ROOTS');
      expect(failure.message).toContain(`is outside the directories this worker may use: ${root}`);
      expect(failure.message).toContain('WEFT_FILE_ROOTS');
    }
    writeFileSync(join(root, 'orders.json'), '[]');
    expect(await runHandler(loadOrders, { path: join(root, 'orders.json') })).toMatchObject({ count: 0 });
    // the example data stays readable whatever the roots
    expect(await runHandler(loadOrders, {})).toMatchObject({ source: DEFAULT_ORDERS_FILE });
  });

  it('refuses a report directory outside the roots with REPORT_DIR_OUTSIDE_ROOTS, and allows WEFT_REPORT_DIR', async () => {
    const root = tempDir();
    vi.stubEnv('WEFT_FILE_ROOTS', root);
    const report = (await runHandler(composeReport, { results: {} })) as never;
    const failure = await expectHandlerFailure(writeReport, { report, dir: join(tempDir(), 'reports') }, 'REPORT_DIR_OUTSIDE_ROOTS');
    expect(failure.message).toContain(`outside the directories this worker may use: ${root}`);
    expect(readdirSync(root)).toEqual([]);
    const configured = tempDir();
    vi.stubEnv('WEFT_REPORT_DIR', configured);
    await runHandler(writeReport, { report });
    expect(readdirSync(configured).length).toBe(2);
    mkdirSync(join(root, 'reports'));
    await runHandler(writeReport, { report, dir: join(root, 'reports') });
  });
});

describe('order-triage handlers', () => {
  it('declare the categories and mutation flags the template relies on', () => {
    expect(orderTriageHandlers.map((h) => [h.name, h.category, h.mutating])).toEqual([
      ['load_orders', 'io', false],
      ['compose_report', 'data', false],
      ['write_report', 'io', true],
    ]);
  });

  it('have every declared error mode exercised above', () => {
    // Keep in step with the failure tests in this file.
    const exercised = [
      'ORDERS_FILE_NOT_FOUND',
      'ORDERS_FILE_INVALID',
      'ORDERS_FILE_UNREADABLE',
      'ORDERS_FILE_OUTSIDE_ROOTS',
      'REPORT_DIR_UNWRITABLE',
      'REPORT_WRITE_FAILED',
      'REPORT_DIR_OUTSIDE_ROOTS',
    ];
    expect(orderTriageHandlers.flatMap((h) => h.errorModes.map((m) => m.code)).sort()).toEqual([...exercised].sort());
  });
});
