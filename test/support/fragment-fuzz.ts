/**
 * Fragment fuzzing, shared by the property tests (test/unit/validator-properties.test.ts) and the
 * long fuzz run (scripts/fuzz-validator.ts): seeded mutations of a real fragment, and an oracle
 * that re-checks an accepted fragment independently of the validator — zod's own fragment schema,
 * the handler's own zod input schema for literal inputs (the validator uses JSON Schema), and a
 * plain Kahn's algorithm for cycles.
 */
import { fragmentSchema, type Fragment } from '../../src/core/fragment.js';
import type { AnyHandler } from '../../src/handler.js';
import type { ValidationContext } from '../../src/core/validation.js';

/** A small deterministic generator (mulberry32), so every run with a seed is the same run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Nested arrays `depth` deep, built without recursion. */
export function nested(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

/** Values a mutation writes: wrong types, references good and bad, odd numbers, deep and large values. */
function randomValue(r: Rand, names: readonly string[]): unknown {
  const name = names.length > 0 ? pick(r, names) : 'x';
  const choices: (() => unknown)[] = [
    () => null,
    () => true,
    () => Math.floor(r() * 2000) - 1000,
    () => r() * 1e6,
    () => pick(r, [0, -0, 1e308, -1e-308, 2 ** 53 + 1, 0.1 + 0.2]),
    () => '',
    () => pick(r, ['done', 'replan', 'filter', 'flag', 'fail', 'sum', 'count', 'transform', 'validate', 'decide', 'aggregate', 'http_get']),
    () => `\${steps.${name}.output.${pick(r, ['valid', 'result', 'rows', 'count', 'groups', 'outcome', 'x[0]', ''])}}`,
    () => `\${task.input.${pick(r, ['orders_file', 'report_dir', 'nope', ''])}}`,
    () => `text \${steps.${name}.output.count} and $\${literal}`,
    () => pick(r, ['${', '${steps.}', '${steps.a.output.[x]}', '${task.input.a..b}', '$${steps.x.output}']),
    () => name,
    () => [name],
    () => ({ type: pick(r, ['object', 'string', 'array', 'nope']), pattern: pick(r, ['^a+$', '(a)\\1', '(?=x)', '[']) }),
    () => pick(r, ['$sum(x)', '$match(s, /(a+)+$/)', '$contains(s, /(?<=a)b/)', '(', 'a / b']),
    () => nested(1 + Math.floor(r() * 200)),
    () => 'é🙂\u0000\ud800'.repeat(1 + Math.floor(r() * 4)),
    () => ({}),
    () => [],
    () => Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => [`k${i}`, i])),
  ];
  return pick(r, choices)();
}

/** All paths to containers and leaves in `v` (as arrays of tokens), root first. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = [], depth = 0): (string | number)[][] {
  out.push(at);
  if (depth > 12) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out, depth + 1));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out, depth + 1);
  return out;
}

function getAt(v: unknown, path: readonly (string | number)[]): unknown {
  let cur = v;
  for (const t of path) cur = (cur as Record<string | number, unknown>)[t];
  return cur;
}

/**
 * `times` random edits of a deep copy of `base`: replace a node, delete a key or element,
 * add a key, duplicate or reorder steps, rename a step to another's name, add a dependency.
 */
