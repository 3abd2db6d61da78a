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
