/**
 * `weft dlq list|retry|skip|fail`: the dead-letter queue is every parked step across tasks
 * (visibility `WeftState = 'parked'`, then each task's history; no worker needed). Acting on a
 * step goes through the workflow's `weft.operate` update; a rejection prints the workflow's
 * reason, and with no worker on the task's queue it fails fast saying so.
 */
import type { WeftClient } from '../../client.js';
import type { StepViewRecord } from '../../history/task-view.js';
import { defineCommand, type CliContext } from '../command.js';
import { parseJsonArgument } from '../files.js';
import { json, table } from '../format.js';
import type { OperateRequest } from '../../../workflows/definitions.js';

/** One parked step. */
export interface ParkedStep {
  readonly workflowId: string;
  readonly template: string | null;
  readonly taskQueue: string;
  readonly step: StepViewRecord;
  /** Since when it waits (epoch ms), when the history says. */
  readonly parkedSinceMs: number | null;
}

/** A task visibility lists as parked whose history could not be read: shown, never dropped. */
export interface UnreadableTask {
  readonly workflowId: string;
  readonly template: string | null;
  readonly error: string;
}

/**
 * Every parked step across running tasks: visibility finds the tasks (`WeftState = 'parked'`),
 * each task's history names the steps. No worker needed. A task whose history cannot be read is
 * returned as unreadable, so "nothing parked" is only said when nothing is.
 */
export async function parkedSteps(weft: WeftClient): Promise<{ parked: ParkedStep[]; unreadable: UnreadableTask[] }> {
  const parked: ParkedStep[] = [];
  const unreadable: UnreadableTask[] = [];
  for (const task of await weft.listParked()) {
    try {
      const view = await weft.read(task.workflowId);
      if (view.status !== 'RUNNING') continue; // closed since the visibility read
      const steps = view.steps.filter((s) => s.record.state === 'parked');
      if (steps.length === 0 && view.state !== 'parked') continue; // resolved since the visibility read
      if (steps.length === 0) unreadable.push({ workflowId: task.workflowId, template: task.template, error: 'WeftState is parked, but no parked step was found in its history' });
      for (const s of steps) parked.push({ workflowId: task.workflowId, template: task.template, taskQueue: view.taskQueue, step: s.record, parkedSinceMs: s.parkedSinceMs });
    } catch (err) {
      unreadable.push({ workflowId: task.workflowId, template: task.template, error: (err as Error).message });
    }
  }
  return { parked, unreadable };
}

function operator(ctx: Pick<CliContext, 'env'>): string | undefined {
  return ctx.env['USER'] ?? ctx.env['LOGNAME'];
}

async function operate(ctx: CliContext, workflowId: string, request: OperateRequest): Promise<number> {
  const weft = await ctx.connect();
  try {
    const res = await weft.operate(workflowId, request);
    ctx.out(`${workflowId} ${res.step}: ${res.state}`);
    ctx.out(`follow it with: weft inspect ${workflowId}`);
    return 0;
  } finally {
    await weft.close();
  }
}

const target = [
  { name: 'workflowId', description: 'the task workflow ID' },
  { name: 'step', description: 'the parked step' },
] as const;

/** `weft dlq list`. */
export const dlqListCommand = defineCommand({
  name: 'dlq list',
  summary: 'List parked steps across tasks (the dead-letter queue).',
  positionals: [],
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run({ options }, ctx) {
    const weft = await ctx.connect();
    try {
      const { parked, unreadable } = await parkedSteps(weft);
      if (options.json) ctx.out(json({ parked, unreadable }));
      else {
        if (parked.length === 0 && unreadable.length === 0) ctx.out('nothing parked');
        if (parked.length > 0) {
          ctx.out(
            table(
              ['task', 'template', 'step', 'handler', 'created by', 'runs', 'error'],
              parked.map((p) => [p.workflowId, p.template ?? '', p.step.name, p.step.handler ?? 'planner', p.step.provenance.createdBy, String(p.step.executions), p.step.error ? `${p.step.error.type}: ${p.step.error.message}` : '']),
            ),
          );
          ctx.out('');
          ctx.out('resolve with: weft dlq retry|skip|fail <task> <step> (needs a worker on the task queue)');
        }
        for (const u of unreadable) ctx.err(`weft dlq list: task ${u.workflowId} is parked, but its steps could not be read: ${u.error}`);
      }
      return unreadable.length > 0 ? 1 : 0;
    } finally {
      await weft.close();
    }
  },
});

/** `weft dlq retry`. */
export const dlqRetryCommand = defineCommand({
  name: 'dlq retry',
  summary: 'Retry a parked step (a fresh activity execution with its retry policy).',
  positionals: target,
  options: { reason: { type: 'string', placeholder: 'text', description: 'why (recorded on the step)' } },
  run: ({ positionals, options }, ctx) =>
    operate(ctx, positionals.workflowId, { step: positionals.step, action: 'retry', ...by(ctx), ...(options.reason ? { reason: options.reason } : {}) }),
});

/** `weft dlq skip`. */
export const dlqSkipCommand = defineCommand({
  name: 'dlq skip',
  summary: 'Skip a parked step with a given output that downstream steps will see.',
  description: "The output must fit the step's output schema; the workflow rejects it otherwise and says why.",
  positionals: target,
  options: {
    output: { type: 'string', placeholder: 'json', required: true, description: 'the output, as JSON' },
    reason: { type: 'string', placeholder: 'text', description: 'why (recorded on the step)' },
  },
  run: ({ positionals, options }, ctx) =>
    operate(ctx, positionals.workflowId, {
      step: positionals.step,
      action: 'skip',
      output: parseJsonArgument(options.output, 'output'),
      ...by(ctx),
      ...(options.reason ? { reason: options.reason } : {}),
    }),
});

/** `weft dlq fail`. */
export const dlqFailCommand = defineCommand({
  name: 'dlq fail',
  summary: 'Fail a parked step, and with it the task.',
  positionals: target,
  options: { reason: { type: 'string', placeholder: 'text', description: 'why (part of the failure message)' } },
  run: ({ positionals, options }, ctx) =>
    operate(ctx, positionals.workflowId, { step: positionals.step, action: 'fail', ...by(ctx), ...(options.reason ? { reason: options.reason } : {}) }),
});

function by(ctx: Pick<CliContext, 'env'>): { by?: string } {
  const who = operator(ctx);
  return who ? { by: who } : {};
}