export function mutate(base: unknown, r: Rand, times = 1 + Math.floor(r() * 3)): unknown {
  let root = structuredClone(base);
  for (let n = 0; n < times; n++) {
    const steps = typeof root === 'object' && root !== null ? (root as { steps?: unknown }).steps : undefined;
    const names = Array.isArray(steps) ? steps.map((s) => (s as { name?: unknown } | null)?.name).filter((x): x is string => typeof x === 'string') : [];
    const all = paths(root);
    const path = pick(r, all);
    const op = Math.floor(r() * 8);
    if (path.length === 0) {
      if (op === 0) root = randomValue(r, names);
      continue;
    }
    const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
    const key = path[path.length - 1]!;
    switch (op) {
      case 0:
      case 1:
      case 2:
        (parent as Record<string | number, unknown>)[key] = randomValue(r, names);
        break;
      case 3:
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case 4:
        if (!Array.isArray(parent)) parent[pick(r, ['extra', 'handler', 'name', 'inputs', 'dependencies', 'next', 'x-y'])] = randomValue(r, names);
        else parent.push(structuredClone(pick(r, parent)));
        break;
      case 5:
        if (Array.isArray(steps) && steps.length > 1) steps.reverse();
        break;
      case 6:
        if (Array.isArray(steps) && steps.length > 0 && names.length > 0) {
          const s = pick(r, steps) as Record<string, unknown> | null;
          if (s && typeof s === 'object') s['name'] = pick(r, [...names, 'load_orders', 'summarize_results', 'Bad-Name']);
        }
        break;
      default:
        if (Array.isArray(steps) && steps.length > 0) {
          const s = pick(r, steps) as Record<string, unknown> | null;
          if (s && typeof s === 'object' && Array.isArray(s['dependencies'])) (s['dependencies'] as unknown[]).push(pick(r, [...names, 'load_orders', 'summarize_results', 'ghost']));
        }
    }
  }
  return root;
}

/** True when the string holds a reference (its value exists only at run time). */
function holdsReference(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('${');
  if (Array.isArray(v)) return v.some(holdsReference);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(holdsReference);
  return false;
}

/**
 * Why an accepted fragment should not have been: [] when the independent checks agree with the
 * validator. Literal inputs of a step are parsed with the handler's own zod schema when none of
 * them holds a reference.
 */
export function acceptedViolations(fragment: Fragment, ctx: ValidationContext, handlers: readonly AnyHandler[]): string[] {
  const out: string[] = [];
  if (!fragmentSchema.safeParse(fragment).success) out.push('fails the zod fragment schema');
  const names = fragment.steps.map((s) => s.name);
  const own = new Set(names);
  if (own.size !== names.length) out.push('duplicate step names');
  if (fragment.steps.length > ctx.maxSteps || fragment.steps.length > ctx.remaining.steps) out.push('over the step limit or budget');
  if (fragment.next === 'replan' && ctx.remaining.phases < 1) out.push('replan with no phase left');
  for (const s of fragment.steps) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(s.name)) out.push(`bad name ${s.name}`);
    if (ctx.knownSteps[s.name]) out.push(`reserved name ${s.name}`);
    if (!ctx.allowedHandlers.includes(s.handler)) out.push(`handler ${s.handler} not allowed`);
    for (const d of s.dependencies) if (!own.has(d) && ctx.knownSteps[d]?.availability !== 'complete') out.push(`${s.name} depends on ${d}`);
    const handler = handlers.find((h) => h.name === s.handler);
    if (handler && !holdsReference(s.inputs)) {
      const parsed = handler.input.safeParse(s.inputs);
      if (!parsed.success) out.push(`${s.name} inputs fail ${s.handler}'s zod schema: ${parsed.error.issues[0]?.message ?? ''}`);
    }
  }
  // Kahn's algorithm over dependencies between the fragment's own steps.
  const indegree = new Map(names.map((n) => [n, 0]));
  for (const s of fragment.steps) for (const d of s.dependencies) if (own.has(d)) indegree.set(s.name, (indegree.get(s.name) ?? 0) + 1);
  const ready = [...indegree].filter(([, k]) => k === 0).map(([n]) => n);
  let seen = 0;
  while (ready.length > 0) {
    const n = ready.pop()!;
    seen++;
    for (const s of fragment.steps) {
      if (!s.dependencies.includes(n)) continue;
      const k = indegree.get(s.name)! - s.dependencies.filter((d) => d === n).length;
      indegree.set(s.name, k);
      if (k === 0) ready.push(s.name);
    }
  }
  if (own.size === names.length && seen !== names.length) out.push('dependency cycle');
  return out;
}

/** Follows a JSON Pointer; `undefined` when a token does not resolve. */
export function resolvePointer(root: unknown, ptr: string): { found: boolean; parentFound: boolean } {
  if (ptr === '') return { found: true, parentFound: true };
  let v = root;
  const tokens = ptr.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, t)) return { found: false, parentFound: i === tokens.length - 1 };
    v = (v as Record<string, unknown>)[t];
  }
  return { found: true, parentFound: true };
}
