/**
 * The order-triage report: its shape, the one-line summary of each step's output, and its
 * Markdown rendering. Pure functions; the handlers in `handlers.ts` do the I/O.
 */
import { z } from 'zod';
import { isJsonObject, listChoices, type JsonValue } from '@weftworks/weft';

/** The report `compose_report` builds and `write_report` writes. */
export const reportSchema = z.object({
  title: z.string().describe('Report title.'),
  sections: z
    .array(z.object({ step: z.string().describe('Step name.'), summary: z.string().describe("One line about the step's output.") }))
    .describe('One section per step result, in the order the results were given.'),
  partial: z.boolean().describe('True when the task converged before all planned work ran.'),
  reason: z.string().nullable().describe('Why the report is partial; null when complete.'),
  generated_from: z.array(z.string()).describe('The step names whose results the report covers.'),
});

/** A report. */
export type Report = z.infer<typeof reportSchema>;

/** Values whose JSON is at most this long are shown verbatim. */
const INLINE_CHARS = 120;
/** At most this many fields of an output object are summarized. */
const MAX_FIELDS = 8;

function brief(value: JsonValue): string {
  const text = JSON.stringify(value);
  if (text.length <= INLINE_CHARS) return text;
  if (Array.isArray(value)) return `${value.length} items`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value);
    return `an object with ${keys.length} fields (${listChoices(keys, 4)})`;
  }
  return `${text.slice(0, INLINE_CHARS)}…`;
}

/**
 * Summarizes one step's output in a line: each field verbatim when short, else by size
 * (e.g. `valid: 336 items; valid_count: 336; invalid_count: 24`).
 */
export function summarizeOutput(value: JsonValue): string {
  if (!isJsonObject(value)) return brief(value);
  const entries = Object.entries(value);
  if (entries.length === 0) return 'no output fields';
  const shown = entries.slice(0, MAX_FIELDS).map(([key, v]) => `${key}: ${brief(v)}`);
  const more = entries.length > MAX_FIELDS ? `; and ${entries.length - MAX_FIELDS} more fields` : '';
  return `${shown.join('; ')}${more}`;
}

/** Renders a report as Markdown: title, partial-results notice, one section per step, provenance. */
export function renderMarkdown(report: Report): string {
  const lines = [`# ${report.title}`, ''];
  if (report.partial) {
    lines.push(`> **Partial results.** ${report.reason ?? 'The task stopped before all planned work ran.'}`, '');
  }
  if (report.sections.length === 0) lines.push('No step produced a result.', '');
  for (const section of report.sections) {
    lines.push(`## \`${section.step}\``, '', section.summary, '');
  }
  const from = report.generated_from.map((s) => `\`${s}\``).join(', ');
  lines.push(`_Generated from: ${from === '' ? 'no steps' : from}._`, '');
  return lines.join('\n');
}
