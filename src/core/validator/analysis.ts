/**
 * What every semantic check shares: the steps that parsed (with their place in the fragment),
 * names resolved once, the dependency graph, each step's references and the catalog entries,
 * plus memo tables so that a thousand steps using the same handlers resolve each schema path
 * once. Built once per `validateFragment` call; nothing outlives it.
 */
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { Dag, type AncestorIndex } from '../dag.js';
import type { FragmentStep } from '../fragment.js';
import { isAssignable, schemaAtPath, type Assignability, type SchemaAtPath } from '../json-schema/index.js';
import type { JsonSchema } from '../json.js';
import type { HandlerManifestEntry } from '../manifest.js';
import { findReferences, type PathSegment, type ReferenceScan } from '../references.js';
import type { KnownStep, ValidationContext } from '../validation.js';

/** A step that passed the step schema, with where it sits in the fragment. */
export interface StepView {
  /** Position in the fragment's `steps` array (paths use it). */
  readonly index: number;
  /** Position among the parsed steps (graph algorithms use it). */
  readonly node: number;
  readonly step: FragmentStep;
  /** JSON Pointer of the step, e.g. `/steps/3`. */
  readonly at: string;
}

/** Shared state of one validation run. */
export class Analysis {
  readonly diagnostics: Diagnostic[] = [];
  readonly byName = new Map<string, StepView>();
  readonly allowed: ReadonlySet<string>;
  readonly dag: Dag;
  private ancestorIndex: AncestorIndex | undefined;
  private readonly scans: (ReferenceScan | undefined)[];
  private readonly pathMemo = new Map<JsonSchema, Map<string, SchemaAtPath>>();
  private readonly assignMemo = new Map<JsonSchema, Map<JsonSchema, Assignability>>();

  constructor(
    readonly ctx: ValidationContext,
    /** Steps that parsed, in fragment order. */
    readonly steps: readonly StepView[],
    /** Length of the fragment's `steps` array, parsed or not. */
    readonly stepCount: number,
    readonly next: 'done' | 'replan' | null,
    /** Names of steps that failed the step schema: they exist, so naming them is no error of its own. */
    readonly unparsedNames: ReadonlySet<string>,
  ) {
    // A step reusing a known step's name (STEP_NAME_RESERVED) does not capture it: dependencies
    // and references keep meaning the known step, so renaming the step is the whole fix.
    const owns = (v: StepView): boolean => this.byName.get(v.step.name) === v;
    for (const v of steps) if (!this.byName.has(v.step.name) && !this.known(v.step.name)) this.byName.set(v.step.name, v);
    this.allowed = new Set(ctx.allowedHandlers);
    this.dag = new Dag(
      steps.map((v) => v.step),
      (i) => owns(steps[i] as StepView),
    );
    this.scans = steps.map(() => undefined);
  }

  /** Records a diagnostic. */
  report(code: DiagnosticCode, path: string, message: string, hint: string): void {
    this.diagnostics.push({ code, path, message, hint });
  }

  /**
   * Whether parsed step `ancestor` runs before parsed step `of` through dependencies (by node).
   * Nearly every reference reads a direct dependency, which is answered from the step's own
   * list; the ancestor bitsets are built only when some reference reaches further.
   */
  isUpstream(of: number, ancestor: number): boolean {
    if (this.dag.dependsDirectly(of, ancestor)) return true;
    this.ancestorIndex ??= this.dag.ancestors();
    return this.ancestorIndex.has(of, ancestor);
  }

  /** The references in a step's inputs, scanned once. */
  scan(view: StepView): ReferenceScan {
    let s = this.scans[view.node];
    if (!s) {
      s = findReferences(view.step.inputs);
      this.scans[view.node] = s;
    }
    return s;
  }

  /** The catalog entry of a handler, whether or not it is allowed here. */
  catalogEntry(handler: string): HandlerManifestEntry | undefined {
    return Object.prototype.hasOwnProperty.call(this.ctx.catalog, handler) ? this.ctx.catalog[handler] : undefined;
  }

  /**
   * The catalog entry of a step's handler when it is in the catalog and allowed; otherwise
   * undefined, and checks against its schemas are skipped: the planner must change the handler
   * first, and diagnostics against the wrong handler's schemas would only mislead.
   */
  usableEntry(view: StepView): HandlerManifestEntry | undefined {
    return this.allowed.has(view.step.handler) ? this.catalogEntry(view.step.handler) : undefined;
  }

  /** A known step (frame or earlier phase) by name. */
  known(name: string): KnownStep | undefined {
    return Object.prototype.hasOwnProperty.call(this.ctx.knownSteps, name) ? this.ctx.knownSteps[name] : undefined;
  }

  /** Names a dependency or reference may use: this fragment's steps, then known complete steps. */
  availableNames(except?: string): string[] {
    const names = this.steps.map((v) => v.step.name).filter((n) => n !== except);
    for (const [name, k] of Object.entries(this.ctx.knownSteps)) if (k.availability === 'complete') names.push(name);
    return [...new Set(names)];
  }

  /**
   * `schemaAtPath`, memoized per schema document and path. `key` must identify the path
   * unambiguously; callers that have such a string at hand pass it to save building one.
   */
  schemaAt(schema: JsonSchema, path: readonly PathSegment[], key: string = pathKey(path)): SchemaAtPath {
    let perSchema = this.pathMemo.get(schema);
    if (!perSchema) this.pathMemo.set(schema, (perSchema = new Map<string, SchemaAtPath>()));
    let hit = perSchema.get(key);
    if (!hit) perSchema.set(key, (hit = schemaAtPath(schema, path)));
    return hit;
  }

  /**
   * `isAssignable` of two sub-schemas, memoized by identity. Sub-schemas come from `schemaAt`,
   * which returns the same object for the same document and path, and a sub-schema object
   * belongs to one document, so its identity also fixes the root its `$ref`s resolve against.
   */
  assignable(producer: JsonSchema, producerRoot: JsonSchema, consumer: JsonSchema, consumerRoot: JsonSchema): Assignability {
    let perProducer = this.assignMemo.get(producer);
    if (!perProducer) this.assignMemo.set(producer, (perProducer = new Map<JsonSchema, Assignability>()));
    let hit = perProducer.get(consumer);
    if (!hit) perProducer.set(consumer, (hit = isAssignable(producer, consumer, { producerRoot, consumerRoot })));
    return hit;
  }
}

/** A memo key for a path: length-prefixed keys, so that `['a.b']` and `['a', 'b']` differ. */
export function pathKey(path: readonly PathSegment[]): string {
  let key = '';
  for (const s of path) key += typeof s === 'number' ? `[${s}]` : `.${s.length}:${s}`;
  return key;
}

/** Builds the step views of parsed steps, keeping their original positions. */
export function stepViews(steps: readonly (FragmentStep | null)[]): StepView[] {
  const out: StepView[] = [];
  steps.forEach((step, index) => {
    if (step) out.push({ index, node: out.length, step, at: `/steps/${index}` });
  });
  return out;
}
