/**
 * Inputs against the handler's input schema: required inputs present (INPUT_MISSING), no input
 * the handler does not take (INPUT_UNKNOWN), literals valid (INPUT_INVALID). Strings holding
 * references are skipped here: their values exist only at run time, and the reference checks
 * compare their producers' schemas instead.
 */
import { listChoices, pointerToken } from '../diagnostics.js';
import { checkSchema, deref, describeSchema, isSchemaObject, propertiesOf, requiredOf, type CheckOptions, type SchemaIssue } from '../json-schema/index.js';
import type { JsonSchema, JsonValue } from '../json.js';
import type { Analysis } from './analysis.js';
import { closestFirst } from './suggest.js';

/** What the top level of a handler's input schema declares, read once per handler. */
interface TopLevel {
  readonly props: Readonly<Record<string, JsonSchema>> | undefined;
  readonly accepted: readonly string[];
  readonly required: readonly string[];
  /** A plain `z.object` input: no `additionalProperties`, so zod would strip unknown keys. */
  readonly strips: boolean;
}

function topLevel(schema: JsonSchema): TopLevel {
  const top = deref(schema, schema);
  if (!isSchemaObject(top)) return { props: undefined, accepted: [], required: [], strips: false };
  const props = propertiesOf(top);
  return {
    props,
    accepted: props ? Object.keys(props) : [],
    required: requiredOf(top),
    strips: props !== undefined && top['additionalProperties'] === undefined && top['patternProperties'] === undefined,
  };
}

/**
 * Inputs as one handler will receive them: `inputs` (without reference values, which `skip`
 * leaves out), where they sit in the fragment, and how messages name them. A planned step's own
 * inputs are one target; a fan-out's `with` inputs, which every partition's step receives, are
 * another.
 */
export interface InputTarget {
  readonly step: string;
  readonly handler: string;
  readonly schema: JsonSchema;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** JSON Pointer of `inputs` in the fragment, e.g. `/steps/2/inputs`. */
  readonly at: string;
  /** How messages name input `key`, e.g. `input 'data'` or `'with.rules'`. */
  readonly label: (key: string) => string;
  /** Keys to leave out of the INPUT_UNKNOWN check and the listing of what to add (set by the engine). */
  readonly provided?: readonly string[];
}

/** Reports missing, unknown and invalid inputs of steps whose handler is usable. */
export function checkInputs(a: Analysis): void {
  // One skip hook for the whole run, reading the current step's template pointers.
  const skip = { pointers: [] as readonly string[] };
  const options: CheckOptions = { skip: (_v, p) => skip.pointers.length > 0 && skip.pointers.includes(p) };
  for (const view of a.steps) {
    const entry = a.usableEntry(view);
    if (!entry) continue;
    skip.pointers = a.scan(view).templatePointers;
    const { step, at } = view;
    checkTargetInputs(
      a,
      { step: step.name, handler: entry.name, schema: entry.inputSchema, inputs: step.inputs, at: `${at}/inputs`, label: (k) => `input '${k}'` },
      options,
    );
  }
}

const topLevels = new WeakMap<object, TopLevel>();

function topLevelOf(schema: JsonSchema): TopLevel {
  if (typeof schema !== 'object') return topLevel(schema);
  let top = topLevels.get(schema);
  if (!top) topLevels.set(schema, (top = topLevel(schema)));
  return top;
}

/** Reports missing, unknown and invalid inputs of one target. */
export function checkTargetInputs(a: Analysis, t: InputTarget, options: CheckOptions): void {
  const { props, accepted, required } = topLevelOf(t.schema);
  const provided = t.provided ?? [];
  const issues = checkSchema(t.schema, t.inputs as JsonValue, options);
  for (const issue of issues) {
    const depth = issue.pointer.split('/').length - 1;
    if (depth === 1 && issue.keyword === 'required' && issue.property !== null) {
      const key = issue.property;
      const sub = props?.[key];
      const about = sub !== undefined && isSchemaObject(sub) && typeof sub['description'] === 'string' ? ` — ${sub['description']}` : '';
      const acceptedList = accepted.filter((k) => !provided.includes(k)).map((k) => (required.includes(k) ? `${k} (required)` : k));
      a.report(
        'INPUT_MISSING',
        `${t.at}/${pointerToken(key)}`,
        `Step '${t.step}' does not give ${t.label(key)}, which handler '${t.handler}' requires.`,
        `Add '${key}': ${sub === undefined ? 'a value' : describeSchema(sub, t.schema)}${about}. Inputs of '${t.handler}': ${listChoices(acceptedList)}.`,
      );
    } else if (depth === 1 && (issue.keyword === 'additionalProperties' || issue.keyword === 'propertyNames') && issue.property !== null) {
      reportUnknown(a, t, issue.property, accepted);
    } else {
      reportInvalid(a, t, issue);
    }
  }
  // zod writes a plain `z.object` input schema without `additionalProperties` and strips unknown
  // keys when parsing: the handler would silently never see such an input, so it is reported
  // as if the schema said `additionalProperties: false`.
  if (topLevelOf(t.schema).strips && props) {
    for (const key in t.inputs) {
      if (!Object.prototype.hasOwnProperty.call(props, key)) reportUnknown(a, t, key, accepted);
    }
  }
}

function reportUnknown(a: Analysis, t: InputTarget, key: string, accepted: readonly string[]): void {
  const given = new Set([...Object.keys(t.inputs), ...(t.provided ?? [])]);
  const open = accepted.filter((k) => !given.has(k));
  const choices = accepted.filter((k) => !(t.provided ?? []).includes(k));
  a.report(
    'INPUT_UNKNOWN',
    `${t.at}/${pointerToken(key)}`,
    `Step '${t.step}' gives ${t.label(key)}, which handler '${t.handler}' does not take.`,
    choices.length === 0
      ? `Remove '${key}'; '${t.handler}' takes no ${t.provided?.length ? 'other ' : ''}inputs.`
      : `Remove or rename '${key}'. '${t.handler}' accepts: ${listChoices(closestFirst(key, open.length > 0 ? open : choices))}.`,
  );
}

function reportInvalid(a: Analysis, t: InputTarget, issue: SchemaIssue): void {
  const tokens = issue.pointer.split('/').slice(1);
  const key = (tokens[0] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
  const inner = tokens.length > 1 ? ` at /${tokens.slice(1).join('/')}` : '';
  const subject = tokens.length === 0 ? `Step '${t.step}' inputs` : `Step '${t.step}' ${t.label(key)}${inner}`;
  const hint =
    issue.keyword === 'additionalProperties' || issue.keyword === 'propertyNames'
      ? `Remove the key '${issue.property ?? ''}'; use ${issue.expected}.`
      : issue.keyword === 'required'
        ? `Add ${issue.expected}.`
        : `Give ${issue.expected}, or a reference to a value of that type.`;
  a.report('INPUT_INVALID', `${t.at}${issue.pointer}`, `${subject} ${issue.message}.`, hint);
}
