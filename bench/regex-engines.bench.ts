/**
 * How to keep planner-written regexes from blocking a worker: match them on the linear-time
 * engine in the worker's thread (re2js), or keep the native backtracking engine and run each
 * evaluation in a worker thread with a deadline (terminated on timeout). Measures, for a benign
 * pattern on rows like a `validate` step's (`^[A-Z]{2}-\d{4,8}$` on 10,000 ids):
 *
 * - native `RegExp` in this thread (the unsafe baseline),
 * - re2js in this thread (`LinearRegExp`),
 * - one round trip to an already running worker thread that matches natively,
 * - starting a worker thread (what a deadline costs each time a thread is terminated),
 * - the catastrophic case (`^(a+)+$` on 26 × `a` + `!`; 40 would take hours natively) on both.
 *
 * Writes bench/results/regex-engines.json.
 *
 *   npx tsx bench/regex-engines.bench.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LinearRegExp } from '../src/core/linear-regex.js';

const ROWS = Array.from({ length: 10_000 }, (_, i) => (i % 10 === 0 ? `bad-${i}` : `AB-${String(100_000 + i)}`));
const PATTERN = '^[A-Z]{2}-\\d{4,8}$';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, runs = 15): number {
  fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ pattern, rows }) => {
  const re = new RegExp(pattern, 'u');
  let n = 0;
  for (const r of rows) if (re.test(r)) n++;
  parentPort.postMessage(n);
});`;

function startWorker(): Promise<Worker> {
  const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 64 } });
  return new Promise((resolve, reject) => {
    w.once('online', () => resolve(w));
    w.once('error', reject);
  });
}

function roundTrip(w: Worker, pattern: string, rows: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    w.once('message', (n: number) => resolve(n));
    w.postMessage({ pattern, rows });
  });
}

async function timeAsync(fn: () => Promise<unknown>, runs = 15): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

const native = new RegExp(PATTERN, 'u');
const linear = new LinearRegExp(PATTERN, 'u');
let count = 0;
const nativeMs = time(() => {
  count = 0;
  for (const r of ROWS) if (native.test(r)) count++;
});
const linearMs = time(() => {
  let n = 0;
  for (const r of ROWS) if (linear.test(r)) n++;
  if (n !== count) throw new Error(`re2js counted ${n}, native ${count}`);
});
const w = await startWorker();
const threadRowsMs = await timeAsync(() => roundTrip(w, PATTERN, ROWS));
const threadOneMs = await timeAsync(() => roundTrip(w, PATTERN, ROWS.slice(0, 1)), 50);
await w.terminate();
const spawnMs = await timeAsync(async () => (await startWorker()).terminate(), 10);

const EVIL = '^(a+)+$';
const subject = `${'a'.repeat(26)}!`;
const evilNativeMs = time(() => new RegExp(EVIL).test(subject), 3);
const evilLinearMs = time(() => new LinearRegExp(EVIL).test(`${'a'.repeat(40)}!`), 15);

const results = {
  node: process.version,
  rows: ROWS.length,
  pattern: PATTERN,
  median_ms: {
    native_in_thread_10k_rows: +nativeMs.toFixed(3),
    re2js_in_thread_10k_rows: +linearMs.toFixed(3),
    worker_thread_round_trip_10k_rows: +threadRowsMs.toFixed(3),
    worker_thread_round_trip_1_row: +threadOneMs.toFixed(3),
    worker_thread_start_and_terminate: +spawnMs.toFixed(3),
    catastrophic_native_26_a: +evilNativeMs.toFixed(1),
    catastrophic_re2js_40_a: +evilLinearMs.toFixed(3),
  },
};
console.log(JSON.stringify(results, null, 2));
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL('./results/regex-engines.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
