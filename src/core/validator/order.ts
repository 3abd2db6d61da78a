/**
 * The order diagnostics are returned in: by path, then code, then message. Paths compare token
 * by token, numbers as numbers, so that `/steps/2` comes before `/steps/10` and a planner (or
 * an operator) reads the problems of each step together, in fragment order.
 */
import type { Diagnostic } from '../diagnostics.js';

/** Compares two JSON Pointers token by token; numeric tokens numerically. */
export function comparePointers(a: string, b: string): number {
  if (a === b) return 0;
  const ta = a.split('/');
  const tb = b.split('/');
  const n = Math.min(ta.length, tb.length);
  for (let i = 1; i < n; i++) {
    const x = ta[i] as string;
    const y = tb[i] as string;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

/** Orders diagnostics deterministically; returns a new array. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => comparePointers(a.path, b.path) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}
