/**
 * References in inputs: syntax (REFERENCE_MALFORMED), the step exists (REFERENCE_UNKNOWN_STEP)
 * and runs before the reader (REFERENCE_NOT_UPSTREAM: an ancestor through dependencies, or a
 * known step complete before planning), the path exists in the producer's output schema
 * (REFERENCE_PATH_UNKNOWN), and the producer's type fits the consumer's input schema at the
 * reference's place (REFERENCE_TYPE_MISMATCH).
 */
import { listChoices } from '../diagnostics.js';
import { deref, describeSchema, isSchemaObject, propertiesOf } from '../json-schema/index.js';
import { FAN_OUT_HANDLER, partitionInputOf } from '../fan-out.js';
import type { JsonSchema } from '../json.js';
import type { HandlerManifestEntry } from '../manifest.js';
import { formatPath, formatReference, type PathSegment, type Reference, type ReferenceOccurrence, type ReferenceSource } from '../references.js';
import { pathKey, type Analysis, type StepView } from './analysis.js';
import { unavailableReason } from './dependencies.js';
import { perPartitionEntry } from './fan-out.js';
import { closestFirst } from './suggest.js';

const REFERENCE_FORMS = 'Write ${steps.<name>.output.<path>} or ${task.input.<path>}, where <path> is .keys and [n] indexes (empty for the whole value); write $${ for a literal ${.';
/** What text interpolation can show faithfully: any JSON value but an object or an array. */
const SCALAR: JsonSchema = { type: ['string', 'number', 'boolean', 'null'] };
const STRING: JsonSchema = { type: 'string' };

/** A producer whose output schema is known, for path and type checks. */
interface Producer {
  readonly schema: JsonSchema;
  readonly source: ReferenceSource;
  /** The producing step's handler, when it comes from the catalog (for messages). */
  readonly handler: string | null;
}

/** "the task input", "the output of step 'load' (handler 'load_orders')". */
function ownerOf(p: Producer): string {
  if (p.source.kind === 'task') return 'the task input';
  return p.handler === null ? `the output of step '${p.source.step}'` : `the output of step '${p.source.step}' (handler '${p.handler}')`;
}

/**
 * Memo keys without building strings: a reference's path as written (`.orders[0].id`, whose
 * keys cannot contain `.` or `[`), and a location's JSON Pointer when it has no array index
 * (a pointer cannot tell index 0 from key "0"; those rarer locations get a full key).
 */
function referencePathKey(ref: Reference): string {
  const head = ref.source.kind === 'task' ? '${task.input'.length : '${steps.'.length + ref.source.step.length + '.output'.length;
  return ref.text.slice(head, -1);
}
function locationKey(o: ReferenceOccurrence): string {
  for (const s of o.location) if (typeof s === 'number') return `#${pathKey(o.location)}`;
  return o.pointer;
}

// Message parts are built by plain functions, and only on failure: a large valid fragment
// builds no message at all, and allocates no closure per reference.
function pathOf(view: StepView, o: ReferenceOccurrence): string {
  return `${view.at}/inputs${o.pointer}`;
}
function inputOf(o: ReferenceOccurrence): string {
  return String(o.location[0] ?? '');
}
function subjectOf(view: StepView, o: ReferenceOccurrence): string {
  return `Step '${view.step.name}' input '${inputOf(o)}' reads ${o.reference.text}`;
}

/** Reports every reference problem of every step. */
export function checkReferences(a: Analysis): void {
  for (const view of a.steps) {
    const scan = a.scan(view);
    if (scan.references.length === 0 && scan.malformed.length === 0) continue;
    for (const m of scan.malformed) {
      a.report(
        'REFERENCE_MALFORMED',
        `${view.at}/inputs${m.pointer}`,
        `Step '${view.step.name}' input '${String(m.location[0] ?? '')}' contains '${m.text}', which is not a valid reference: ${m.reason}.`,
        m.suggestion ? `Did you mean ${m.suggestion}? ${REFERENCE_FORMS}` : REFERENCE_FORMS,
      );
    }
    // Interpolated strings whose consumer was checked, so that two references in one string
    // report a misfit once; allocated only for steps that interpolate.
    let interpolatedChecked: Set<string> | undefined;
    for (const occurrence of scan.references) {
      const producer = resolveProducer(a, view, occurrence);
      if (!producer) continue;
      if (!occurrence.exact) interpolatedChecked ??= new Set<string>();
      checkPathAndType(a, view, occurrence, producer, interpolatedChecked);
    }
  }
}

