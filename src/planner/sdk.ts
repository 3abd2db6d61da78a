/**
 * The Anthropic SDK, loaded on first use: a Claude planner or `summarize` handler loads it when it
 * first calls the model, so processes that only import weft (the CLI, a registry, workers that plan
 * with a scripted planner) do not pay for it. `@anthropic-ai/sdk` is a dependency of weft.
 *
 * weft's clients are built with `openTelemetry: false`: weft records each call as a GenAI span of
 * its own, in the task's trace; the SDK's spans would be duplicates outside it.
 */
import type * as Sdk from '@anthropic-ai/sdk';
import type { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';

type ZodOutputFormat = typeof zodOutputFormat;

let loaded: typeof Sdk | undefined;
let outputFormatHelper: ZodOutputFormat | undefined;

/** Loads the SDK once. */
export async function loadAnthropicSdk(): Promise<typeof Sdk> {
  loaded ??= await import('@anthropic-ai/sdk');
  return loaded;
}

/**
 * The SDK if something has loaded it, else `undefined`. An error the SDK threw implies it is
 * loaded, so classifying errors needs no `await`.
 */
export function loadedAnthropicSdk(): typeof Sdk | undefined {
  return loaded;
}

/** Loads the SDK's `zodOutputFormat` helper once (what constrained requests derive their schema with). */
export async function loadZodOutputFormat(): Promise<ZodOutputFormat> {
  outputFormatHelper ??= (await import('@anthropic-ai/sdk/helpers/zod')).zodOutputFormat;
  return outputFormatHelper;
}

/** The helper, which the planner loads before it builds its first request; throws, saying so, before that. */
export function loadedZodOutputFormat(): ZodOutputFormat {
  if (!outputFormatHelper) throw new Error('The SDK\'s zodOutputFormat is not loaded yet: await loadZodOutputFormat() before building a constrained request.');
  return outputFormatHelper;
}
