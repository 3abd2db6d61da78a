/**
 * Application handlers of the order-triage example: load the orders, compose the report from the
 * steps' results (the convergence step), and write it to disk (the one mutating step). Written
 * with the same `defineHandler` API as the built-in catalog.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { confinePath, fileRoots, PathOutsideRoots } from '../../catalog/file-roots.js';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { declareErrorModes, defineHandler, type AnyHandler, type JsonValue } from '@weftworks/weft';
import { locateJsonError } from './json-error-position.js';
import { renderMarkdown, reportSchema, summarizeOutput } from './report.js';

/** The orders file shipped with the example. */
export const DEFAULT_ORDERS_FILE = fileURLToPath(new URL('./data/orders.json', import.meta.url));

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

const loadErrors = declareErrorModes({
  ORDERS_FILE_NOT_FOUND: { retryable: false, description: 'No orders file at the given path.' },
  ORDERS_FILE_INVALID: { retryable: false, description: 'The orders file is not JSON, or not a JSON array.' },
  ORDERS_FILE_UNREADABLE: { retryable: true, description: 'The orders file exists but could not be read (permissions or I/O).' },
  ORDERS_FILE_OUTSIDE_ROOTS: { retryable: false, description: 'The path is outside the directories the worker may read (WEFT_FILE_ROOTS).' },
});

/** `load_orders`: reads a JSON array of orders from a file. */
export const loadOrders = defineHandler({
  name: 'load_orders',
  description: 'Loads orders (a JSON array) from a file; defaults to the example data.',
  category: 'io',
  input: z
    .object({
      path: z
        .string()
        .min(1)
        .optional()
        .describe('Path of the orders file; relative paths resolve against the working directory. Default: the example data.'),
    })
    .strict(),
  output: z.object({
    orders: z.array(z.json()).describe('The orders as stored, not yet validated.'),
    count: z.number().int().describe('How many orders the file holds.'),
    source: z.string().describe('Absolute path of the file read.'),
  }),
  errorModes: loadErrors.modes,
  async run({ path }) {
    const source = resolve(path ?? DEFAULT_ORDERS_FILE);
    try {
      // a task input chooses the path: only the configured roots (and the example data) are readable
      await confinePath(source, fileRoots([dirname(DEFAULT_ORDERS_FILE)]));
    } catch (err) {
      if (!(err instanceof PathOutsideRoots)) throw err;
      throw loadErrors.fail('ORDERS_FILE_OUTSIDE_ROOTS', err.message, { source, roots: [...err.roots] });
    }
    let text: string;
    try {
      text = await readFile(source, 'utf8');
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'ENOENT' || errno === 'ENOTDIR' || errno === 'EISDIR') {
        throw loadErrors.fail(
          'ORDERS_FILE_NOT_FOUND',
          `No orders file at ${source} (${errno}). Pass an existing JSON file as \`path\`, or omit it to use ${DEFAULT_ORDERS_FILE}.`,
          { source, errno },
        );
      }
      throw loadErrors.fail('ORDERS_FILE_UNREADABLE', `Could not read orders file ${source}: ${String(err)}. Check its permissions.`, {
        source,
        errno: errno ?? null,
      });
    }
    let orders: unknown;
    try {
      orders = JSON.parse(text);
    } catch {
      // JSON.parse does not always say where; and its message may quote file content, which we do not echo.
      let at: ReturnType<typeof locateJsonError> = null;
      try {
        at = locateJsonError(text);
      } catch {
        // Nesting too deep for the scanner's recursion: report without a position.
      }
      const where = at ? ` at line ${at.line}, column ${at.column} (position ${at.position}): expected ${at.expected}` : '';
      throw loadErrors.fail(
        'ORDERS_FILE_INVALID',
        `Orders file ${source} is not valid JSON${where}. Fix the file, or regenerate the example data with ` +
          '`npx tsx examples/order-triage/data/generate.ts`.',
        { source, ...(at ?? {}) },
      );
    }
    if (!Array.isArray(orders)) {
      const found = orders === null ? 'null' : typeof orders;
      throw loadErrors.fail(
        'ORDERS_FILE_INVALID',
        `Orders file ${source} holds ${found === 'object' ? 'an object' : found} at the top level; expected a JSON array of orders.`,
        { source, found },
      );
    }
    return { orders: orders as JsonValue[], count: orders.length, source };
  },
});