/** Checks the referenced step exists and is upstream; returns its output schema when known. */
function resolveProducer(a: Analysis, view: StepView, o: ReferenceOccurrence): Producer | undefined {
  const step = view.step;
  const source = o.reference.source;
  if (source.kind === 'task') return { schema: a.ctx.taskInputSchema, source, handler: null };
  const name = source.step;
  const inFragment = a.byName.get(name);
  if (inFragment) {
    if (inFragment.node === view.node) {
      a.report(
        'REFERENCE_NOT_UPSTREAM',
        pathOf(view, o),
        `${subjectOf(view, o)}, its own output, which does not exist before it runs.`,
        `Read from a step '${step.name}' depends on: ${listChoices(step.dependencies)}.`,
      );
    } else if (!a.isUpstream(view.node, inFragment.node)) {
      a.report(
        'REFERENCE_NOT_UPSTREAM',
        pathOf(view, o),
        `${subjectOf(view, o)}, but '${name}' is not upstream of '${step.name}' through dependencies, so it may not have run yet.`,
        `Add '${name}' to the dependencies of '${step.name}'.`,
      );
    }
    const entry = a.usableEntry(inFragment);
    return entry ? { schema: entry.outputSchema, source, handler: entry.name } : undefined;
  }
  if (a.unparsedNames.has(name)) return undefined;
  const known = a.known(name);
  if (!known) {
    a.report(
      'REFERENCE_UNKNOWN_STEP',
      pathOf(view, o),
      `${subjectOf(view, o)}, but there is no step '${name}' in this fragment or the task.`,
      `Use one of: ${listChoices(closestFirst(name, a.availableNames(step.name)))}.`,
    );
    return undefined;
  }
  if (known.availability !== 'complete') {
    a.report(
      'REFERENCE_NOT_UPSTREAM',
      pathOf(view, o),
      `${subjectOf(view, o)}, ${unavailableReason(a, name, known)}.`,
      `Read from steps of this fragment that '${step.name}' depends on, or from steps complete before planning: ${listChoices(a.availableNames(step.name))}.`,
    );
  }
  return { schema: known.outputSchema, source, handler: null };
}

function checkPathAndType(a: Analysis, view: StepView, o: ReferenceOccurrence, producer: Producer, interpolatedChecked: Set<string> | undefined): void {
  const { reference, exact } = o;
  const found = a.schemaAt(producer.schema, reference.path, referencePathKey(reference));
  if (!found.found) {
    const reached = reference.path.slice(0, found.failedAt);
    const missing = reference.path[found.failedAt] as PathSegment;
    const place = reached.length === 0 ? ownerOf(producer) : `'${formatPath(reached)}' of ${ownerOf(producer)}`;
    a.report(
      'REFERENCE_PATH_UNKNOWN',
      pathOf(view, o),
      `${subjectOf(view, o)}, but ${place} has no '${typeof missing === 'number' ? `[${missing}]` : missing}': ${found.reason}.`,
      found.available.length > 0
        ? `Use one of the keys of ${place}: ${listChoices(closestFirst(String(missing), found.available))}.`
        : `Shorten the path to '${formatPath(reached)}' or read another value: there, ${found.reason}.`,
    );
    return;
  }
  const entry = a.usableEntry(view);
  if (!entry) return;
  if (view.step.handler === FAN_OUT_HANDLER) {
    // A fan-out passes values on to another handler: check them where they go.
    const consumers = consumersOf(a, view, o, entry);
    if (consumers.length === 0) return;
    if (exact) {
      for (const c of consumers) if (!checkExactFit(a, view, o, found.schema, producer, c.entry, c.schema, c.via)) return;
      return;
    }
    const [first] = consumers as [Consumer];
    checkInterpolated(a, view, o, found.schema, producer, first.entry, first.schema, interpolatedChecked);
    return;
  }
  // The common path allocates nothing per reference: a thousand-step fragment has thousands.
  const consumer = a.schemaAt(entry.inputSchema, o.location, locationKey(o));
  if (!consumer.found) return; // an input the handler does not take: INPUT_UNKNOWN says so.
  if (exact) checkExactFit(a, view, o, found.schema, producer, entry, consumer.schema, '');
  else checkInterpolated(a, view, o, found.schema, producer, entry, consumer.schema, interpolatedChecked);
}

/** Interpolated references: the value must be a scalar, and the consumer must take a string. */
function checkInterpolated(
  a: Analysis,
  view: StepView,
  o: ReferenceOccurrence,
  found: JsonSchema,
  producer: Producer,
  target: HandlerManifestEntry,
  consumerSchema: JsonSchema,
  interpolatedChecked: Set<string> | undefined,
): void {
  const { reference, pointer } = o;
  if (!a.assignable(found, producer.schema, SCALAR, SCALAR).ok) {
    a.report(
      'REFERENCE_TYPE_MISMATCH',
      pathOf(view, o),
      `Step '${view.step.name}' input '${inputOf(o)}' interpolates ${reference.text}, which is ${describeSchema(found, producer.schema)}, into text; an object or array would become JSON text.`,
      `Make the string exactly "${reference.text}" to pass the value itself, or interpolate one of its scalar fields.`,
    );
  }
  if (interpolatedChecked && !interpolatedChecked.has(pointer)) {
    interpolatedChecked.add(pointer);
    if (!a.assignable(STRING, STRING, consumerSchema, target.inputSchema).ok) {
      const expects = describeSchema(consumerSchema, target.inputSchema);
      a.report(
        'REFERENCE_TYPE_MISMATCH',
        pathOf(view, o),
        `Step '${view.step.name}' input '${inputOf(o)}' builds a string around ${reference.text}, but handler '${target.name}' expects ${expects} there.`,
        `Make the value exactly one reference ("${reference.text}") so that it keeps its type, or give a literal of type ${expects}.`,
      );
    }
  }
}

