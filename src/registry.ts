/**
 * The registry: what a worker serves and what the CLI knows about — handlers, templates and the
 * planner. A registry is a module whose default export (or `registry` export) is a `Registry`.
 * The CLI finds it as `discoverRegistry` says: `--registry`, else `WEFT_REGISTRY`, else the
 * project's `weft.config.json` or its `package.json`'s `"weft": { "registry": … }`.
 * @example
 * // src/registry.ts
 * import { builtinHandlers } from '@weftworks/weft/catalog';
 * export default defineRegistry({ handlers: [...builtinHandlers, myHandler], templates: [myTemplate], planner });
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TsxApi from 'tsx/esm/api';
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
  /** What named it: `--registry`, `WEFT_REGISTRY`, or the config file. */
  readonly source: string;
}

/** A registry module is missing, does not load, or does not export a registry. Names the module and the fix. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** Identity, for type inference and a checked shape in registry modules. */
export function defineRegistry(registry: Registry): Registry {
  return registry;
}

/** Where a registry module was found, for messages. */
export interface RegistryLocation {
  /** Absolute path of the module. */
  readonly path: string;
  /** What named it: `--registry`, `WEFT_REGISTRY`, or the config file. */
  readonly source: string;
}

/** The project configuration files the CLI reads, nearest first in each folder. */
export const CONFIG_FILES = ['weft.config.json', 'package.json'] as const;

const HOW_TO_CHOOSE =
  'Point at your registry module with --registry <module>, WEFT_REGISTRY=<module>, or a weft.config.json ' +
  '({ "registry": "src/registry.ts" }) or a "weft": { "registry": … } field in package.json at your project\'s root.';

/**
 * Finds the registry module: `modulePath` (relative to `cwd`), else `WEFT_REGISTRY`, else the
 * nearest `weft.config.json` or `package.json` with a `weft.registry` field in `cwd` or a folder
 * above it (a path there is relative to that file). There is no built-in default: outside a
 * project that names one, this throws a {@link RegistryError} saying how to name it.
 */
export function discoverRegistry(
  modulePath?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): RegistryLocation {
  if (modulePath !== undefined) return { path: resolve(cwd, modulePath), source: '--registry' };
  const fromEnv = env['WEFT_REGISTRY'];
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(cwd, fromEnv), source: 'WEFT_REGISTRY' };
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const file of CONFIG_FILES) {
      const found = registryFromConfig(join(dir, file));
      if (found) return found;
    }
    // The project's root ends the search: a package.json without the field still stops it.
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) break;
  }
  throw new RegistryError(`No registry module found for ${resolve(cwd)}. ${HOW_TO_CHOOSE}`);
}

function registryFromConfig(file: string): RegistryLocation | null {
  if (!existsSync(file)) return null;
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RegistryError(`${file} is not valid JSON (${(err as Error).message}); fix it to name the registry module.`);
  }
  const holder = file.endsWith('package.json') ? (config as { weft?: unknown } | null)?.weft : config;
  if (holder === undefined || holder === null) return null;
  const registry = (holder as { registry?: unknown }).registry;
  const field = file.endsWith('package.json') ? '"weft": { "registry" }' : '"registry"';
  if (typeof registry !== 'string' || registry === '') {
    throw new RegistryError(`${file}: ${field} must be the path of your registry module, e.g. "src/registry.ts".`);
  }
  return { path: resolve(dirname(file), registry), source: file };
}

/**
 * Loads a registry module found by {@link discoverRegistry}. A TypeScript module (`.ts`, `.mts`,
 * `.cts`) loads through tsx, registered on first need (install it with `npm i -D tsx`, or compile
 * the registry and point at the `.js`).
 */
export async function loadRegistry(
  modulePath?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): Promise<LoadedRegistry> {
  const { path, source } = discoverRegistry(modulePath, env, cwd);
  if (!existsSync(path)) {
    throw new RegistryError(`Registry module ${path} (from ${source}) does not exist. ${HOW_TO_CHOOSE}`);
  }
  if (/\.[mc]?ts$/.test(path)) await registerTypeScript(path, source);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new RegistryError(`Registry module ${path} (from ${source}) failed to load: ${(err as Error).message ?? String(err)}`);
  }
  const candidate = mod['default'] ?? mod['registry'];
  return { registry: checkRegistry(candidate, path), path, source };
}

const TSX_REGISTERED = Symbol.for('weft.tsx-registered');

/** Registers tsx's loader once per process (`bin/weft.js` has, in a checkout). */
async function registerTypeScript(path: string, source: string): Promise<void> {
  const flags = globalThis as { [TSX_REGISTERED]?: boolean };
  if (flags[TSX_REGISTERED]) return;
  let api: typeof TsxApi;
  try {
    api = await import('tsx/esm/api');
  } catch {
    throw new RegistryError(
      `Registry module ${path} (from ${source}) is TypeScript, and loading it needs tsx: install it in your project ` +
        '(npm i -D tsx), or compile the registry and point at the .js file.',
    );
  }
  api.register();
  flags[TSX_REGISTERED] = true;
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
