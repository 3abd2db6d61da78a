/**
 * The handler manifest: plain-data descriptions of catalog handlers, derived from their zod
 * schemas on the worker and pinned into workflow history at start. Workflow code validates
 * fragments against this, never against live handler objects.
 */
import type { JsonSchema } from './json.js';

/** How a handler can fail, and whether Temporal should retry it. */
export interface ErrorMode {
  /** Stable SCREAMING_SNAKE code, also the `ApplicationFailure` type. */
  readonly code: string;
  /** Whether a retry can help. */
  readonly retryable: boolean;
  /** When this happens, in one sentence. */
  readonly description: string;
}

/** Handler categories used for capability selection. Open-ended; these are the built-in ones. */
export type HandlerCategory = 'data' | 'api' | 'control' | 'io' | 'llm' | (string & {});

/** One handler, as plain data. */
export interface HandlerManifestEntry {
  readonly name: string;
  /** One line: what it does. */
  readonly description: string;
  readonly category: HandlerCategory;
  /** True when it changes the world outside the task (writes, sends). */
  readonly mutating: boolean;
  /** JSON Schema of the handler's input object. */
  readonly inputSchema: JsonSchema;
  /** JSON Schema of the handler's output. */
  readonly outputSchema: JsonSchema;
  readonly errorModes: readonly ErrorMode[];
  /** Expected USD cost of one invocation (LLM-backed handlers); 0 when free. */
  readonly estimatedCostUsd: number;
  /**
   * `false` when the worker must not heartbeat for the handler (it blocks the event loop for longer
   * than a heartbeat timeout): its steps get no heartbeat timeout, only the start-to-close one.
   * Absent means true: the worker heartbeats while the handler runs, so a dead worker's step is
   * retried after the short heartbeat timeout. Absent rather than `true` keeps pinned manifests
   * (and template hashes) of before issue 12 as they were.
   */
  readonly heartbeats?: false;
}

/** All handlers a worker offers, by name. */
export type HandlerManifest = Readonly<Record<string, HandlerManifestEntry>>;