/** `compose_report`: the convergence step; turns the steps' results into a report. */
export const composeReport = defineHandler({
  name: 'compose_report',
  description: 'Builds the triage report from the results of the steps that ran (convergence).',
  category: 'data',
  input: z
    .object({
      results: z.record(z.string(), z.json()).describe('Output of each finished step, by step name.'),
      partial: z.boolean().default(false).describe('True when the task converged early (e.g. its budget ran out).'),
      reason: z.string().nullable().default(null).describe('Why the results are partial; null when they are complete.'),
      title: z.string().min(1).max(200).optional().describe('Report title; default "Order triage report".'),
    })
    .strict(),
  output: reportSchema,
  run: ({ results, partial, reason, title }) =>
    Promise.resolve({
      title: title ?? 'Order triage report',
      sections: Object.entries(results).map(([step, output]) => ({ step, summary: summarizeOutput(output) })),
      partial,
      reason,
      generated_from: Object.keys(results),
    }),
});

const writeErrors = declareErrorModes({
  REPORT_DIR_UNWRITABLE: {
    retryable: false,
    description: 'The report directory cannot be created or written (permissions, read-only, or a file in the way).',
  },
  REPORT_WRITE_FAILED: { retryable: true, description: 'Writing the report failed for a transient reason (disk full, I/O).' },
  REPORT_DIR_OUTSIDE_ROOTS: { retryable: false, description: 'The directory is outside the directories the worker may write (WEFT_FILE_ROOTS).' },
});

const PERMANENT_ERRNOS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR']);

/**
 * The file name (without extension) for an idempotency key: the key's safe characters, plus a
 * hash of the key when characters had to be replaced or cut, so distinct keys never share a file.
 */
export function reportFileName(idempotencyKey: string): string {
  const safe = idempotencyKey.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const exact = safe === idempotencyKey;
  return exact ? `report-${safe}` : `report-${safe}-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12)}`;
}

/** Writes `text` to `path` through a temporary file and a rename, so readers never see half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** `write_report`: writes the report as Markdown and JSON, one pair of files per step execution. */
export const writeReport = defineHandler({
  name: 'write_report',
  description: 'Writes the report as Markdown and JSON files, named by the step so a retry overwrites them.',
  category: 'io',
  mutating: true,
  input: z
    .object({
      report: reportSchema.describe('The report, as compose_report returns it.'),
      dir: z.string().min(1).optional().describe('Directory to write to; default $WEFT_REPORT_DIR, else .weft/reports.'),
    })
    .strict(),
  output: z.object({
    markdown_path: z.string().describe('Absolute path of the Markdown report.'),
    json_path: z.string().describe('Absolute path of the JSON report.'),
    bytes: z.number().int().describe('Bytes written, both files together.'),
  }),
  errorModes: writeErrors.modes,
  async run({ report, dir }, ctx) {
    const target = resolve(dir ?? process.env['WEFT_REPORT_DIR'] ?? '.weft/reports');
    try {
      await confinePath(target, fileRoots([process.env['WEFT_REPORT_DIR']]));
    } catch (err) {
      if (!(err instanceof PathOutsideRoots)) throw err;
      throw writeErrors.fail('REPORT_DIR_OUTSIDE_ROOTS', err.message, { dir: target, roots: [...err.roots] });
    }
    // Named by the idempotency key, which is stable across retries: a retry replaces, never adds.
    const base = join(target, reportFileName(ctx.idempotencyKey));
    const markdown = renderMarkdown(report);
    const json = `${JSON.stringify(report, null, 2)}\n`;
    try {
      await mkdir(target, { recursive: true });
      await writeAtomically(`${base}.md`, markdown);
      await writeAtomically(`${base}.json`, json);
    } catch (err) {
      const errno = errnoOf(err);
      const permanent = errno !== undefined && PERMANENT_ERRNOS.has(errno);
      throw writeErrors.fail(
        permanent ? 'REPORT_DIR_UNWRITABLE' : 'REPORT_WRITE_FAILED',
        `Could not write the report to ${target}: ${String(err)}. ` +
          (permanent ? 'Choose a writable directory (input `dir` or WEFT_REPORT_DIR).' : 'It will be retried; check free disk space.'),
        { dir: target, errno: errno ?? null },
      );
    }
    return {
      markdown_path: `${base}.md`,
      json_path: `${base}.json`,
      bytes: Buffer.byteLength(markdown) + Buffer.byteLength(json),
    };
  },
});

/** The example's application handlers, registered next to the built-in catalog. */
export const orderTriageHandlers: readonly AnyHandler[] = [loadOrders, composeReport, writeReport];
