/**
 * Small deterministic hashing for identifiers inside workflow code (no node:crypto there).
 * Not for security: for stable, short IDs such as fragment IDs.
 */

/** Canonical JSON: object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** 32-bit FNV-1a of a string, as 8 hex digits. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A fragment ID: planning step, phase and a content hash, e.g. `plan_processing:p1:3f2a9c1e`. */
export function fragmentId(planningStep: string, phase: number, fragment: unknown): string {
  return `${planningStep}:p${phase}:${fnv1a(canonicalJson(fragment))}`;
}
