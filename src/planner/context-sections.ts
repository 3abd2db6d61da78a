/**
 * The lower-priority sections of the planning prompt — failure context and examples — composed
 * into the characters left for them, with what does not fit recorded in `cut`.
 */
import { attemptHeading, diagnosticLine, EXAMPLES_INTRO, exampleText, FAILURES_INTRO, SECTION_TITLES } from './prompt-text.js';
import type { PlanningRequest } from './types.js';

/** A few-shot example: a problem and the fragment that was right for it. */
export interface PlanningExample {
  readonly problem: string;
  readonly fragment: unknown;
}

/** What happened to a section: sent whole, summarized (shorter form), cut (partly dropped), or omitted. */
export type SectionTreatment = 'whole' | 'summarized' | 'cut' | 'omitted';

/** Characters between two sections (a blank line). */
export const SEPARATOR = 2;

/** Characters a section adds: its title line, its body and the separator that follows it. */
export const sectionChars = (title: string, body: string): number => title.length + 1 + body.length + SEPARATOR;

/** A composed section: its body (null when absent), its characters, and how it was treated. */
export interface Composed {
  readonly body: string | null;
  readonly chars: number;
  readonly treatment: SectionTreatment;
  readonly note: string | null;
}

/** The failure context: the newest rejected attempts that fit in `free` characters, diagnostics verbatim. */
export function composeFailures(request: PlanningRequest, free: number, cut: string[]): Composed {
  if (request.failures.length === 0) return { body: null, chars: 0, treatment: 'omitted', note: 'first attempt: no failures' };
  const newestFirst = [...request.failures].reverse();
  const lines = [FAILURES_INTRO];
  let chars = sectionChars(SECTION_TITLES.failures, FAILURES_INTRO);
  let included = 0;
  let partial = false;
  for (const attempt of newestFirst) {
    const block = [attemptHeading(attempt), ...attempt.diagnostics.map(diagnosticLine)];
    const blockChars = block.join('\n').length + 1;
    if (chars + blockChars <= free) {
      lines.push(...block);
      chars += blockChars;
      included++;
      continue;
    }
    if (included === 0) {
      // Not even the newest attempt fits whole: send the diagnostics of it that fit, in order.
      const kept: string[] = [attemptHeading(attempt)];
      let keptChars = chars + kept[0]!.length + 1 + 80;
      for (const d of attempt.diagnostics.map(diagnosticLine)) {
        if (keptChars + d.length + 1 > free) break;
        kept.push(d);
        keptChars += d.length + 1;
      }
      const more = attempt.diagnostics.length - (kept.length - 1);
      if (kept.length > 1) {
        lines.push(...kept, `(${more} more diagnostics of attempt ${attempt.attempt} omitted for budget)`);
        chars = lines.join('\n').length + SECTION_TITLES.failures.length + 1 + SEPARATOR;
        included++;
        partial = true;
        cut.push(`failures: ${more} of ${attempt.diagnostics.length} diagnostics of attempt ${attempt.attempt} omitted for budget`);
      }
    }
    break;
  }
  const omitted = newestFirst.slice(included).map((a) => a.attempt);
  if (omitted.length > 0) cut.push(`failures: attempt${omitted.length === 1 ? '' : 's'} ${omitted.join(', ')} omitted for budget`);
  if (included === 0) return { body: null, chars: 0, treatment: 'omitted', note: `${request.failures.length} rejected attempts, none fits the budget` };
  return {
    body: lines.join('\n'),
    chars,
    treatment: omitted.length > 0 || partial ? 'cut' : 'whole',
    note: `${included} of ${request.failures.length} rejected attempts, newest first${partial ? ' (newest cut to the diagnostics that fit)' : ''}`,
  };
}

/** The examples that fit in `free` characters, in the given order. */
export function composeExamples(examples: readonly PlanningExample[], free: number, cut: string[]): Composed {
  if (examples.length === 0) return { body: null, chars: 0, treatment: 'omitted', note: 'no examples given' };
  const lines = [EXAMPLES_INTRO];
  let chars = sectionChars(SECTION_TITLES.examples, EXAMPLES_INTRO);
  const omitted: number[] = [];
  examples.forEach((example, i) => {
    const text = exampleText(i, example);
    if (chars + text.length + 1 <= free) {
      lines.push(text);
      chars += text.length + 1;
    } else omitted.push(i + 1);
  });
  if (omitted.length > 0) cut.push(`examples: example${omitted.length === 1 ? '' : 's'} ${omitted.join(', ')} omitted for budget`);
  if (lines.length === 1) return { body: null, chars: 0, treatment: 'omitted', note: `${examples.length} examples, none fits the budget` };
  return { body: lines.join('\n'), chars, treatment: omitted.length > 0 ? 'cut' : 'whole', note: `${lines.length - 1} of ${examples.length} examples` };
}
