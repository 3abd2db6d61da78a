/**
 * `weft inspect <workflowId> [--layer 1-4] [--json]`: progressive disclosure of one task.
 * Layer 1 overview and step table; layer 2 planning attempts (planner, model, tokens, cost,
 * latency, diagnostics, capabilities shown, prompt); layer 3 fragments (DAG, inputs, rejected
 * alternatives); layer 4 every step's input and output. Works on running and closed tasks.
 */
import type { TaskSummary, WeftClient } from '../../client.js';
import { formatUsd } from '../../core/budget.js';
import { countByOrigin, type StepRecord } from '../../core/steps.js';
import type { BudgetView, PlanningAttempt, StepDetail, TaskState } from '../../../workflows/definitions.js';
import { defineCommand } from '../command.js';
import { brief, json, seconds, table } from '../format.js';
import { fragmentText, rejectedText } from './inspect-fragments.js';

/** Layer 1: what every task shows, static or planned. */
export interface OverviewLayer {
  readonly layer: 1;
  readonly workflowId: string;
  readonly ui: string;
  readonly task: TaskSummary;
  readonly state: TaskState;
  readonly overview: string;
  readonly budget: BudgetView;
  readonly steps: StepRecord[];
}

/** Layer 2: every planning attempt. */
export interface PlanningLayer {
  readonly layer: 2;
  readonly workflowId: string;
  readonly attempts: Omit<PlanningAttempt, 'fragment' | 'output'>[];
}

/** Layer 3: the fragments, accepted and rejected. */
export interface FragmentLayer {
  readonly layer: 3;
  readonly workflowId: string;
  readonly accepted: PlanningAttempt[];
  readonly rejected: PlanningAttempt[];
}

/** Layer 4: every step with its input and output. */
export interface ExecutionLayer {
  readonly layer: 4;
  readonly workflowId: string;
  readonly steps: StepDetail[];
}

/** Reads layer 1. */
export async function overviewLayer(weft: WeftClient, workflowId: string): Promise<OverviewLayer> {
  const [task, state, budget, steps] = await settled([weft.describe(workflowId), weft.state(workflowId), weft.budget(workflowId), weft.steps(workflowId)] as const);
  const { template, planned, spawned } = countByOrigin(steps);
  const phases = budget.ledger.used.planningPhases;
  const overview =
    `${task.template ?? '?'} · ${task.status.toLowerCase()} (${state}) · ${phases} planning phase${phases === 1 ? '' : 's'}, ` +
    `${steps.length} steps (${template} from the template, ${planned} planned${spawned > 0 ? `, ${spawned} of them spawned by fan-outs` : ''}) · ${budget.line}`;
  return { layer: 1, workflowId, ui: weft.uiUrl(workflowId), task, state, overview, budget, steps };
}

/** Reads layer 2. */
export async function planningLayer(weft: WeftClient, workflowId: string): Promise<PlanningLayer> {
  const attempts = (await weft.planning(workflowId)).map(({ fragment: _f, output: _o, ...rest }) => rest);
  return { layer: 2, workflowId, attempts };
}

/** Reads layer 3. */
export async function fragmentLayer(weft: WeftClient, workflowId: string): Promise<FragmentLayer> {
  const attempts = await weft.planning(workflowId);
  return { layer: 3, workflowId, accepted: attempts.filter((a) => a.accepted), rejected: attempts.filter((a) => !a.accepted) };
}

