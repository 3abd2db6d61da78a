/**
 * Inputs against the handler's input schema: required inputs present (INPUT_MISSING), no input
 * the handler does not take (INPUT_UNKNOWN), literals valid (INPUT_INVALID). Strings holding
 * references are skipped here: their values exist only at run time, and the reference checks
 * compare their producers' schemas instead.
 */
import { listChoices, pointerToken } from '../diagnostics.js';
import { checkSchema, deref, describeSchema, isSchemaObject, propertiesOf, requiredOf, type CheckOptions, type SchemaIssue } from '../json-schema/index.js';
import type { JsonSchema } from '../json.js';
import type { Analysis, StepView } from './analysis.js';
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

/** Reports missing, unknown and invalid inputs of steps whose handler is usable. */
export function checkInputs(a: Analysis): void {
  const tops = new Map<JsonSchema, TopLevel>();
  // One skip hook for the whole run, reading the current step's template pointers.
  const skip = { pointers: [] as readonly string[] };
  const options: CheckOptions = { skip: (_v, p) => skip.pointers.length > 0 && skip.pointers.includes(p) };
  for (const view of a.steps) {
    const entry = a.usableEntry(view);
    if (!entry) continue;
    let top = tops.get(entry.inputSchema);
    if (!top) tops.set(entry.inputSchema, (top = topLevel(entry.inputSchema)));
    skip.pointers = a.scan(view).templatePointers;
    checkStepInputs(a, view, entry.name, entry.inputSchema, top, options);
  }
}

function checkStepInputs(a: Analysis, view: StepView, handler: string, schema: JsonSchema, top: TopLevel, options: CheckOptions): void {
  const { step, at } = view;
  const inputs = step.inputs;
  const { props, accepted, required } = top;
  const issues = checkSchema(schema, inputs, options);
  for (const issue of issues) {
    const depth = issue.pointer.split('/').length - 1;
    if (depth === 1 && issue.keyword === 'required' && issue.property !== null) {
      const key = issue.property;
      const sub = props?.[key];
      const about = sub !== undefined && isSchemaObject(sub) && typeof sub['description'] === 'string' ? ` — ${sub['description']}` : '';
      const acceptedList = accepted.map((k) => (required.includes(k) ? `${k} (required)` : k));
      a.report(
        'INPUT_MISSING',
        `${at}/inputs/${pointerToken(key)}`,
        `Step '${step.name}' does not give input '${key}', which handler '${handler}' requires.`,
        `Add '${key}': ${sub === undefined ? 'a value' : describeSchema(sub, schema)}${about}. Inputs of '${handler}': ${listChoices(acceptedList)}.`,
      );
    } else if (depth === 1 && (issue.keyword === 'additionalProperties' || issue.keyword === 'propertyNames') && issue.property !== null) {
      reportUnknown(a, view, handler, issue.property, accepted);
    } else {
      reportInvalid(a, view, issue);
    }
  }
  // zod writes a plain `z.object` input schema without `additionalProperties` and strips unknown
  // keys when parsing: the handler would silently never see such an input, so it is reported
  // as if the schema said `additionalProperties: false`.
  if (top.strips && props) {
    for (const key in inputs) {
      if (!Object.prototype.hasOwnProperty.call(props, key)) reportUnknown(a, view, handler, key, accepted);
    }
  }
}

function reportUnknown(a: Analysis, { step, at }: StepView, handler: string, key: string, accepted: readonly string[]): void {
  const given = new Set(Object.keys(step.inputs));
  const open = accepted.filter((k) => !given.has(k));
  a.report(
    'INPUT_UNKNOWN',
    `${at}/inputs/${pointerToken(key)}`,
    `Step '${step.name}' gives input '${key}', which handler '${handler}' does not take.`,
    accepted.length === 0
      ? `Remove '${key}'; '${handler}' takes no inputs.`
      : `Remove or rename '${key}'. '${handler}' accepts: ${listChoices(closestFirst(key, open.length > 0 ? open : accepted))}.`,
  );
}

function reportInvalid(a: Analysis, { step, at }: StepView, issue: SchemaIssue): void {
  const tokens = issue.pointer.split('/').slice(1);
  const key = (tokens[0] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
  const inner = tokens.length > 1 ? ` at /${tokens.slice(1).join('/')}` : '';
  const subject = tokens.length === 0 ? `Step '${step.name}' inputs` : `Step '${step.name}' input '${key}'${inner}`;
  const hint =
    issue.keyword === 'additionalProperties' || issue.keyword === 'propertyNames'
      ? `Remove the key '${issue.property ?? ''}'; use ${issue.expected}.`
      : issue.keyword === 'required'
        ? `Add ${issue.expected}.`
        : `Give ${issue.expected}, or a reference to a value of that type.`;
  a.report('INPUT_INVALID', `${at}/inputs${issue.pointer}`, `${subject} ${issue.message}.`, hint);
}
