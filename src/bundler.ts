/**
 * Bundler options for every workflow bundle weft builds (workers, tests, replays, benchmarks): spread them
 * into `bundleWorkflowCode({ workflowsPath, ...bundlerOptions })` or pass them as
 * `Worker.create({ bundlerOptions })`.
 *
 * Our sources import each other with `.js` specifiers (ESM under NodeNext) while the files are
 * `.ts`. Temporal's bundler (1.24) maps `.js` to `.ts` itself through webpack's
 * `resolve.extensionAlias`, but that is an internal default, not a documented option; the hook
 * below states the requirement so that a change of that default cannot silently break bundling.
 */
import type { BundleOptions } from '@temporalio/worker';

type WebpackConfiguration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** Makes webpack try `x.ts` before `x.js` for an `import './x.js'`. */
function resolveJsSpecifiersToTs(config: WebpackConfiguration): WebpackConfiguration {
  const resolve = config.resolve ?? {};
  const aliases = resolve.extensionAlias ?? {};
  const forJs = aliases['.js'];
  const current = forJs === undefined ? ['.js'] : Array.isArray(forJs) ? forJs : [forJs];
  const js = ['.ts', ...current.filter((ext) => ext !== '.ts')];
  return { ...config, resolve: { ...resolve, extensionAlias: { ...aliases, '.js': js } } };
}

/** Shared bundler options: `.js` import specifiers resolve to our `.ts` sources. */
export const bundlerOptions = {
  webpackConfigHook: resolveJsSpecifiersToTs,
} satisfies Pick<BundleOptions, 'webpackConfigHook'>;

const noop = (): undefined => undefined;

/** A bundler logger that reports errors only: webpack's progress is noise in a CLI or a test. */
export const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (message: string) => console.error(message) };
