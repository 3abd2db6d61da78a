/**
 * The Temporal executables weft's tests run, from the cache that `temporal-dev.sh` (shipped in the
 * package; `npx weft dev-server build` runs it) builds: nothing is downloaded at run time, unlike
 * `@temporalio/testing`'s own server download, which fails on machines without internet.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

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

/** Which server a test needs. */
export type TemporalServer = 'cli' | 'test-server';

/** The script that knows the pinned versions and the cache layout. */
function script(): string {
  return join(packageRoot(), 'temporal-dev.sh');
}

const DEV_SERVER_COMMAND = 'npx weft dev-server';

/** Where the cached executables are (built or not). */
export function temporalPaths(env: NodeJS.ProcessEnv = process.env): TemporalPaths {
  const out = execFileSync('bash', [script(), 'paths', '--json'], { encoding: 'utf8', env: { ...env, WEFT_DEV_SERVER_COMMAND: DEV_SERVER_COMMAND } });
  const raw = JSON.parse(out) as Record<string, unknown>;
  const field = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string' || value === '') throw new TypeError(`temporal-dev.sh paths --json: expected a string '${key}', got ${JSON.stringify(value)}.`);
    return value;
  };
  return {
    cli: field('cli'),
    testServer: field('test_server'),
    cacheDir: field('cache_dir'),
    devServerDb: field('dev_server_db'),
    devServerLog: field('dev_server_log'),
  };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The paths, with `server` built first when it is missing (the test server takes seconds from
 * Maven Central; the CLI minutes with Go). A failed build throws, naming its log and the command
 * to run by hand.
 */
export function ensureTemporalServer(server: TemporalServer, env: NodeJS.ProcessEnv = process.env): TemporalPaths {
  const paths = temporalPaths(env);
  const path = server === 'cli' ? paths.cli : paths.testServer;
  if (executable(path)) return paths;
  try {
    execFileSync('bash', [script(), 'build', server], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, WEFT_DEV_SERVER_COMMAND: DEV_SERVER_COMMAND } });
  } catch {
    throw new Error(`Building the Temporal ${server === 'cli' ? 'CLI (dev server)' : 'test server'} failed (its messages are above). Fix what they say, then run \`${DEV_SERVER_COMMAND} build ${server}\`.`);
  }
  if (!executable(path)) throw new Error(`${path} is still missing after \`${DEV_SERVER_COMMAND} build ${server}\`.`);
  return paths;
}
