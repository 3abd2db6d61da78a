/**
 * Layer 3 text: a fragment as an indented DAG with each step's handler inputs (references
 * shown as mappings, literals as configuration), and rejected alternatives with their diagnostics.
 */
import type { FragmentStep } from '../../core/fragment.js';
import type { JsonValue } from '../../core/json.js';
import type { PlanningAttempt } from '../../../workflows/definitions.js';
import { brief, formatDiagnostic, indent } from '../format.js';

const REFERENCE = /\$\{(task\.input|steps\.[A-Za-z0-9_]+\.output)[^}]*\}/;

/** Depth of each step in the fragment (1 for steps with no dependency inside the fragment). */
function depths(steps: readonly FragmentStep[]): Map<string, number> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const out = new Map<string, number>();
  const visit = (name: string, seen: Set<string>): number => {
    const known = out.get(name);
    if (known !== undefined) return known;
    const s = byName.get(name);
    if (!s || seen.has(name)) return 0;
    seen.add(name);
    const d = 1 + Math.max(0, ...s.dependencies.filter((x) => byName.has(x)).map((x) => visit(x, seen)));
    out.set(name, d);
    return d;
  };
  for (const s of steps) visit(s.name, new Set());
  return out;
}

/**
 * The DAG as an indented tree: each step sits under its deepest dependency inside the fragment;
 * its other dependencies are named after it (`also after ...`), and frame steps with `after ...`.
 */
export function dagTree(steps: readonly FragmentStep[]): string[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const depth = depths(steps);
  const parentOf = new Map<string, string | null>();
  for (const s of steps) {
    const inside = s.dependencies.filter((d) => byName.has(d));
    const parent = inside.reduce<string | null>((best, d) => (best === null || (depth.get(d) ?? 0) > (depth.get(best) ?? 0) ? d : best), null);
    parentOf.set(s.name, parent);
  }
  const lines: string[] = [];
  const print = (s: FragmentStep, level: number) => {
    const parent = parentOf.get(s.name) ?? null;
    const others = s.dependencies.filter((d) => d !== parent && byName.has(d));
    const outside = s.dependencies.filter((d) => !byName.has(d));
    const notes = [others.length > 0 ? `also after ${others.join(', ')}` : '', outside.length > 0 ? `after ${outside.join(', ')}` : ''].filter((x) => x);
    lines.push(`${'  '.repeat(level)}${s.name} (${s.handler})${notes.length > 0 ? `  [${notes.join('; ')}]` : ''}`);
    for (const child of steps.filter((c) => parentOf.get(c.name) === s.name)) print(child, level + 1);
  };
  for (const root of steps.filter((s) => parentOf.get(s.name) === null)) print(root, 0);
  return lines;
}

/** Splits a step's inputs into reference mappings and literal configuration lines. */
export function inputLines(inputs: Readonly<Record<string, JsonValue>>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    const text = JSON.stringify(value);
    const mapping = typeof value === 'string' ? REFERENCE.test(value) : REFERENCE.test(text);
    // Strings print as they are (JSONata and templates read badly with escaped quotes).
    const shown = typeof value === 'string' ? (value.length > 200 ? `${value.slice(0, 199)}…` : value) : brief(value, 200);
    lines.push(`${mapping ? '←' : '='} ${key}: ${shown}`);
  }
  return lines;
}

/** An accepted fragment: header, goal, reasoning, DAG and each step's inputs. */
export function fragmentText(a: PlanningAttempt): string {
  const f = a.fragment;
  const head = `fragment ${a.fragmentId ?? '?'} (${a.planningStep}, phase ${a.phase}, attempt ${a.attempt}, ${a.source})`;
  if (!f) return `${head}: no fragment recorded`;
  const lines = [head, `  goal: ${f.goal}`, `  reasoning: ${f.reasoning}`, `  next: ${f.next}`, '  DAG:', ...dagTree(f.steps).map((l) => `    ${l}`), '  steps:'];
  for (const s of f.steps) {
    lines.push(`    ${s.name} (${s.handler}): ${s.reasoning}`);
    if (s.dependencies.length > 0) lines.push(`      depends on: ${s.dependencies.join(', ')}`);
    lines.push(...inputLines(s.inputs).map((l) => `      ${l}`));
  }
  return lines.join('\n');
}

/** A rejected attempt: header, its diagnostics and the candidate as returned. */
export function rejectedText(a: PlanningAttempt): string {
  const head = `  ${a.planningStep} phase ${a.phase} attempt ${a.attempt} (${a.source}): rejected with ${a.diagnostics.length} diagnostic${a.diagnostics.length === 1 ? '' : 's'}`;
  const lines = [head, ...a.diagnostics.map((d) => indent(formatDiagnostic(d), '    '))];
  if (a.error) lines.push(`    planner failed: ${a.error.type}: ${a.error.message}`);
  if (a.fragment) lines.push('    DAG of the rejected candidate:', ...dagTree(a.fragment.steps).map((l) => `      ${l}`));
  lines.push(`    candidate: ${brief(a.output, 300)}`);
  return lines.join('\n');
}
