/**
 * Prometheus and promtool for the observability tests, as `observability/prometheus.sh paths`
 * reports them (Debian's `prometheus` package, installed by `npm test` through
 * `observability/prometheus.sh ensure`). Missing tools fail the test with the way to get them:
 * never a silent skip.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The two executables. */
export interface PrometheusPaths {
  readonly prometheus: string;
  readonly promtool: string;
}

let cached: PrometheusPaths | undefined;

/** Where prometheus and promtool are; throws saying how to install them. */
export function prometheusPaths(): PrometheusPaths {
  if (cached) return cached;
  let out: string;
  try {
    out = execFileSync('bash', [join(REPO_ROOT, 'observability/prometheus.sh'), 'paths'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`Prometheus is not installed. Run 'bash observability/prometheus.sh ensure' (npm test does; needs root and apt-get, or set WEFT_PROMETHEUS/WEFT_PROMTOOL).\n${stderr}`);
  }
  const values = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  cached = { prometheus: values['prometheus'] ?? '', promtool: values['promtool'] ?? '' };
  return cached;
}

/** A Prometheus server started for a test. */
export interface RunningPrometheus {
  readonly url: string;
  /** An instant query; returns the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Series matching a selector. */
  series(match: string): Promise<Record<string, string>[]>;
  /** Rule groups as /api/v1/rules reports them. */
  rules(): Promise<{ name: string; rules: { name: string; type: string; health: string; lastError?: string }[] }[]>;
  /** The server's log so far. */
  log(): string;
  close(): Promise<void>;
}

/**
 * Starts a real Prometheus on a free loopback port, scraping `targets` (host:port) every second
 * and loading `ruleFiles`, with its storage in a fresh directory; waits until it is ready.
 */
export async function startPrometheus(opts: { readonly targets: readonly string[]; readonly ruleFiles: readonly string[]; readonly port: number }): Promise<RunningPrometheus> {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'weft-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...opts.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
    'scrape_configs:',
    '  - job_name: weft-worker',
    '    static_configs:',
    `      - targets: [${opts.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const url = `http://127.0.0.1:${opts.port}`;
  let output = '';
  const child = spawn(
    prometheusPaths().prometheus,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${opts.port}`, '--web.enable-lifecycle'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${output}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus did not become ready in 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  }
  return {
    url,
    query: async (expr) => (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    series: (match) => api<Record<string, string>[]>(`/api/v1/series?match[]=${encodeURIComponent(match)}`),
    rules: async () => (await api<{ groups: { name: string; rules: { name: string; type: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules')).groups,
    log: () => output,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
