/**
 * The `--registry` option shared by the commands that read the registry, and loading the
 * registry with its templates compiled.
 */
import { listChoices } from '../core/diagnostics.js';
import type { CompiledPlan } from '../core/plan.js';
import type { LoadedRegistry } from '../registry.js';
import { CliError, type CliContext, type OptionSpec } from './command.js';

/** `--registry <module>`. */
export const registryOption = {
  type: 'string',
  placeholder: 'module',
  description: "registry module (default $WEFT_REGISTRY, else the project's weft.config.json or package.json \"weft\" field)",
} as const satisfies OptionSpec;

/** A loaded registry with its templates compiled against its handlers. */
export interface CompiledRegistry extends LoadedRegistry {
  readonly plans: readonly CompiledPlan[];
}

/** Loads and compiles the registry; a template that does not compile fails with its problems. */
export async function loadCompiledRegistry(modulePath: string | undefined, ctx: Pick<CliContext, 'env' | 'cwd'>): Promise<CompiledRegistry> {
  // The registry and the compiler (zod, the catalog) load only when a command reads the registry.
  const [{ loadRegistry }, { compileAll }] = await Promise.all([import('../registry.js'), import('../template/compile.js')]);
  const loaded = await loadRegistry(modulePath, ctx.env, ctx.cwd);
  let plans: CompiledPlan[];
  try {
    plans = compileAll(loaded.registry.templates, loaded.registry.handlers);
  } catch (err) {
    throw new CliError(`a template in ${loaded.path} does not compile: ${(err as Error).message}`);
  }
  return { ...loaded, plans };
}

/** The compiled template named `name`, or a CliError (exit 2) naming the registered ones. */
export function templateNamed(registry: CompiledRegistry, name: string): CompiledPlan {
  const plan = registry.plans.find((p) => p.name === name);
  if (!plan) {
    throw new CliError(
      `unknown template '${name}' in the registry ${registry.path} (from ${registry.source}): use one of ` +
        `${listChoices(registry.plans.map((p) => p.name))}, or point at another registry with --registry or WEFT_REGISTRY`,
    );
  }
  return plan;
}
