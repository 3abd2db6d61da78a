/**
 * Layer 1 of progressive disclosure: the markdown the Web UI shows as the run's current details.
 * Same table for static and planned steps; provenance is a column, not a different view.
 */
import { formatDuration } from '../src/core/budget.js';
import { countStates, type StepRecord } from '../src/core/steps.js';
import type { TaskState } from './definitions.js';
import type { TaskRun } from './run-state.js';

/** Rows shown in the details table at most; the step query and `weft inspect` have all. */
const DETAIL_MAX_ROWS = 60;

/**
 * Markdown-safe text for the Web UI: its renderer reads `$…$` as TeX (so "$0.06/$2.00" became a
 * formula and "12/40" a fraction) and `*`, `_`, backquotes and `|` as markup.
 */
export function mdText(text: string): string {
  return text.replace(/([\\`*_|$<>[\]])/g, '\\$1');
}

/** Renders the current details. */
export function renderDetails(run: TaskRun, state: TaskState): string {
  if (run.operatorHistory) return renderDetailsAsLists(run, state);
  const records = run.records();
  const lines = [
    `**${run.plan.name}@${run.plan.version}** · ${state}`,
    '',
    run.overviewLine(),
  ];
  if (run.ledger.exhausted) lines.push('', `Budget exhausted (${run.ledger.exhausted.dimension}): ${run.ledger.exhausted.message}`);
  const parked = records.filter((s) => s.state === 'parked');
  for (const p of parked) {
    lines.push('', `⚠ Step \`${p.name}\` is parked: ${p.error?.type ?? 'FAILED'} — ${p.error?.message ?? ''}. Resolve with \`weft dlq retry|skip|fail ${run.workflowId} ${p.name}\`.`);
  }
  lines.push('', '| step | state | handler | created by | fragment | time |', '|---|---|---|---|---|---|');
  // A fan-out's children are one row under it: a thousand partitions would push every other step out.
  const rows = records.filter((s) => s.spawnedBy === null);
  for (const s of rows.slice(0, DETAIL_MAX_ROWS)) {
    lines.push(row(s));
    const children = run.children.get(s.name);
    if (children) lines.push(childrenRow(s, children.map((c) => run.step(c))));
  }
  if (rows.length > DETAIL_MAX_ROWS) lines.push(`| … ${rows.length - DETAIL_MAX_ROWS} more | | | | | |`);
  return lines.join('\n');
}

/** One row for a fan-out's children: how many are in each state. */
function childrenRow(parent: StepRecord, children: readonly StepRecord[]): string {
  const states = countStates(children)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const first = children[0];
  const names = children.length === 1 ? `${first?.name ?? ''}` : `${parent.name}[0…${children.length - 1}]`;
  return `| ↳ ${names} | ${states} | ${first?.handler ?? ''} | batch_spawn by ${parent.name} | ${parent.provenance.fragmentId ?? ''} | |`;
}

function row(s: StepRecord): string {
  const p = s.provenance;
  const origin = p.createdBy === 'template' ? `template (${s.kind})` : `${p.createdBy} ${p.planningStep ?? ''} p${p.planningPhase ?? '?'}`;
  const time = s.startedAtMs !== null && s.finishedAtMs !== null ? formatDuration(s.finishedAtMs - s.startedAtMs) : '';
  return `| ${s.name} | ${s.state} | ${s.handler ?? 'planner'} | ${origin} | ${p.fragmentId ?? ''} | ${time} |`;
}

/**
 * Layer 1 for the Web UI as it is (2.42 renders no markdown tables): lists, escaped text, the
 * parked steps first with the command that resolves them, each planning attempt's outcome.
 */
function renderDetailsAsLists(run: TaskRun, state: TaskState): string {
  const records = run.records();
  const lines = [`**${mdText(`${run.plan.name}@${run.plan.version}`)}** · ${state}`, '', mdText(run.overviewLine())];
  if (run.ledger.exhausted) lines.push('', `Budget exhausted (${run.ledger.exhausted.dimension}): ${mdText(run.ledger.exhausted.message)}`);
  for (const p of records.filter((s) => s.state === 'parked')) {
    lines.push('', `⚠ **parked: ${mdText(p.name)}** — ${mdText(p.error?.type ?? 'FAILED')}: ${mdText(p.error?.message ?? '')}`, `resolve with \`weft dlq retry|skip|fail ${run.workflowId} ${p.name}\``);
  }
  if (run.planning.length > 0) {
    lines.push('', '**Planning attempts**');
    for (const a of run.planning.slice(-DETAIL_MAX_ATTEMPTS)) {
      const verdict = a.error ? `planner failed: ${a.error.type}` : a.accepted ? `accepted (${a.fragmentId ?? '?'})` : `rejected: ${[...new Set(a.diagnostics.map((d) => d.code))].join(', ')}`;
      lines.push(`- ${mdText(`${a.planningStep} phase ${a.phase}, attempt ${a.attempt} (${a.source}): ${verdict}`)}`);
    }
  }
  lines.push('', '**Steps**');
  const rows = records.filter((s) => s.spawnedBy === null);
  for (const s of rows.slice(0, DETAIL_MAX_ROWS)) {
    lines.push(`- ${mdText(listRow(s))}`);
    const children = run.children.get(s.name);
    if (children) {
      const states = countStates(children.map((c) => run.step(c))).map(([st, n]) => `${n} ${st}`).join(', ');
      lines.push(`  - ${mdText(`${s.name}[0…${children.length - 1}]: ${states} (batch_spawn)`)}`);
    }
  }
  if (rows.length > DETAIL_MAX_ROWS) lines.push(`- … ${rows.length - DETAIL_MAX_ROWS} more (weft inspect ${run.workflowId})`);
  return lines.join('\n');
}

/** Planning attempts listed in the details at most (the newest). */
const DETAIL_MAX_ATTEMPTS = 10;

function listRow(s: StepRecord): string {
  const p = s.provenance;
  const origin = p.createdBy === 'template' ? `template ${s.kind}` : `${p.createdBy} by ${p.planningStep ?? '?'} (phase ${p.planningPhase ?? '?'}${p.fragmentId ? `, ${p.fragmentId}` : ''})`;
  const time = s.startedAtMs !== null && s.finishedAtMs !== null ? ` · ${formatDuration(s.finishedAtMs - s.startedAtMs)}` : '';
  return `${s.name} · ${s.state} · ${s.handler ?? 'planner'} · ${origin}${time}`;
}
