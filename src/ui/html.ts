/**
 * `weft ui`'s pages as HTML strings: the task list with the `Weft*` filters, a task (DAG with
 * states and provenance, planned vs actual, planning attempts side by side, budget bars), and a
 * step (layer 4). Everything is escaped; the DAG is an SVG laid out on the server.
 */
import { formatUsd } from '../core/budget.js';
import type { TaskSummary } from '../client.js';
import type { ExecutionView, StepView, TaskView } from '../history/task-view.js';
import { candidateGraph, NODE_HEIGHT, NODE_WIDTH, taskGraph, type Graph } from './graph.js';

/** Escapes text for HTML. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:16px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
.node rect{stroke:#555;stroke-width:1}.state-completed rect{fill:#d8f0d8}.state-running rect{fill:#d8e8ff}.state-pending rect{fill:#f4f4f4}.state-not_run rect{fill:#fff;stroke-dasharray:4}
.state-parked rect{fill:#ffe0a0}.state-failed rect{fill:#ffd0d0}.state-skipped rect{fill:#eee;stroke-dasharray:2}.state-cancelled rect{fill:#e8e8e8}
.prov-template rect{stroke-width:2}.prov-planning_step rect{stroke:#7a4fc0}.edge{fill:none;stroke:#888}.edge-planned{stroke:#7a4fc0;stroke-dasharray:5}
.diag rect{stroke:#c00;stroke-width:3}.bar{background:#eee;width:240px;height:12px;display:inline-block}.bar>span{background:#69c;height:12px;display:block}
.attempts{display:flex;gap:16px;flex-wrap:wrap}.attempt{border:1px solid #ccc;padding:8px}.rejected{border-color:#c00}.accepted{border-color:#393}pre{white-space:pre-wrap;max-width:1100px}`;

/** A whole page. */
export function page(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html><html><head><meta charset="utf-8">${refresh}<title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The filters of the task list, as given in the query string. */
export interface ListFilters {
  readonly template?: string;
  readonly state?: string;
  readonly parked?: boolean;
  readonly exhausted?: boolean;
  readonly createdBy?: string;
}

const quote = (v: string) => `'${v.replace(/'/g, "\\'")}'`;

/** The visibility query for the filters (weft tasks only). */
export function listQuery(f: ListFilters): string {
  const parts = [`WorkflowType = 'weftTask'`];
  if (f.template) parts.push(`WeftTemplate = ${quote(f.template)}`);
  if (f.state) parts.push(`WeftState = ${quote(f.state)}`);
  if (f.parked) parts.push(`WeftState = 'parked' AND ExecutionStatus = 'Running'`);
  if (f.exhausted) parts.push('WeftBudgetExhausted = true');
  if (f.createdBy) parts.push(`WeftCreatedBy = ${quote(f.createdBy)}`);
  return parts.join(' AND ');
}

/** The task list page. */
export function listPage(tasks: readonly TaskSummary[], f: ListFilters, query: string): string {
  const input = (name: string, value: string | undefined) => `<label>${name} <input name="${name}" value="${esc(value ?? '')}"></label>`;
  const box = (name: string, on: boolean | undefined) => `<label><input type="checkbox" name="${name}" value="1"${on ? ' checked' : ''}> ${name}</label>`;
  const rows = tasks
    .map((t) => `<tr class="task" data-task="${esc(t.workflowId)}"><td><a href="/tasks/${encodeURIComponent(t.workflowId)}">${esc(t.workflowId)}</a></td><td>${esc(t.template ?? '')}</td><td>${esc(t.state ?? '')}</td><td>${esc(t.status)}</td><td>${esc(t.startTime.toISOString())}</td></tr>`)
    .join('');
  return page(
    'weft tasks',
    `<h1>weft tasks</h1><form>${input('template', f.template)} ${input('state', f.state)} ${box('parked', f.parked)} ${box('exhausted', f.exhausted)} ${input('createdBy', f.createdBy)} <button>filter</button></form>
<p><code>${esc(query)}</code></p><table><tr><th>task</th><th>template</th><th>WeftState</th><th>status</th><th>started</th></tr>${rows || '<tr><td colspan="5">no tasks match</td></tr>'}</table>`,
  );
}

/** An SVG of a laid-out graph; nodes link to their step page when `href` is given. */
export function svg(graph: Graph, href?: (step: string) => string, id?: string): string {
  const edges = graph.edges
    .map((e) => `<path class="edge edge-${e.kind}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="${e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const nodes = graph.nodes
    .map((n) => {
      const x = n.x - NODE_WIDTH / 2;
      const y = n.y - NODE_HEIGHT / 2;
      const diag = n.diagnostics.length > 0 ? ` diag" data-diagnostics="${esc(n.diagnostics.join(' '))}` : '';
      const sub = n.children ?? (n.diagnostics.length > 0 ? n.diagnostics.join(', ') : `${n.state} · ${n.provenance}`);
      const inner = `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6"/><text x="${(x + 8).toFixed(1)}" y="${(y + 20).toFixed(1)}">${esc(n.name)} · ${esc(n.handler)}</text><text x="${(x + 8).toFixed(1)}" y="${(y + 38).toFixed(1)}" font-size="11">${esc(sub.slice(0, 40))}</text><title>${esc(`${n.name} (${n.handler}) ${n.state}; ${n.provenance}${n.children ? `; ${n.children}` : ''}`)}</title>`;
      const g = `<g class="node state-${n.state} prov-${esc(n.createdBy)}${diag}" data-step="${esc(n.name)}" data-state="${n.state}" data-provenance="${esc(n.createdBy)}">${inner}</g>`;
      return href ? `<a href="${esc(href(n.name))}">${g}</a>` : g;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg"${id ? ` id="${id}"` : ''} width="${Math.ceil(graph.width)}" height="${Math.ceil(graph.height)}">${edges}${nodes}</svg>`;
}

function bar(label: string, used: number, limit: number, text: string): string {
  const pct = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 0;
  return `<div class="budget" data-dimension="${esc(label)}">${esc(label)} <span class="bar"><span style="width:${pct}%"></span></span> ${esc(text)}</div>`;
}

/** The task page: overview, budget bars, DAG, planned vs actual, planning attempts. */
export function taskPage(view: TaskView, temporalUi: string): string {
  const id = encodeURIComponent(view.workflowId);
  const b = view.budget?.ledger;
  const now = view.closedAtMs ?? Date.now();
  const bars = b
    ? [
        bar('steps', b.used.steps, b.limits.maxSteps, `${b.used.steps}/${b.limits.maxSteps}`),
        bar('phases', b.used.planningPhases, b.limits.maxPlanningPhases, `${b.used.planningPhases}/${b.limits.maxPlanningPhases}`),
        bar('LLM calls', b.used.llmCalls, b.limits.maxLlmCalls, `${b.used.llmCalls}/${b.limits.maxLlmCalls}`),
        bar('cost', b.used.costUsd, b.limits.maxCostUsd, `${formatUsd(b.used.costUsd)}/${formatUsd(b.limits.maxCostUsd)}`),
        bar('wall time', now - b.startedAtMs, b.limits.maxWallTimeMs, `${Math.round((now - b.startedAtMs) / 1000)} s/${Math.round(b.limits.maxWallTimeMs / 1000)} s`),
      ].join('')
    : '<p>no budget recorded yet</p>';
  const rows = view.steps
    .filter((s) => s.record.spawnedBy === null)
    .map((s) => {
      const p = s.record.provenance;
      const planned = p.createdBy === 'template' ? 'template' : `${p.planningStep ?? '?'} phase ${p.planningPhase ?? '?'} (${p.fragmentId ?? 'no fragment'})`;
      return `<tr class="step" data-step="${esc(s.record.name)}"><td><a href="/tasks/${id}/steps/${encodeURIComponent(s.record.name)}">${esc(s.record.name)}</a></td><td>${esc(s.record.handler ?? 'planner')}</td><td>${esc(p.createdBy)}</td><td>${esc(planned)}</td><td class="actual">${esc(s.record.state)}</td><td>${esc(s.record.error ? `${s.record.error.type}: ${s.record.error.message}` : (s.record.operatorAction ?? ''))}</td></tr>`;
    })
    .join('');
  const attempts = view.planning
    .map((a) => {
      const cls = a.accepted ? 'accepted' : 'rejected';
      const graph = a.fragment ? svg(candidateGraph(a.fragment, a.diagnostics)) : '<p>no parseable candidate</p>';
      const diags = a.diagnostics.map((d) => `<li data-code="${esc(d.code)}"><b>${esc(d.code)}</b> <code>${esc(d.path)}</code>: ${esc(d.message)}<br><i>${esc(d.hint)}</i></li>`).join('');
      const prompt = a.prompt !== null ? `<details><summary>prompt (${a.prompt.length} chars)</summary><pre>${esc(a.prompt)}</pre></details>` : a.promptRef ? `<p>prompt: <code>weft blob get ${esc(a.promptRef.$weft_blob)}</code></p>` : '';
      const composition = a.context ? `<p>composition: ${esc(a.context.sections.map((s) => `${s.name} ${s.treatment}`).join(', '))}; ~${a.context.estimatedTokens} tokens</p>` : '';
      return `<div class="attempt ${cls}" data-attempt="${a.planningStep}:${a.phase}:${a.attempt}" data-accepted="${a.accepted}"><h3>${esc(`${a.planningStep} phase ${a.phase} attempt ${a.attempt} (${a.source})`)}: ${a.accepted ? `accepted ${esc(a.fragmentId ?? '')}` : a.error ? `planner failed: ${esc(a.error.type)}` : 'rejected'}</h3>
<p>${esc(`${a.planner ?? '—'} · ${a.model ?? '—'} · ${a.inputTokens} in / ${a.outputTokens} out · ${formatUsd(a.costUsd)} · ${a.latencyMs} ms`)}</p>${composition}${graph}<ul>${diags}</ul>${prompt}</div>`;
    })
    .join('');
  const running = view.status === 'RUNNING';
  return page(
    `weft ${view.workflowId}`,
    `<p><a href="/">tasks</a></p><h1>${esc(view.workflowId)}</h1><p class="overview">${esc(view.plan?.name ?? '?')} · <b class="task-state">${esc(view.state)}</b> · ${esc(view.status)} · <a class="temporal" href="${esc(temporalUi)}">Temporal Web UI</a>${running ? ' · refreshes every 5 s' : ''}</p>
${view.failure ? `<p class="failure">${esc(`${view.failure.type}: ${view.failure.message}`)}</p>` : ''}<h2>Budget</h2>${bars}<h2>DAG</h2>${svg(taskGraph(view), (s) => `/tasks/${id}/steps/${encodeURIComponent(s)}`, 'dag')}
<h2>Planned vs actual</h2><table><tr><th>step</th><th>handler</th><th>created by</th><th>planned by</th><th>actual</th><th>note</th></tr>${rows}</table>
<h2>Planning attempts</h2><div class="attempts">${attempts || '<p>none</p>'}</div>`,
    running ? 5 : undefined,
  );
}

/**
 * The step page: layer 4 with a link to the same step in the Temporal Web UI, and with
 * `historyLink`, each execution's link into the history that holds it (the task's, an earlier
 * run's, a slice's).
 */
export function stepPage(view: TaskView, s: StepView, temporalUi: string, historyLink?: (e: ExecutionView) => string): string {
  const r = s.record;
  const origin = view.startedAtMs;
  const t = (ms: number | null) => (ms === null ? '—' : `+${((ms - origin) / 1000).toFixed(1)} s`);
  const ran = (e: ExecutionView) => (e.workflowId !== view.workflowId ? `slice ${e.workflowId}` : e.runId !== view.runId ? `earlier run ${e.runId}` : 'the task');
  const where = (e: ExecutionView) => (historyLink ? `<a class="history" href="${esc(historyLink(e))}">${esc(ran(e))}</a>` : esc(ran(e)));
  const execs = s.executions
    .map((e, i) => `<tr class="execution" data-workflow="${esc(e.workflowId)}" data-run="${esc(e.runId)}" data-event="${e.scheduledEventId}"><td>${i + 1}</td><td>${esc(e.outcome)}</td><td>${e.attempts}</td><td>${t(e.scheduledAtMs)}</td><td>${t(e.startedAtMs)}</td><td>${t(e.closedAtMs)}</td><td>${where(e)}</td><td>${esc(e.error ? `${e.error.type}: ${e.error.message}` : e.lastFailure ? `retried after ${e.lastFailure.type}` : '')}</td></tr>`)
    .join('');
  return page(
    `${r.name} — ${view.workflowId}`,
    `<p><a href="/tasks/${encodeURIComponent(view.workflowId)}">${esc(view.workflowId)}</a></p><h1>${esc(r.name)}</h1>
<p class="step-state">${esc(r.state)} · ${esc(r.handler ?? 'planner')} · ${esc(r.provenance.createdBy)}${r.provenance.fragmentId ? ` · ${esc(r.provenance.fragmentId)}` : ''} · <a class="temporal" href="${esc(temporalUi)}">this step in the Temporal Web UI</a></p>
${r.provenance.planningReasoning ? `<p>why: ${esc(r.provenance.planningReasoning)}</p>` : ''}${r.error ? `<p class="failure">${esc(`${r.error.type}: ${r.error.message}`)}</p>` : ''}
<p>started ${t(r.startedAtMs)}, finished ${t(r.finishedAtMs)}${s.planningMs !== null ? `; ${(s.planningMs / 1000).toFixed(1)} s in planning calls` : ''}</p>
<h2>Executions</h2><table><tr><th>#</th><th>outcome</th><th>attempts</th><th>scheduled</th><th>started</th><th>closed</th><th>ran in</th><th>error</th></tr>${execs}</table>
<h2>Input</h2><pre class="input">${esc(JSON.stringify(s.input, null, 2))}</pre><h2>Output</h2><pre class="output">${esc(JSON.stringify(s.output, null, 2))}</pre>`,
  );
}
