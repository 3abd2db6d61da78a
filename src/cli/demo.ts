/**
 * `npm run demo`: the order-triage example end to end on the local dev server — starts the dev
 * server (idempotent), a worker in this process with the repository's registry and its scripted
 * planner, runs the template with the same live progress as `weft run`, prints the result, the
 * report file and the Web UI link, then stops the worker and leaves the dev server running.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { WeftClient } from '../client.js';
import { WeftClientError } from '../client/errors.js';
import { ConfigError, loadConfig } from '../config.js';
import { isJsonObject, type JsonValue } from '../core/json.js';
import { RegistryError } from '../registry.js';
import { CliError } from './command.js';
import { runTask, type RunOutcome } from './commands/run.js';
import { startWorker } from './commands/worker.js';
import { loadCompiledRegistry } from './registry-option.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATE = 'order-triage';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']);

/** The demo's task input: the shipped orders, the report under `.weft/reports` of the checkout. */
export function demoInput(root: string = ROOT): JsonValue {
  return {
    orders_path: join(root, 'examples/order-triage/data/orders.json'),
    report_dir: join(root, '.weft/reports'),
    focus: 'Find malformed orders, totals by status and currency, and which orders need manual review.',
  };
}

/** Runs the demo; resolves to the exit status. */
export async function runDemo(env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const out = (text: string) => void process.stdout.write(`${text}\n`);
  const err = (text: string) => void process.stderr.write(`${text}\n`);
  try {
    return await demo(env, out, err);
  } catch (e) {
    const known = e instanceof WeftClientError || e instanceof ConfigError || e instanceof RegistryError || e instanceof CliError;
    err(`demo: ${known ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

async function demo(env: Readonly<Record<string, string | undefined>>, out: (t: string) => void, err: (t: string) => void): Promise<number> {
  // The worker's own progress logs would interleave with the run's; warnings and errors still show.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig(env);
  out(`weft demo: the ${TEMPLATE} example on a local Temporal dev server\n`);

  const colon = config.temporalAddress.lastIndexOf(':');
  const host = config.temporalAddress.slice(0, colon);
  if (LOCAL_HOSTS.has(host)) {
    out(`1/4  starting the Temporal dev server on ${config.temporalAddress} (./temporal-dev.sh start; the first run builds it, which takes minutes)`);
    // The script's port follows TEMPORAL_ADDRESS, so the worker and the client find the server it starts.
    const scriptEnv = { ...process.env, ...env, WEFT_TEMPORAL_PORT: env['WEFT_TEMPORAL_PORT'] ?? config.temporalAddress.slice(colon + 1) };
    const started = spawnSync('bash', [join(ROOT, 'temporal-dev.sh'), 'start'], { cwd: ROOT, stdio: 'inherit', env: scriptEnv });
    if (started.status !== 0) {
      err(`demo: ./temporal-dev.sh start failed (exit ${started.status ?? started.signal ?? '?'}); its output above says why.`);
      return 1;
    }
  } else {
    out(`1/4  TEMPORAL_ADDRESS is ${config.temporalAddress}: using that server, not starting a local one`);
  }

  out('\n2/4  starting a worker in this process (bundling the workflow code takes a few seconds)');
  const registry = await loadCompiledRegistry(join(ROOT, 'examples/registry.ts'), { env, cwd: ROOT });
  const plannerName = registry.registry.planner?.name ?? 'none';
  out(
    plannerName.startsWith('anthropic:')
      ? `     planning with Claude (${plannerName}) because ANTHROPIC_API_KEY is set`
      : `     planning with the scripted planner (${plannerName}); set ANTHROPIC_API_KEY to plan with Claude`,
  );
  const { worker, connection, description } = await startWorker(config, registry);
  out(`     worker: ${description}`);

  const weft = await WeftClient.connect(config, { env });
  let outcome: RunOutcome | undefined;
  try {
    out(`\n3/4  running ${TEMPLATE}`);
    outcome = await worker.runUntil(runTask(weft, TEMPLATE, demoInput(), {}, { out, err }));
  } finally {
    await weft.close();
    await connection.close();
  }

  out('\n4/4  done: the worker is stopped');
  const report = outcome.result?.outputs['publish_report'];
  if (isJsonObject(report) && typeof report['markdown_path'] === 'string') out(`     report: ${report['markdown_path']}`);
  out(`     Web UI: ${weft.uiUrl(outcome.workflowId)}`);
  out(`     inspect: npx weft worker   (in another terminal; queries need a worker, also on finished tasks)`);
  out(`              npx weft inspect ${outcome.workflowId} --layer 2`);
  if (LOCAL_HOSTS.has(host)) out('     the dev server keeps running; stop it with ./temporal-dev.sh stop');
  return outcome.exitCode;
}
