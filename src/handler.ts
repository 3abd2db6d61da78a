/**
 * The handler contract: what a catalog or application handler is. Handlers run in activities
 * (plain Node); workflows only ever see their manifest entries.
 */
import { z } from 'zod';
import type { ErrorMode, HandlerCategory, HandlerManifest, HandlerManifestEntry } from './core/manifest.js';
import type { JsonSchema } from './core/json.js';

/** What a running handler can use. */
export interface HandlerContext {
  readonly workflowId: string;
  readonly runId: string;
  readonly stepName: string;
  /** Attempt number of this activity, from 1. */
  readonly attempt: number;
  /** Stable across retries of the same step in the same run: use it to make side effects idempotent. */
  readonly idempotencyKey: string;
  /** Aborted when the activity is cancelled or times out. */
  readonly signal: AbortSignal;
  /** Reports progress (heartbeat) for long work. */
  heartbeat(details?: unknown): void;
}

/** A handler: typed input and output, declared error modes, and behaviour. */
export interface Handler<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  readonly category: HandlerCategory;
  readonly mutating: boolean;
  readonly input: z.ZodType<I>;
  readonly output: z.ZodType<O>;
  readonly errorModes: readonly ErrorMode[];
  readonly estimatedCostUsd: number;
  /** False when the worker must not heartbeat for it (see `HandlerDefinition.heartbeats`); default true. */
  readonly heartbeats?: boolean;
  run(input: I, ctx: HandlerContext): Promise<O>;
}

/** Any handler, as stored in a registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = Handler<any, any>;

/** What `defineHandler` takes. */
export interface HandlerDefinition<I, O> {
  name: string;
  description: string;
  category: HandlerCategory;
  mutating?: boolean;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  errorModes?: readonly ErrorMode[];
  estimatedCostUsd?: number;
  /**
   * Whether the worker heartbeats for the handler while it runs (default true): a timer beats every
   * third of the step's heartbeat timeout (default 15 s) for as long as `run`'s promise is pending,
   * so a worker that dies mid-step has its step retried elsewhere after the heartbeat timeout, not
   * the start-to-close timeout. Say `false` only for a handler that blocks the event loop (long
   * synchronous work) for longer than the heartbeat timeout: the timer cannot fire then, and the
   * step would be killed as if its worker had died; such steps get no heartbeat timeout at all.
   * `ctx.heartbeat(details)` still records progress details either way.
   */
  heartbeats?: boolean;
  run(input: I, ctx: HandlerContext): Promise<O>;
}

const HANDLER_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Defines a handler. Its schemas must be representable as JSON Schema (the planner is shown them).
 * @example
 * const double = defineHandler({
 *   name: 'double', description: 'Doubles a number.', category: 'data',
 *   input: z.object({ n: z.number() }), output: z.object({ n: z.number() }),
 *   run: async ({ n }) => ({ n: n * 2 }),
 * });
 */
export function defineHandler<I, O>(def: HandlerDefinition<I, O>): Handler<I, O> {
  if (!HANDLER_NAME.test(def.name)) {
    throw new TypeError(`Handler name '${def.name}' is invalid: use lower case letters, digits and _ (${HANDLER_NAME.source}).`);
  }
  if (def.description.includes('\n') || def.description.trim() === '') {
    throw new TypeError(`Handler '${def.name}' needs a one-line description.`);
  }
  return {
    name: def.name,
    description: def.description,
    category: def.category,
    mutating: def.mutating ?? false,
    input: def.input,
    output: def.output,
    errorModes: def.errorModes ?? [],
    estimatedCostUsd: def.estimatedCostUsd ?? 0,
    // Only when false: handlers that heartbeat (the default) are the objects they were before.
    ...(def.heartbeats === false ? { heartbeats: false } : {}),
    run: (input, ctx) => def.run(input, ctx),
  };
}

/** Converts a zod schema to the JSON Schema the planner and validator see; throws if unrepresentable. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { unrepresentable: 'throw', io, target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
}

/** Derives a handler's manifest entry. */
export function manifestEntry(handler: AnyHandler): HandlerManifestEntry {
  return {
    name: handler.name,
    description: handler.description,
    category: handler.category,
    mutating: handler.mutating,
    inputSchema: toJsonSchema(handler.input, 'input'),
    outputSchema: toJsonSchema(handler.output, 'output'),
    errorModes: handler.errorModes,
    estimatedCostUsd: handler.estimatedCostUsd,
    ...(handler.heartbeats === false ? { heartbeats: false as const } : {}),
  };
}

/** Derives the manifest of a set of handlers; names must be unique. */
export function manifestOf(handlers: readonly AnyHandler[]): HandlerManifest {
  const out: Record<string, HandlerManifestEntry> = {};
  for (const h of handlers) {
    if (out[h.name]) throw new TypeError(`Handler '${h.name}' is registered twice.`);
    out[h.name] = manifestEntry(h);
  }
  return out;
}
