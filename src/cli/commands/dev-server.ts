/**
 * `weft dev-server build|start|stop|status|paths`: weft's local Temporal servers from an installed
 * package — the same work as the repository's `./temporal-dev.sh` (which this runs: one
 * implementation), with messages that name `weft dev-server` commands.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
import { defineCommand, type CliContext } from '../command.js';

/** How users run these commands; the script's messages name it. */
export const DEV_SERVER_COMMAND = 'npx weft dev-server';

/** Runs `temporal-dev.sh <args>` with inherited output; resolves to its exit status. */
export function runDevServerScript(args: readonly string[], ctx: Pick<CliContext, 'env' | 'cwd'>): Promise<number> {
  const script = join(packageRoot(), 'temporal-dev.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], {
      cwd: ctx.cwd,
      env: { ...ctx.env, WEFT_DEV_SERVER_COMMAND: ctx.env['WEFT_DEV_SERVER_COMMAND'] ?? DEV_SERVER_COMMAND },
      stdio: 'inherit',
    });
    child.once('error', (err) => reject(new Error(`cannot run bash ${script}: ${err.message} (weft dev-server needs bash)`)));
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const ENVIRONMENT =
  'Environment: WEFT_CACHE_DIR (default ~/.cache/weft), WEFT_TEMPORAL_PORT (7233), WEFT_TEMPORAL_UI_PORT (8233), TEMPORAL_NAMESPACE.';

/** `weft dev-server build`. */
export const devServerBuildCommand = defineCommand({
  name: 'dev-server build',
  summary: 'Build the Temporal CLI (dev server, Web UI) and the time-skipping test server into the cache.',
  description:
    'Nothing downloads at run time: the CLI is built with Go from the Go module proxy (a few minutes, once), the test ' +
    `server fetched with Maven from Maven Central. Idempotent. ${ENVIRONMENT}`,
  positionals: [{ name: 'what', description: 'cli or test-server (default: both)', optional: true }],
  options: {},
  async run({ positionals }, ctx) {
    return runDevServerScript(['build', ...(positionals.what ? [positionals.what] : [])], ctx);
  },
});

/** `weft dev-server start`. */
export const devServerStartCommand = defineCommand({
  name: 'dev-server start',
  summary: "Start the dev server in the background with weft's search attributes (builds the CLI first if needed).",
  description: `gRPC on 127.0.0.1:7233, the Web UI on http://127.0.0.1:8233; its state survives restarts. ${ENVIRONMENT}`,
  positionals: [],
  options: {},
  async run(_args, ctx) {
    return runDevServerScript(['start'], ctx);
  },
});

/** `weft dev-server stop`. */
export const devServerStopCommand = defineCommand({
  name: 'dev-server stop',
  summary: 'Stop the dev server that `weft dev-server start` started.',
  positionals: [],
  options: {},
  async run(_args, ctx) {
    return runDevServerScript(['stop'], ctx);
  },
});

/** `weft dev-server status`. */
export const devServerStatusCommand = defineCommand({
  name: 'dev-server status',
  summary: 'Say whether the dev server runs and what is built.',
  positionals: [],
  options: {},
  exitCodes: ['0  the dev server runs', '3  it does not'],
  async run(_args, ctx) {
    return runDevServerScript(['status'], ctx);
  },
});

/** `weft dev-server paths`. */
export const devServerPathsCommand = defineCommand({
  name: 'dev-server paths',
  summary: 'Print where the executables, the database and the log are.',
  positionals: [],
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run({ options }, ctx) {
    return runDevServerScript(['paths', ...(options.json ? ['--json'] : [])], ctx);
  },
});