/** Reads layer 4 (one query per step, a few at a time). */
export async function executionLayer(weft: WeftClient, workflowId: string): Promise<ExecutionLayer> {
  const names = (await weft.steps(workflowId)).map((s) => s.name);
  const details: (StepDetail | null)[] = new Array<StepDetail | null>(names.length).fill(null);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < names.length && !failed) {
      const i = next++;
      try {
        details[i] = await weft.step(workflowId, names[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await settled(Array.from({ length: Math.min(8, names.length) }, worker));
  return { layer: 4, workflowId, steps: details.filter((d): d is StepDetail => d !== null) };
}

/**
 * Like `Promise.all`, but rejects only once every call has settled: the caller closes the
 * connection next, and a call still in flight on a closed channel would crash the process.
 */
async function settled<T extends readonly unknown[]>(calls: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(calls);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function stepTable(steps: readonly StepRecord[]): string {
  const rows = steps.map((s) => {
    const p = s.provenance;
    const took = s.startedAtMs !== null && s.finishedAtMs !== null ? seconds(s.finishedAtMs - s.startedAtMs) : '';
    const note = s.error ? `${s.error.type}: ${s.error.message}` : (s.operatorAction ?? '');
    return [
      s.name,
      s.state,
      s.kind,
      s.handler ?? 'planner',
      p.createdBy === 'template' ? 'template' : `${p.createdBy} ${p.planningStep ?? ''}`,
      p.planningPhase === null ? '' : String(p.planningPhase),
      p.fragmentId ?? '',
      took,
      String(s.executions),
      note.length > 80 ? `${note.slice(0, 79)}…` : note,
    ];
  });
  return table(['step', 'state', 'kind', 'handler', 'created by', 'phase', 'fragment', 'time', 'runs', 'note'], rows);
}

function renderOverview(l: OverviewLayer): string {
  const lines = [`${l.workflowId}: ${l.overview}`, `Web UI: ${l.ui}`];
  if (l.budget.ledger.exhausted) lines.push(`budget exhausted (${l.budget.ledger.exhausted.dimension}): ${l.budget.ledger.exhausted.message}`);
  lines.push('', stepTable(l.steps));
  const parked = l.steps.filter((s) => s.state === 'parked');
  if (parked.length > 0) lines.push('', ...parked.map((s) => `parked: ${s.name}: resolve with weft dlq retry|skip|fail ${l.workflowId} ${s.name}`));
  lines.push('', `more: weft inspect ${l.workflowId} --layer 2 (planning), 3 (fragments), 4 (step inputs and outputs)`);
  return lines.join('\n');
}

const PROMPT_SHOWN = 2000;

function renderPlanning(l: PlanningLayer): string {
  if (l.attempts.length === 0) return `${l.workflowId}: no planning attempts yet.`;
  const lines = [`${l.workflowId}: ${l.attempts.length} planning attempt${l.attempts.length === 1 ? '' : 's'}`];
  for (const a of l.attempts) {
    const verdict = a.error ? `planner failed: ${a.error.type}: ${a.error.message}` : a.accepted ? `accepted (${a.fragmentId ?? '?'})` : 'rejected';
    lines.push(
      '',
      `${a.planningStep} phase ${a.phase} attempt ${a.attempt} [${a.source}]: ${verdict}`,
      `  planner: ${a.planner ?? '(none)'} · model: ${a.model ?? '(none)'} · tokens: ${a.inputTokens} in / ${a.outputTokens} out · ` +
        `cost: ${formatUsd(a.costUsd)} · latency: ${a.latencyMs} ms · LLM calls: ${a.llmCalls}`,
      ...(a.failedCalls ?? []).map(
        (c) => `  failed call (try ${c.activityAttempt}): ${c.errorType}${c.status === null ? '' : ` (${c.status})`} · model: ${c.model ?? '(unknown)'} · latency: ${c.latencyMs} ms · tokens: 0: ${c.message}`,
      ),
      `  capabilities shown: ${a.capabilities.join(', ') || '(none)'}`,
      `  diagnostics: ${a.diagnostics.length === 0 ? 'none' : [...new Set(a.diagnostics.map((d) => d.code))].join(', ')}`,
    );
    if (a.context) {
      lines.push(
        `  prompt: ~${a.context.estimatedTokens} tokens; ` + a.context.sections.map((s) => `${s.name} ${s.treatment}${s.note ? ` (${s.note})` : ''}`).join(', '),
        `  capability tiers: ${a.context.capabilitiesShown.map((c) => `${c.name}@${c.tier}`).join(', ') || '(none)'}`,
        `  cut: ${a.context.cut.length === 0 ? 'nothing' : a.context.cut.join('; ')}`,
      );
    }
    if (a.promptRef) lines.push(`  prompt text: stored as ${a.promptRef.$weft_blob} (${a.promptRef.bytes} bytes) in WEFT_BLOB_DIR`);
    else if (a.prompt === null) lines.push(`  prompt: none: ${a.source === 'fallback' ? "the template's fallback fragment" : 'scripted planner'}`);
    else {
      const cut = a.prompt.length > PROMPT_SHOWN ? `${a.prompt.slice(0, PROMPT_SHOWN)}\n… ${a.prompt.length - PROMPT_SHOWN} more characters (--json for all)` : a.prompt;
      lines.push('  prompt:', ...cut.split('\n').map((x) => `    ${x}`));
    }
  }
  lines.push('', `fragments and rejected alternatives: weft inspect ${l.workflowId} --layer 3`);
  return lines.join('\n');
}

function renderFragments(l: FragmentLayer): string {
  const lines: string[] = [];
  if (l.accepted.length === 0) lines.push(`${l.workflowId}: no accepted fragment yet.`);
  for (const a of l.accepted) lines.push(fragmentText(a), '');
  if (l.rejected.length > 0) {
    lines.push(`rejected alternatives (${l.rejected.length}):`);
    for (const a of l.rejected) lines.push(rejectedText(a), '');
  }
  return lines.join('\n').trimEnd();
}

function renderExecution(l: ExecutionLayer): string {
  const lines = [`${l.workflowId}: ${l.steps.length} steps (values cut; --json for all)`];
  for (const d of l.steps) {
    const r = d.record;
    lines.push('', `${r.name}  ${r.state}  ${r.handler ?? 'planner'} (${r.provenance.createdBy}${r.provenance.fragmentId ? `, ${r.provenance.fragmentId}` : ''})`);
    lines.push(`  input:  ${d.input === null ? '(none)' : brief(d.input, 300)}`);
    lines.push(`  output: ${d.output === null ? '(none)' : brief(d.output, 300)}`);
    if (r.error) lines.push(`  error:  ${r.error.type}: ${r.error.message}`);
  }
  return lines.join('\n');
}

/** `weft inspect`. */
export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'Show a task layer by layer: overview, planning, fragments, step inputs and outputs.',
  description:
    'Layer 1: overview line and step table. Layer 2: planning attempts (planner, model, tokens, cost, latency, ' +
    'diagnostics, capabilities shown, prompt). Layer 3: fragments (DAG, handler inputs, rejected alternatives ' +
    'with diagnostics). Layer 4: every step input and output. Needs a worker to answer queries, also for closed tasks.',
  positionals: [{ name: 'workflowId', description: 'the task workflow ID' }],
  options: {
    layer: { type: 'string', choices: ['1', '2', '3', '4'], description: 'which layer (default 1)' },
    json: { type: 'boolean', description: 'print the layer as JSON, nothing cut' },
  },
  async run({ positionals, options }, ctx) {
    const weft = await ctx.connect();
    try {
      const id = positionals.workflowId;
      switch (options.layer ?? '1') {
        case '2': {
          const l = await planningLayer(weft, id);
          ctx.out(options.json ? json(l) : renderPlanning(l));
          break;
        }
        case '3': {
          const l = await fragmentLayer(weft, id);
          ctx.out(options.json ? json(l) : renderFragments(l));
          break;
        }
        case '4': {
          const l = await executionLayer(weft, id);
          ctx.out(options.json ? json(l) : renderExecution(l));
          break;
        }
        default: {
          const l = await overviewLayer(weft, id);
          ctx.out(options.json ? json(l) : renderOverview(l));
        }
      }
      return 0;
    } finally {
      await weft.close();
    }
  },
});
