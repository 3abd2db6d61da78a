/**
 * `weft dlq list|retry|skip|fail`: the dead-letter queue is every parked step across tasks
 * (visibility `WeftState = 'parked'`, then each task's step table). Acting on a step goes through
 * the workflow's `weft.operate` update; a rejection prints the workflow's reason.
 */
import type { WeftClient } from '../../client.js';
import type { StepRecord } from '../../core/steps.js';
import { defineCommand, type CliContext } from '../command.js';
import { parseJsonArgument } from '../files.js';
import { json, table } from '../format.js';
import type { OperateRequest } from '../../../workflows/definitions.js';

/** One parked step. */
export interface ParkedStep {
  readonly workflowId: string;
  readonly template: string | null;
  readonly step: StepRecord;
}

/** Every parked step across running tasks. */
export async function parkedSteps(weft: WeftClient): Promise<ParkedStep[]> {
  const out: ParkedStep[] = [];
  for (const task of await weft.listParked()) {
    let steps: StepRecord[];
    try {
      steps = await weft.steps(task.workflowId);
    } catch {
      continue; // closed since the visibility read, or no worker: the next list will tell
    }
    for (const step of steps.filter((s) => s.state === 'parked')) out.push({ workflowId: task.workflowId, template: task.template, step });
  }
  return out;
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
      const parked = await parkedSteps(weft);
      if (options.json) ctx.out(json(parked));
      else if (parked.length === 0) ctx.out('nothing parked');
      else {
        ctx.out(
          table(
            ['task', 'template', 'step', 'handler', 'created by', 'runs', 'error'],
            parked.map((p) => [p.workflowId, p.template ?? '', p.step.name, p.step.handler ?? 'planner', p.step.provenance.createdBy, String(p.step.executions), p.step.error ? `${p.step.error.type}: ${p.step.error.message}` : '']),
          ),
        );
        ctx.out('');
        ctx.out('resolve with: weft dlq retry|skip|fail <task> <step>');
      }
      return 0;
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
