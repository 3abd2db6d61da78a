/**
 * The registry: what a worker serves and what the CLI knows about — handlers, templates and the
 * planner. A registry is a module whose default export (or `registry` export) is a `Registry`;
 * `weft worker --registry <module>` and `WEFT_REGISTRY` choose it, `examples/registry.ts` is the
 * default.
 * @example
 * // my-registry.ts
 * import { builtinHandlers } from 'weft/catalog';
 * export default defineRegistry({ handlers: [...builtinHandlers, myHandler], templates: [myTemplate], planner });
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import type { CompiledPlan } from './core/plan.js';
import type { AnyHandler } from './handler.js';
import type { Planner } from './planner/types.js';
import type { Template } from './template/define.js';

/** What a worker serves and the CLI describes. */
export interface Registry {
  /** Every handler the worker runs: built-in catalog and application handlers. */
  readonly handlers: readonly AnyHandler[];
  /** Templates tasks can be started by name with; compiled against `handlers` on load. */
  readonly templates: readonly (Template | CompiledPlan)[];
  /** The planner the worker's planning activity uses; without one, planning steps fail with a message saying so. */
  readonly planner?: Planner;
}

/** A registry with the module it came from. */
export interface LoadedRegistry {
  readonly registry: Registry;
  /** Absolute path of the module. */
  readonly path: string;
}

/** A registry module is missing, does not load, or does not export a registry. Names the module and the fix. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** The repository's own registry (the order-triage example), used when neither `--registry` nor `WEFT_REGISTRY` is given. */
export const DEFAULT_REGISTRY_PATH = fileURLToPath(new URL('../examples/registry.ts', import.meta.url));

/** Identity, for type inference and a checked shape in registry modules. */
export function defineRegistry(registry: Registry): Registry {
  return registry;
}

/**
 * Loads a registry module: `modulePath` (relative to `cwd`), else `WEFT_REGISTRY`, else the
 * repository's `examples/registry.ts`. TypeScript modules load when tsx is registered (as
 * `bin/weft.js` does).
 */
export async function loadRegistry(
  modulePath?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): Promise<LoadedRegistry> {
  const given = modulePath ?? env['WEFT_REGISTRY'];
  const source = modulePath !== undefined ? '--registry' : given !== undefined ? 'WEFT_REGISTRY' : 'the default';
  const path = given === undefined ? DEFAULT_REGISTRY_PATH : isAbsolute(given) ? given : resolve(cwd, given);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'ENOENT') && String((err as Error).message).includes(path)) {
      throw new RegistryError(`Registry module ${path} (from ${source}) does not exist. Pass an existing module with --registry or WEFT_REGISTRY.`);
    }
    throw new RegistryError(`Registry module ${path} (from ${source}) failed to load: ${(err as Error).message ?? String(err)}`);
  }
  const candidate = mod['default'] ?? mod['registry'];
  return { registry: checkRegistry(candidate, path), path };
}

function checkRegistry(value: unknown, path: string): Registry {
  const fix = `Export one as \`export default defineRegistry({ handlers, templates, planner })\` (or \`export const registry = ...\`).`;
  if (typeof value !== 'object' || value === null) {
    throw new RegistryError(`Registry module ${path} has no default or \`registry\` export. ${fix}`);
  }
  const r = value as Record<string, unknown>;
  const problems: string[] = [];
  if (!Array.isArray(r['handlers'])) problems.push('`handlers` is not an array of handlers');
  else {
    const bad = (r['handlers'] as unknown[]).findIndex((h) => typeof h !== 'object' || h === null || typeof (h as { run?: unknown }).run !== 'function');
    if (bad >= 0) problems.push(`handlers[${bad}] is not a handler (define it with defineHandler)`);
  }
  if (!Array.isArray(r['templates'])) problems.push('`templates` is not an array of templates');
  const planner = r['planner'];
  if (planner !== undefined && (typeof planner !== 'object' || planner === null || typeof (planner as { plan?: unknown }).plan !== 'function')) {
    problems.push('`planner` is not a planner (an object with a `plan` method)');
  }
  if (problems.length > 0) throw new RegistryError(`Registry module ${path} exports a wrong registry: ${problems.join('; ')}. ${fix}`);
  return value as Registry;
}

/** A planner for registries that have none: every planning call fails, saying how to configure one. */
export function missingPlanner(path: string): Planner {
  return {
    name: 'none',
    plan: () =>
      Promise.reject(
        ApplicationFailure.create({
          type: 'PLANNER_MISSING',
          nonRetryable: true,
          message: `The registry ${path} has no planner, so planning steps cannot run. Add \`planner\` to its registry export (e.g. scriptedPlanner).`,
        }),
      ),
  };
}
