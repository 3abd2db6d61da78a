/**
 * `weft gate approve|reject <workflowId> <step>`: decides a waiting gate through the workflow's
 * `weft.gate` update; a rejection (no such gate, not waiting) prints the workflow's reason.
 */
import { defineCommand, type CliContext } from '../command.js';
import type { GateDecision } from '../../../workflows/definitions.js';

const positionals = [
  { name: 'workflowId', description: 'the task workflow ID' },
  { name: 'step', description: 'the gate step' },
] as const;

const options = {
  by: { type: 'string', placeholder: 'who', description: 'who decides (default $USER)' },
  comment: { type: 'string', placeholder: 'c', description: 'a comment recorded with the decision' },
} as const;

async function decide(
  ctx: CliContext,
  decision: GateDecision['decision'],
  args: { positionals: { workflowId: string; step: string }; options: { by: string | undefined; comment: string | undefined } },
): Promise<number> {
  const who = args.options.by ?? ctx.env['USER'] ?? ctx.env['LOGNAME'];
  const weft = await ctx.connect();
  try {
    const res = await weft.gate(args.positionals.workflowId, {
      step: args.positionals.step,
      decision,
      ...(who ? { by: who } : {}),
      ...(args.options.comment ? { comment: args.options.comment } : {}),
    });
    ctx.out(`${args.positionals.workflowId} ${res.step}: ${res.outcome}`);
    return 0;
  } finally {
    await weft.close();
  }
}

/** `weft gate approve`. */
export const gateApproveCommand = defineCommand({
  name: 'gate approve',
  summary: 'Approve a waiting gate; downstream steps proceed.',
  positionals,
  options,
  run: (args, ctx) => decide(ctx, 'approve', args),
});

/** `weft gate reject`. */
export const gateRejectCommand = defineCommand({
  name: 'gate reject',
  summary: 'Reject a waiting gate.',
  positionals,
  options,
  run: (args, ctx) => decide(ctx, 'reject', args),
});
