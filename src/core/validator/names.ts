/**
 * Step names: the pattern (STEP_NAME_INVALID), uniqueness within the fragment
 * (STEP_NAME_DUPLICATE) and across the task (STEP_NAME_RESERVED: frame steps and steps of
 * earlier phases keep their names for the whole run, because provenance and references use them).
 */
import { listChoices } from '../diagnostics.js';
import { STEP_NAME_PATTERN } from '../fragment.js';
import type { StepKind } from '../plan.js';
import type { Analysis } from './analysis.js';

const KIND_PHRASE: Readonly<Record<StepKind, string>> = {
  static: 'the frame step',
  planning: 'the planning step',
  convergence: 'the convergence step',
  finalization: 'the finalization step',
  planned: 'the step planned in an earlier phase',
};

/** Reports invalid, duplicate and reserved step names. */
export function checkNames(a: Analysis): void {
  // Names in use, for suggesting free ones: only built when a name is wrong.
  let takenCache: Set<string> | undefined;
  const taken = (): Set<string> => (takenCache ??= new Set([...a.steps.map((v) => v.step.name), ...a.unparsedNames, ...Object.keys(a.ctx.knownSteps)]));
  const first = new Map<string, number>();
  for (const { step, index, at } of a.steps) {
    const name = step.name;
    const path = `${at}/name`;
    if (!STEP_NAME_PATTERN.test(name)) {
      a.report(
        'STEP_NAME_INVALID',
        path,
        `Step ${index} is named '${name}', which is not a valid step name.`,
        `Use lower case letters, digits and _, starting with a letter, at most 63 characters (${STEP_NAME_PATTERN.source}), e.g. '${freeName(sanitize(name, index), taken())}'.`,
      );
    }
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    else {
      a.report(
        'STEP_NAME_DUPLICATE',
        path,
        `Step ${index} is named '${name}', like step ${earlier}; step names are unique within the task.`,
        `Rename one of them, e.g. '${freeName(name, taken())}', and update the dependencies and references that mean it.`,
      );
    }
    const known = a.known(name);
    if (known) {
      a.report(
        'STEP_NAME_RESERVED',
        path,
        `Step '${name}' reuses the name of ${KIND_PHRASE[known.kind]} '${name}'; step names are unique within the task.`,
        `Rename it, e.g. '${freeName(name, taken())}'. Names already taken: ${listChoices(Object.keys(a.ctx.knownSteps))}.`,
      );
    }
  }
}

/** A valid name derived from an invalid one: 'Enrich-Orders' → 'enrich_orders'. */
function sanitize(name: string, index: number): string {
  let s = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(s)) s = s === '' ? `step_${index}` : `step_${s}`;
  return s.slice(0, 63);
}

/** `base`, or `base_2`, `base_3`, ... : the first that no step uses (valid length kept). */
function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base) && STEP_NAME_PATTERN.test(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = `${base.slice(0, 63 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
