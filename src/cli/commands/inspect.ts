/**
 * `weft inspect <workflowId> [--layer 1-4] [--json]`: progressive disclosure of one task, read
 * from its history, memo and visibility record — no worker needed, finished tasks too.
 * Layer 1 overview and step table; layer 2 planning attempts (planner, model, tokens, cost,
 * latency, outcome, diagnostics, capabilities shown, prompt; `--prompt` prints the whole prompt,
 * from the blob store when it was large); layer 3 fragments (DAG, inputs, rejected alternatives);
 * layer 4 each step's input, output, timing and attempts (`--resolve` replaces blob pointers).
 */
import { formatUsd } from '../../core/budget.js';
import type { PlanningAttempt } from '../../../workflows/definitions.js';
import { outcomeLine } from '../../core/planning-outcome.js';
import type { ExecutionView, StepView, StepViewRecord } from '../../history/task-view.js';
import { CliError, defineCommand, type CliContext } from '../command.js';
import { brief, json, seconds, table } from '../format.js';
import { fragmentText, rejectedText } from './inspect-fragments.js';
import {
  executionLayer,
  fragmentLayer,
  overviewLayer,
  planningLayer,
  readLayers,
  type ExecutionLayer,
  type FragmentLayer,
  type OverviewLayer,
  type PlanningLayer,
} from './inspect-layers.js';


function took(s: StepViewRecord, planningMs: number | undefined): string {
  const total = s.startedAtMs !== null && s.finishedAtMs !== null ? s.finishedAtMs - s.startedAtMs : null;
  if (planningMs === undefined) return total === null ? '' : seconds(total);
  // A planning step's own time is its planning calls; the rest is its fragments running.
  return `${seconds(planningMs)} planning${total === null ? '' : ` (${seconds(total)} with fragments)`}`;
}

function stepTable(steps: readonly StepViewRecord[], planningMs: Readonly<Record<string, number>>): string {
  const rows = steps.map((s) => {
    const p = s.provenance;
    const note = s.error ? `${s.error.type}: ${s.error.message}` : (s.operatorAction ?? '');
    return [
      s.name,
      s.state,
      s.kind,
      s.handler ?? 'planner',
      p.createdBy === 'template' ? 'template' : `${p.createdBy} ${p.planningStep ?? ''}`,
      p.planningPhase === null ? '' : String(p.planningPhase),
      p.fragmentId ?? '',
      took(s, planningMs[s.name]),
      String(s.executions),
      note.length > 80 ? `${note.slice(0, 79)}…` : note,
    ];
  });
  return table(['step', 'state', 'kind', 'handler', 'created by', 'phase', 'fragment', 'time', 'runs', 'note'], rows);
}

function renderOverview(l: OverviewLayer): string {
  const lines = [`${l.workflowId}: ${l.overview}`, `Web UI: ${l.ui}`];
  if (l.budget?.ledger.exhausted) lines.push(`budget exhausted (${l.budget.ledger.exhausted.dimension}): ${l.budget.ledger.exhausted.message}`);
  if (l.runs > 1 || l.slices > 0) {
    const parts = [...(l.runs > 1 ? [`${l.runs} runs (it continued as new)`] : []), ...(l.slices > 0 ? [`${l.slices} slice${l.slices === 1 ? '' : 's'} (child workflows)`] : [])];
    lines.push(`histories: ${parts.join(' and ')}; every step is shown as the task's (layer 4 says where each execution ran)`);
  }
  lines.push('', stepTable(l.steps, l.planningMs));
  const parked = l.steps.filter((s) => s.state === 'parked');
  if (parked.length > 0) lines.push('', ...parked.map((s) => `parked: ${s.name}: resolve with weft dlq retry|skip|fail ${l.workflowId} ${s.name}`));
  lines.push('', `more: weft inspect ${l.workflowId} --layer 2 (planning), 3 (fragments), 4 (step inputs and outputs)`);
  return lines.join('\n');
}

const PROMPT_SHOWN = 2000;

/** Layer 2's token classes of an attempt: what was read from and written to the prompt cache, thinking. */
function usageLine(u: NonNullable<PlanningAttempt['usage']>, outputMode: string | null): string {
  const writes = u.cacheWrite1h > 0 ? `${u.cacheWrite5m} (5m) + ${u.cacheWrite1h} (1h)` : String(u.cacheWrite5m);
  return `tokens by class: input ${u.input} · cache read ${u.cacheRead} · cache write ${writes} · output ${u.output} (thinking ${u.thinking})` + (outputMode ? ` · output mode: ${outputMode}` : '');
}

