/**
 * Where `temporal-dev.sh` keeps the Temporal executables the tests run. The script is the one
 * place that knows the pinned versions and the cache layout; this module asks it once.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `test/support/paths.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The executables and state files `temporal-dev.sh paths --json` reports. */
export interface TemporalPaths {
  /** The Temporal CLI; `<cli> server start-dev` is the dev server with the Web UI. */
  readonly cli: string;
  /** Launcher of the time-skipping test server: `<test_server> <port> [--enable-time-skipping]`. */
  readonly testServer: string;
  readonly cacheDir: string;
  readonly devServerDb: string;
  readonly devServerLog: string;
}

let cached: TemporalPaths | undefined;

/**
 * The paths of the cached Temporal executables, checked to exist. Throws, saying what to run,
 * when they have not been built.
 */
export function temporalPaths(): TemporalPaths {
  cached ??= readPaths();
  return cached;
}

function readPaths(): TemporalPaths {
  const out = execFileSync('bash', ['temporal-dev.sh', 'paths', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const raw = JSON.parse(out) as Record<string, unknown>;
  const field = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`temporal-dev.sh paths --json: expected a string '${key}', got ${JSON.stringify(value)}.`);
    }
    return value;
  };
  const paths: TemporalPaths = {
    cli: field('cli'),
    testServer: field('test_server'),
    cacheDir: field('cache_dir'),
    devServerDb: field('dev_server_db'),
    devServerLog: field('dev_server_log'),
  };
  for (const executable of [paths.cli, paths.testServer]) {
    try {
      accessSync(executable, constants.X_OK);
    } catch {
      throw new Error(
        `${executable} is missing. Build the Temporal servers first with \`bash temporal-dev.sh build\` ` +
          '(`npm test` does it before running the tests).',
      );
    }
  }
  return paths;
}