/** Where a referenced value goes: a handler's input schema at a place, and how to say so. */
interface Consumer {
  readonly entry: HandlerManifestEntry;
  readonly schema: JsonSchema;
  /** Added to a mismatch message when the value goes somewhere other than the step's own handler. */
  readonly via: string;
}

/**
 * The input schemas a reference's value must fit. Usually one: the step's handler at the
 * reference's place. A fan-out passes values on: `with.<key>` goes to the per-partition handler's
 * input `<key>` (instead of the fan-out's own open `with`), and `items` must be an array for the
 * fan-out and, partition by partition, fit the handler's `partition_input`.
 */
function consumersOf(a: Analysis, view: StepView, o: ReferenceOccurrence, entry: HandlerManifestEntry): Consumer[] {
  const own = (): Consumer[] => {
    const at = a.schemaAt(entry.inputSchema, o.location, locationKey(o));
    return at.found ? [{ entry, schema: at.schema, via: '' }] : [];
  };
  const child = perPartitionEntry(a, view);
  if (!child) return own();
  const [head, key, ...rest] = o.location;
  if (head === 'with' && typeof key === 'string') {
    const at = a.schemaAt(child.inputSchema, [key, ...rest]);
    return at.found ? [{ entry: child, schema: at.schema, via: ` (it goes to '${child.name}' for every partition)` }] : [];
  }
  const partitionInput = partitionInputOf(view.step.inputs);
  if (head !== 'items' || o.location.length !== 1) return own();
  const at = a.schemaAt(child.inputSchema, [partitionInput]);
  return [...own(), ...(at.found ? [{ entry: child, schema: at.schema, via: ` (each partition goes to '${child.name}' input '${partitionInput}')` }] : [])];
}

/** Reports an exact reference whose producer type does not fit `schema` of `entry`; true when it fits. */
function checkExactFit(
  a: Analysis,
  view: StepView,
  o: ReferenceOccurrence,
  found: JsonSchema,
  producer: Producer,
  entry: HandlerManifestEntry,
  schema: JsonSchema,
  via: string,
): boolean {
  const { reference } = o;
  const fit = a.assignable(found, producer.schema, schema, entry.inputSchema);
  if (fit.ok) return true;
  const expects = describeSchema(schema, entry.inputSchema);
  const detail = fit.at === '' ? fit.reason : `at '${fit.at}', ${fit.reason}`;
  const fitting = fittingSiblings(a, producer, reference.path, schema, entry.inputSchema, inputOf(o));
  a.report(
    'REFERENCE_TYPE_MISMATCH',
    pathOf(view, o),
    `Step '${view.step.name}' input '${inputOf(o)}' gets ${reference.text}, which is ${describeSchema(found, producer.schema)}, but handler '${entry.name}' expects ${expects} there${via} (${detail}).`,
    fitting.length > 0
      ? `If you meant the same value under another name, read ${listChoices(fitting)} (type ${expects}); otherwise add a transform step that reshapes ${reference.text} into ${expects}.`
      : `Add a transform step (data "${reference.text}") whose expression returns ${expects}, and read its output here; or read another value that is ${expects} and means what this input needs.`,
  );
  return false;
}

/** The words of a key or input name: `invalid_count` → invalid, count. */
function words(name: string): Set<string> {
  return new Set(name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0));
}

/**
 * Keys beside the mismatched one whose type fits and whose name says the same thing: a word
 * shared with the referenced key or with the consumer's input (`rows` for input `rows`,
 * `valid_rows` for `valid`). A key that merely has the right type (`errors` where `valid` was
 * read) means something else, and a planner that follows such a hint computes the wrong thing.
 */
function fittingSiblings(
  a: Analysis,
  producer: Producer,
  refPath: readonly PathSegment[],
  consumer: JsonSchema,
  consumerRoot: JsonSchema,
  input: string,
): string[] {
  if (refPath.length === 0) return [];
  const parentPath = refPath.slice(0, -1);
  const parent = a.schemaAt(producer.schema, parentPath);
  if (!parent.found) return [];
  const node = deref(parent.schema, producer.schema);
  const props = isSchemaObject(node) ? propertiesOf(node) : undefined;
  if (!props) return [];
  const out: string[] = [];
  const last = refPath[refPath.length - 1];
  const meaning = new Set([...words(typeof last === 'string' ? last : ''), ...words(input.replace(/\[\d+\]/g, ''))]);
  for (const key of Object.keys(props)) {
    if (key === last || ![...words(key)].some((w) => meaning.has(w))) continue;
    const sub = a.schemaAt(producer.schema, [...parentPath, key]);
    if (sub.found && a.assignable(sub.schema, producer.schema, consumer, consumerRoot).ok) out.push(key);
  }
  return out.map((k) => formatReference(producer.source, [...parentPath, k]));
}