function renderPlanning(l: PlanningLayer, prompts: ReadonlyMap<number, string> | null): string {
  if (l.attempts.length === 0) return `${l.workflowId}: no planning attempts yet.`;
  const lines = [`${l.workflowId}: ${l.attempts.length} planning attempt${l.attempts.length === 1 ? '' : 's'}`];
  for (const [i, a] of l.attempts.entries()) {
    const verdict = a.error ? `planner failed: ${a.error.type}: ${a.error.message}` : outcomeLine(a);
    lines.push(
      '',
      `${a.planningStep} phase ${a.phase} attempt ${a.attempt} [${a.source}]: ${verdict}`,
      `  planner: ${a.planner ?? '(none)'} · model: ${a.model ?? '(none)'} · tokens: ${a.inputTokens} in / ${a.outputTokens} out · ` +
        `cost: ${formatUsd(a.costUsd)} · latency: ${a.latencyMs} ms · LLM calls: ${a.llmCalls}`,
      ...(a.usage ? [`  ${usageLine(a.usage, a.outputMode ?? null)}`] : []),
      // Kept only when the planner was told to (showThinking); the text is in --json.
      ...(a.thinking ? [`  thinking text: ${a.thinking.length} characters (--json for the text)`] : []),
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
    const full = prompts?.get(i);
    if (full !== undefined) lines.push('  prompt text:', ...full.split('\n').map((x) => `    ${x}`));
    else if (a.promptRef) lines.push(`  prompt text: stored as ${a.promptRef.$weft_blob} (${a.promptRef.bytes} bytes): weft inspect ${l.workflowId} --layer 2 --prompt, or weft blob get ${a.promptRef.$weft_blob}`);
    else if (a.prompt === null) lines.push(`  prompt: none: ${a.source === 'fallback' ? "the template's fallback fragment" : 'scripted planner'}`);
    else {
      const cut = a.prompt.length > PROMPT_SHOWN ? `${a.prompt.slice(0, PROMPT_SHOWN)}\n… ${a.prompt.length - PROMPT_SHOWN} more characters (--prompt for all)` : a.prompt;
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

function at(ms: number | null, origin: number): string {
  return ms === null ? '—' : `+${seconds(ms - origin)}`;
}

/** Where an execution ran, when not in the task's latest run: its history is the one to open. */
function where(l: ExecutionLayer, e: ExecutionView): string {
  if (e.workflowId !== l.workflowId) return `; in slice ${e.workflowId} (event ${e.scheduledEventId})`;
  if (e.runId !== l.runId) return `; in earlier run ${e.runId} (event ${e.scheduledEventId})`;
  return '';
}

function renderExecution(l: ExecutionLayer, origin: number, full: boolean): string {
  const cut = full ? 100_000 : 300;
  const lines = [`${l.workflowId}: ${l.steps.length} step${l.steps.length === 1 ? '' : 's'}${full ? '' : ' (values cut; --json for all)'}; times from the task's start`];
  for (const d of l.steps) {
    const r = d.record;
    lines.push('', `${r.name}  ${r.state}  ${r.handler ?? 'planner'} (${r.provenance.createdBy}${r.provenance.fragmentId ? `, ${r.provenance.fragmentId}` : ''})`);
    lines.push(`  input:  ${d.input === null ? '(none)' : brief(d.input, cut)}`);
    lines.push(`  output: ${d.output === null ? '(none)' : brief(d.output, cut)}`);
    if (r.startedAtMs !== null) lines.push(`  time:   started ${at(r.startedAtMs, origin)}, finished ${at(r.finishedAtMs, origin)}${d.planningMs !== null ? `; ${seconds(d.planningMs)} in planning calls` : ''}`);
    for (const [i, e] of d.executions.entries()) {
      const why = e.error ? ` — ${e.error.type}: ${e.error.message}` : e.lastFailure ? ` (retried after ${e.lastFailure.type}: ${e.lastFailure.message})` : '';
      lines.push(
        `  execution ${i + 1}: ${e.outcome} after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}; scheduled ${at(e.scheduledAtMs, origin)}, started ${at(e.startedAtMs, origin)}, closed ${at(e.closedAtMs, origin)}${where(l, e)}${why}`,
      );
    }
    if (r.error) lines.push(`  error:  ${r.error.type}: ${r.error.message}`);
    if (r.operatorAction) lines.push(`  operator: ${r.operatorAction}`);
  }
  return lines.join('\n');
}

async function blobStore(ctx: Pick<CliContext, 'env' | 'cwd'>) {
  const { blobStoreFromEnv } = await import('../../blob/from-env.js');
  const store = blobStoreFromEnv(ctx.env, ctx.cwd);
  return { store, dir: store.location ?? 'the blob store' };
}

/** The whole prompt of each attempt that has one (from the blob store when it was large). */
async function prompts(l: PlanningLayer, ctx: Pick<CliContext, 'env' | 'cwd'>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const { store, dir } = await blobStore(ctx);
  for (const [i, a] of l.attempts.entries()) {
    if (a.prompt !== null) out.set(i, a.prompt);
    else if (a.promptRef) {
      try {
        const text = await store.get(a.promptRef.$weft_blob);
        out.set(i, typeof text === 'string' ? text : JSON.stringify(text, null, 2));
      } catch (e) {
        throw new CliError(`the prompt of ${a.planningStep} phase ${a.phase} attempt ${a.attempt} is ${a.promptRef.$weft_blob}, not readable in ${dir}: ${(e as Error).message} Set WEFT_BLOB_URL or WEFT_BLOB_DIR to the workers' blob store.`, 1);
      }
    }
  }
  return out;
}

async function resolved(l: ExecutionLayer, ctx: Pick<CliContext, 'env' | 'cwd'>): Promise<ExecutionLayer> {
  const [{ resolveBlobs }, { store }] = await Promise.all([import('../../blob/resolve.js'), blobStore(ctx)]);
  const steps: StepView[] = [];
  for (const s of l.steps) {
    steps.push({ ...s, input: s.input === null ? null : await resolveBlobs(s.input, store), output: s.output === null ? null : await resolveBlobs(s.output, store) });
  }
  return { ...l, steps };
}

/** `weft inspect`. */
export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'Show a task layer by layer: overview, planning, fragments, step inputs and outputs.',
  description:
    'Layer 1: overview line and step table. Layer 2: planning attempts (planner, model, tokens, cost, latency, ' +
    'accepted or rejected with codes, capabilities shown, prompt). Layer 3: fragments (DAG, handler inputs, rejected ' +
    'alternatives with diagnostics). Layer 4: each step input, output, timing and attempts. Reads the task history ' +
    '(every run, and every slice that ran part of its steps): works with no worker running and on finished tasks.',
  positionals: [{ name: 'workflowId', description: 'the task workflow ID' }],
  options: {
    layer: { type: 'string', choices: ['1', '2', '3', '4'], description: 'which layer (default 1)' },
    json: { type: 'boolean', description: 'print the layer as JSON, nothing cut' },
    prompt: { type: 'boolean', description: 'layer 2: print each planning prompt whole (large ones from the blob store: WEFT_BLOB_URL or WEFT_BLOB_DIR)' },
    step: { type: 'string', placeholder: 'name', description: 'layer 4: only this step' },
    resolve: { type: 'boolean', description: 'layer 4: replace blob pointers in inputs and outputs with the stored values (WEFT_BLOB_URL or WEFT_BLOB_DIR)' },
  },
  async run({ positionals, options }, ctx) {
    const layer = options.layer ?? '1';
    if (options.prompt && layer !== '2') throw new CliError('--prompt goes with --layer 2');
    if ((options.resolve || options.step !== undefined) && layer !== '4') throw new CliError('--resolve and --step go with --layer 4');
    const weft = await ctx.connect();
    try {
      const { view, task } = await readLayers(weft, positionals.workflowId);
      switch (layer) {
        case '2': {
          const l = planningLayer(view);
          ctx.out(options.json ? json(l) : renderPlanning(l, options.prompt ? await prompts(l, ctx) : null));
          break;
        }
        case '3': {
          const l = fragmentLayer(view);
          ctx.out(options.json ? json(l) : renderFragments(l));
          break;
        }
        case '4': {
          if (options.step !== undefined && !view.steps.some((s) => s.record.name === options.step)) {
            throw new CliError(`task ${view.workflowId} has no step '${options.step}'; its steps: ${view.steps.map((s) => s.record.name).slice(0, 20).join(', ')}`);
          }
          let l = executionLayer(view, options.step === undefined ? undefined : [options.step]);
          if (options.resolve) l = await resolved(l, ctx);
          ctx.out(options.json ? json(l) : renderExecution(l, view.startedAtMs, options.step !== undefined || Boolean(options.resolve)));
          break;
        }
        default: {
          const l = overviewLayer(weft, view, task);
          ctx.out(options.json ? json(l) : renderOverview(l));
        }
      }
      return 0;
    } finally {
      await weft.close();
    }
  },
});
