/**
 * Fan-out steps name a second handler, the one each partition runs (`inputs.handler`). It gets
 * the same checks as a step's own handler, before anything runs: in the catalog
 * (HANDLER_UNKNOWN), allowed here (HANDLER_NOT_ALLOWED), not itself a gate or fan-out, taking
 * the partition in `partition_input`, and given every other input it requires through `with`
 * (INPUT_MISSING / INPUT_UNKNOWN / INPUT_INVALID, with paths into `with`).
 */
import { listChoices, pointerToken } from '../diagnostics.js';
import { FAN_OUT_HANDLER, NOT_PER_PARTITION, partitionInputOf, RUNS_IN_WORKFLOW } from '../fan-out.js';
import { isJsonObject, type JsonSchema } from '../json.js';
import { deref, isSchemaObject, propertiesOf, type CheckOptions } from '../json-schema/index.js';
import type { HandlerManifestEntry } from '../manifest.js';
import type { Analysis, StepView } from './analysis.js';
import { checkTargetInputs } from './inputs.js';
import { closestFirst } from './suggest.js';

/** The handler a fan-out step runs per partition, when it is usable here; undefined otherwise. */
export function perPartitionEntry(a: Analysis, view: StepView): HandlerManifestEntry | undefined {
  if (view.step.handler !== FAN_OUT_HANDLER || !a.usableEntry(view)) return undefined;
  const h = view.step.inputs['handler'];
  if (typeof h !== 'string' || NOT_PER_PARTITION.includes(h) || !a.allowed.has(h)) return undefined;
  return a.catalogEntry(h);
}

/** Reports problems with what fan-out steps run per partition. */
export function checkFanOuts(a: Analysis): void {
  for (const view of a.steps) {
    if (view.step.handler !== FAN_OUT_HANDLER || !a.usableEntry(view)) continue;
    const h = view.step.inputs['handler'];
    if (typeof h !== 'string') continue; // the input check reports a missing or non-string handler
    if (!checkChildHandler(a, view, h)) continue;
    checkChildInputs(a, view, a.catalogEntry(h) as HandlerManifestEntry);
  }
}

function checkChildHandler(a: Analysis, view: StepView, h: string): boolean {
  const { step, at } = view;
  const where = `${at}/inputs/handler`;
  const usable = a.ctx.allowedHandlers.filter((x) => !NOT_PER_PARTITION.includes(x) && a.catalogEntry(x) !== undefined);
  const hint = `Use one of: ${listChoices(closestFirst(h, usable))}.`;
  if (h.includes('${')) {
    a.report('INPUT_INVALID', where, `Step '${step.name}' names the handler to run per partition with a reference; it must be a handler name.`, hint);
    return false;
  }
  if (NOT_PER_PARTITION.includes(h)) {
    a.report(
      'INPUT_INVALID',
      where,
      `Step '${step.name}' runs '${h}' per partition, but '${h}' ${RUNS_IN_WORKFLOW}.`,
      h === FAN_OUT_HANDLER ? `Make partitions bigger instead of nesting fan-outs; per partition use one of: ${listChoices(usable)}.` : `Put one '${h}' step before the fan-out, then ${hint.charAt(0).toLowerCase()}${hint.slice(1)}`,
    );
    return false;
  }
  if (a.catalogEntry(h) === undefined) {
    a.report('HANDLER_UNKNOWN', where, `Step '${step.name}' runs handler '${h}' per partition, which is not in this planning step's catalog.`, hint);
    return false;
  }
  if (!a.allowed.has(h)) {
    a.report(
      'HANDLER_NOT_ALLOWED',
      where,
      `Step '${step.name}' runs handler '${h}' per partition, which is in the catalog but not allowed for planning step '${a.ctx.planningStep}'.`,
      hint,
    );
    return false;
  }
  return true;
}

/** The input names a handler takes (any branch of a union); null when the schema does not say. */
function inputNames(entry: HandlerManifestEntry): string[] | null {
  const root = entry.inputSchema;
  const top = deref(root, root);
  if (!isSchemaObject(top)) return null;
  const own = propertiesOf(top);
  if (own) return Object.keys(own);
  const branches = [top['anyOf'], top['oneOf']].find(Array.isArray) as unknown[] | undefined;
  if (!branches) return null;
  const names = new Set<string>();
  for (const b of branches) {
    const branch = deref(b as JsonSchema, root);
    const props = isSchemaObject(branch) ? propertiesOf(branch) : undefined;
    if (!props) return null;
    for (const k of Object.keys(props)) names.add(k);
  }
  return [...names];
}

function checkChildInputs(a: Analysis, view: StepView, child: HandlerManifestEntry): void {
  const { step, at } = view;
  const given = step.inputs['partition_input'];
  if (given !== undefined && typeof given !== 'string') return; // the input check reports it
  const partitionKey = partitionInputOf(step.inputs);
  const names = inputNames(child);
  if (names !== null && !names.includes(partitionKey)) {
    a.report(
      'INPUT_INVALID',
      given === undefined ? `${at}/inputs` : `${at}/inputs/partition_input`,
      `Step '${step.name}' gives each partition to input '${partitionKey}'${given === undefined ? ' (the default)' : ''}, which handler '${child.name}' does not take.`,
      names.length === 0
        ? `'${child.name}' takes no inputs, so it cannot receive a partition; run a handler that takes an array.`
        : `Set "partition_input" to the input of '${child.name}' that takes an array of items: ${listChoices(closestFirst(partitionKey, names))}.`,
    );
    return;
  }
  const rawWith = step.inputs['with'];
  if (rawWith !== undefined && !isJsonObject(rawWith)) return; // the input check reports it
  const withInputs = rawWith ?? {};
  if (Object.prototype.hasOwnProperty.call(withInputs, partitionKey)) {
    a.report(
      'INPUT_INVALID',
      `${at}/inputs/with/${pointerToken(partitionKey)}`,
      `Step '${step.name}' gives 'with.${partitionKey}', but '${partitionKey}' receives each partition.`,
      `Remove '${partitionKey}' from "with"; put the array to partition in "items".`,
    );
    return;
  }
  // References inside `with` are values only at run time: skip them, as for a step's own inputs.
  const skipped = new Set(a.scan(view).templatePointers.filter((p) => p.startsWith('/with/')).map((p) => p.slice('/with'.length)));
  skipped.add(`/${pointerToken(partitionKey)}`);
  const options: CheckOptions = { skip: (_v, p) => skipped.has(p) };
  checkTargetInputs(
    a,
    {
      step: step.name,
      handler: child.name,
      schema: child.inputSchema,
      inputs: { ...withInputs, [partitionKey]: [] },
      at: `${at}/inputs/with`,
      label: (k) => `'with.${k}' (for every partition)`,
      provided: [partitionKey],
    },
    options,
  );
}
