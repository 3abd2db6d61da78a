/**
 * Text formatting shared by the commands: aligned tables, compact JSON cut to a length,
 * byte sizes, and diagnostics in the `CODE path: message` / `hint:` form.
 */
import type { Diagnostic } from '../core/diagnostics.js';

/** Renders rows as aligned columns under a header; the last column is never padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Compact JSON, cut to `max` characters with the full size named: `{"a":1,…} (12.3 KB)`. */
export function brief(value: unknown, max = 160): string {
  const text = JSON.stringify(value) ?? 'undefined';
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1)}… (${bytes(Buffer.byteLength(text))})`;
}

/** "840 B", "12.3 KB", "1.2 MB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** One diagnostic: `CODE path: message` then `  hint: ...` (path `(fragment)` for the whole). */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.code} ${d.path === '' ? '(fragment)' : d.path}: ${d.message}\n  hint: ${d.hint}`;
}

/** Indents every line of `text`. */
export function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

/** Seconds with one decimal: "3.2s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Pretty JSON for `--json` output. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
