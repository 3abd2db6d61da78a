/**
 * CLI start-up as users get it: weft packed with `npm pack`, installed into a copy of
 * `test/consumer-project`, and run as `node node_modules/.bin/weft …` (what `npx weft` ends up
 * running) against `node -e ''` in the same run. Median of `--runs` (default 7) per command:
 *
 *   - `weft --help`
 *   - `weft validate <one file>` with the project's registry compiled to JavaScript, and with the
 *     TypeScript registry (tsx registered on demand)
 *   - `weft validate <100 files>` in one process
 *   - the repository checkout's `node bin/weft.js --help` (sources through tsx), for comparison
 *
 * Writes bench/results/cli.json.
 *
 *   npx tsx bench/cli.bench.ts [--runs 7]
 *
 * Targets (issue 9): --help ≤ 0.3 s, one file ≤ 0.8 s, 100 files ≤ 2 s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of one run of `node args` in `cwd`, in seconds; fails loudly on an unexpected exit status. */
function time(args: readonly string[], cwd: string, expectStatus: number, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== expectStatus) throw new Error(`node ${args.join(' ')} exited ${r.status}, expected ${expectStatus}:\n${r.stdout.toString()}\n${r.stderr.toString()}`);
  return seconds;
}

const work = mkdtempSync(join(tmpdir(), 'weft-cli-bench-'));
try {
  console.log(`packing and installing into ${work} …`);
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string }[];
  renameSync(join(work, info!.filename), join(work, 'weftworks-weft.tgz'));
  const project = join(work, 'project');
  cpSync(join(ROOT, 'test/consumer-project'), project, { recursive: true, filter: (s) => !/[/\\](node_modules|dist)$/.test(s) });
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, stdio: 'ignore' });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: project, stdio: 'inherit' });

  const fragment = JSON.parse(readFileSync(join(project, 'fragments/valid.json'), 'utf8')) as { steps: { name: string }[] };
  mkdirSync(join(project, 'many'));
  const many: string[] = [];
  for (let i = 0; i < 100; i++) {
    const file = join('many', `f${i}.json`);
    writeFileSync(join(project, file), JSON.stringify({ ...fragment, steps: fragment.steps.map((s) => ({ ...s, name: `${s.name}_${i}` })) }));
    many.push(file);
  }
  const { WEFT_REGISTRY: _r, ...env } = process.env;
  const jsEnv = { ...env, WEFT_REGISTRY: 'dist/src/registry.js' };
  const bin = 'node_modules/.bin/weft';
  const cases: { name: string; args: string[]; cwd: string; status: number; env: NodeJS.ProcessEnv; target?: number }[] = [
    { name: "node -e ''", args: ['-e', ''], cwd: project, status: 0, env },
    { name: 'weft --help', args: [bin, '--help'], cwd: project, status: 0, env, target: 0.3 },
    { name: 'weft validate <one file> (compiled registry)', args: [bin, 'validate', 'fragments/valid.json', '--template', 'greetings'], cwd: project, status: 0, env: jsEnv, target: 0.8 },
    { name: 'weft validate <one file> (TypeScript registry, tsx)', args: [bin, 'validate', 'fragments/valid.json', '--template', 'greetings'], cwd: project, status: 0, env },
    { name: 'weft validate <100 files> (compiled registry)', args: [bin, 'validate', ...many, '--template', 'greetings'], cwd: project, status: 0, env: jsEnv, target: 2 },
    { name: 'checkout: node bin/weft.js --help (tsx)', args: ['bin/weft.js', '--help'], cwd: ROOT, status: 0, env },
  ];
  const results: Record<string, { medianS: number; runsS: number[]; target?: number }> = {};
  for (const c of cases) time(c.args, c.cwd, c.status, c.env); // warm the file cache
  for (let run = 0; run < RUNS; run++) {
    for (const c of cases) {
      const s = time(c.args, c.cwd, c.status, c.env);
      (results[c.name] ??= { medianS: 0, runsS: [], ...(c.target ? { target: c.target } : {}) }).runsS.push(s);
    }
  }
  const baseline = median(results["node -e ''"]!.runsS);
  for (const [name, r] of Object.entries(results)) {
    r.medianS = Number(median(r.runsS).toFixed(3));
    r.runsS = r.runsS.map((s) => Number(s.toFixed(3)));
    const verdict = r.target === undefined ? '' : r.medianS <= r.target ? ` (target ≤ ${r.target} s: met)` : ` (target ≤ ${r.target} s: MISSED)`;
    console.log(`${name.padEnd(52)} median ${r.medianS.toFixed(3)} s, ${(r.medianS / baseline).toFixed(1)}× node -e ''${verdict}`);
  }
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/cli.json'), `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, node: process.version, results }, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
