/**
 * `weft run <template>`: starts a task, prints its Web UI link, follows its progress until the
 * result and prints the result summary. `runTask` is also what `npm run demo` runs.
 */
import type { WeftClient } from '../../client.js';
import type { JsonValue } from '../../core/json.js';
import type { TaskResult } from '../../../workflows/definitions.js';
import { defineCommand, type CliContext } from '../command.js';
import { readJson } from '../files.js';

/** What `runTask` reports back. */
export interface RunOutcome {
  readonly exitCode: number;
  readonly workflowId: string;
  readonly result: TaskResult | null;
}

/** Options of `runTask`. */
export interface RunOptions {
  readonly workflowId?: string;
  /** Follow until the result (default true). */
  readonly wait?: boolean;
  readonly intervalMs?: number;
}

/** Starts a task and (unless `wait` is false) follows it to its result, printing as it goes. */
export async function runTask(
  weft: WeftClient,
  template: string,
  input: JsonValue,
  options: RunOptions,
  ctx: Pick<CliContext, 'out' | 'err'>,
): Promise<RunOutcome> {
  const started = Date.now();
  const handle = await weft.start(template, input, options.workflowId === undefined ? {} : { workflowId: options.workflowId });
  const workflowId = handle.workflowId;
  ctx.out(`started ${workflowId} (template ${template}, task queue ${weft.config.taskQueue})`);
  ctx.out(`Web UI: ${weft.uiUrl(workflowId)}`);
  if (options.wait === false) {
    ctx.out(`not waiting; follow it with: weft inspect ${workflowId}`);
    return { exitCode: 0, workflowId, result: null };
  }
  const { failureSummary, followTask, resultSummary } = await import('../progress.js');
  const outcome = await followTask(weft, workflowId, { out: ctx.out, ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}) });
  if (!outcome.ok) {
    ctx.err(failureSummary(workflowId, outcome.error));
    ctx.err(`details: weft inspect ${workflowId} --layer 2   (or the Web UI link above)`);
    return { exitCode: 1, workflowId, result: null };
  }
  for (const line of resultSummary(outcome.result, Date.now() - started)) ctx.out(line);
  return { exitCode: 0, workflowId, result: outcome.result };
}

/** `weft run`. */
export const runCommand = defineCommand({
  name: 'run',
  summary: 'Start a task of a template and follow its progress until the result.',
  description:
    'Prints the Web UI link, then one line per step state change with its provenance, then the result ' +
    'summary (partial or not, budget). A worker must be running (weft worker).',
  positionals: [{ name: 'template', description: 'template name (weft templates lists them)' }],
  options: {
    input: { type: 'string', placeholder: 'file.json', description: 'task input, a JSON file (default {})' },
    id: { type: 'string', placeholder: 'id', description: 'workflow ID (default <template>-<random>)' },
    'no-wait': { type: 'boolean', description: 'print the ID and link, do not follow' },
  },
  exitCodes: ['0  the task completed (or --no-wait)', '1  the task failed, or Temporal could not be reached', '2  usage error or unreadable input file'],
  async run({ positionals, options }, ctx) {
    const input = options.input === undefined ? {} : await readJson(options.input, ctx.cwd, 'input file');
    // With OTEL_* set, the task's trace starts here: its spans are children of this one.
    const { startTracing } = await import('../../telemetry/tracing.js');
    const tracing = await startTracing(ctx.env, 'weft-cli');
    const weft = await ctx.connect();
    const go = () =>
      runTask(weft, positionals.template, input, { ...(options.id === undefined ? {} : { workflowId: options.id }), wait: !options['no-wait'] }, ctx);
    try {
      const outcome = tracing ? await tracing.tracer.startActiveSpan(`weft run ${positionals.template}`, async (span) => {
        try {
          return await go();
        } finally {
          span.end();
        }
      }) : await go();
      return outcome.exitCode;
    } finally {
      await weft.close();
      await tracing?.shutdown();
    }
  },
});
