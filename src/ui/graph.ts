/**
 * The task's DAG as `weft ui` draws it: frame steps, planned steps and visible summarize steps,
 * each fan-out's children collapsed into their fan-out (counts by state), dependency edges, and
 * "planned by" edges from a planning step to the roots of its fragments. Laid out on the server
 * with dagre, so the browser only paints an SVG.
 */
import dagre from '@dagrejs/dagre';
import type { Fragment } from '../core/fragment.js';
import type { StepView, StepViewState, TaskView } from '../history/task-view.js';

/** Node size in the drawing (px). */
export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 50;

/** One drawn node. */
export interface GraphNode {
  readonly name: string;
  readonly handler: string;
  readonly state: StepViewState;
  readonly createdBy: string;
  /** "template static", "planning_step by plan (phase 1)", … */
  readonly provenance: string;
  /** For a fan-out: its children by state, e.g. "950 completed, 50 not_run". */
  readonly children: string | null;
  /** Diagnostic codes pointing at this node (rejected candidates). */
  readonly diagnostics: readonly string[];
  readonly x: number;
  readonly y: number;
}

/** One drawn edge: a dependency, or `planned` from a planning step to what it planned. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'dependency' | 'planned';
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** A laid-out graph. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly width: number;
  readonly height: number;
}

interface Input {
  readonly name: string;
  readonly handler: string;
  readonly state: StepViewState;
  readonly createdBy: string;
  readonly provenance: string;
  readonly dependencies: readonly string[];
  readonly children: string | null;
  readonly diagnostics: readonly string[];
}

/** The part of dagre's graph API used here (its bundled types do not resolve under NodeNext). */
interface DagreGraph {
  setGraph(label: Record<string, unknown>): void;
  setDefaultEdgeLabel(fn: () => Record<string, unknown>): void;
  setNode(name: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string): void;
  node(name: string): { x: number; y: number };
  edge(from: string, to: string): { points?: { x: number; y: number }[] } | undefined;
  graph(): { width?: number; height?: number };
}

const Dagre = dagre as unknown as { graphlib: { Graph: new (opts: { multigraph: boolean }) => DagreGraph }; layout(g: DagreGraph): void };

function layout(inputs: readonly Input[], planned: readonly [string, string][]): Graph {
  const g = new Dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 44, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(inputs.map((i) => i.name));
  for (const i of inputs) g.setNode(i.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const edges: { from: string; to: string; kind: GraphEdge['kind'] }[] = [];
  for (const i of inputs) for (const d of i.dependencies) if (names.has(d)) edges.push({ from: d, to: i.name, kind: 'dependency' });
  for (const [from, to] of planned) if (names.has(from) && names.has(to) && !edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to, kind: 'planned' });
  for (const e of edges) g.setEdge(e.from, e.to);
  Dagre.layout(g);
  const graph = g.graph();
  return {
    nodes: inputs.map((i) => {
      const n = g.node(i.name);
      return { name: i.name, handler: i.handler, state: i.state, createdBy: i.createdBy, provenance: i.provenance, children: i.children, diagnostics: i.diagnostics, x: n.x, y: n.y };
    }),
    edges: edges.map((e) => ({ ...e, points: (g.edge(e.from, e.to)?.points ?? []).map((p) => ({ x: p.x, y: p.y })) })),
    width: graph.width ?? 0,
    height: graph.height ?? 0,
  };
}

function provenanceText(s: StepView): string {
  const p = s.record.provenance;
  if (p.createdBy === 'template') return `template ${s.record.kind}`;
  return `${p.createdBy} by ${p.planningStep ?? '?'} (phase ${p.planningPhase ?? '?'})`;
}

function childCounts(kids: readonly StepView[]): string {
  const counts = new Map<string, number>();
  for (const k of kids) counts.set(k.record.state, (counts.get(k.record.state) ?? 0) + 1);
  return [...counts].map(([st, n]) => `${n} ${st}`).join(', ');
}

/** The task's DAG, fan-out children collapsed, laid out. */
export function taskGraph(view: TaskView): Graph {
  const kidsOf = new Map<string, StepView[]>();
  for (const s of view.steps) {
    const parent = s.record.spawnedBy;
    if (parent !== null) kidsOf.set(parent, [...(kidsOf.get(parent) ?? []), s]);
  }
  const shown = view.steps.filter((s) => s.record.spawnedBy === null);
  const inputs: Input[] = shown.map((s) => {
    const kids = kidsOf.get(s.record.name);
    return {
      name: s.record.name,
      handler: s.record.handler ?? 'planner',
      state: s.record.state,
      createdBy: s.record.provenance.createdBy,
      provenance: provenanceText(s),
      dependencies: s.record.dependencies,
      children: kids ? `${kids.length} children: ${childCounts(kids)}` : null,
      diagnostics: [],
    };
  });
  // A planning step points at the steps of its fragments that depend on nothing inside them.
  const planned: [string, string][] = [];
  for (const s of shown) {
    const p = s.record.provenance;
    if (p.createdBy !== 'planning_step' || p.planningStep === null) continue;
    const sameFragment = shown.filter((x) => x.record.provenance.fragmentId === p.fragmentId && x.record.provenance.fragmentId !== null).map((x) => x.record.name);
    if (!s.record.dependencies.some((d) => sameFragment.includes(d))) planned.push([p.planningStep, s.record.name]);
  }
  return layout(inputs, planned);
}

/** The step a diagnostic's JSON Pointer (`/steps/2/inputs/x`) points at in a candidate, if any. */
export function stepOfPointer(fragment: Pick<Fragment, 'steps'> | null, pointer: string): string | null {
  const m = /^\/steps\/(\d+)(\/|$)/.exec(pointer);
  if (!m || !fragment) return null;
  return fragment.steps[Number(m[1])]?.name ?? null;
}

/** A candidate fragment's DAG with each diagnostic on the node it points at (unplaced ones on no node). */
export function candidateGraph(fragment: Pick<Fragment, 'steps'>, diagnostics: readonly { readonly code: string; readonly path: string }[]): Graph {
  const on = new Map<string, string[]>();
  for (const d of diagnostics) {
    const step = stepOfPointer(fragment, d.path);
    if (step !== null) on.set(step, [...(on.get(step) ?? []), d.code]);
  }
  const inputs: Input[] = fragment.steps.map((s) => ({
    name: s.name,
    handler: s.handler,
    state: 'pending',
    createdBy: 'planning_step',
    provenance: 'candidate',
    dependencies: s.dependencies,
    children: null,
    diagnostics: on.get(s.name) ?? [],
  }));
  return layout(inputs, []);
}
