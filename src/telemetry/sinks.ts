/**
 * The worker side of the `weftTelemetry` sink: events from workflow code become metrics and
 * spans. `callDuringReplay: false` on every function: a replayed workflow (after a cache eviction
 * or on another worker) does not count or trace again. Always injected, doing nothing when
 * telemetry is off, so the workflow never calls a sink the worker lacks.
 */
import type { InjectedSinks } from '@temporalio/worker';
import { TELEMETRY_SINK, type TelemetrySink } from '../core/telemetry.js';
import type { WeftMetrics } from './metrics.js';
import type { TaskSpans } from './task-spans.js';

/** What records the events (either may be absent). */
export interface WorkerTelemetry {
  readonly metrics?: WeftMetrics | null;
  readonly spans?: TaskSpans | null;
}

type WeftSinks = { [TELEMETRY_SINK]: TelemetrySink };

/** The injected sink for a worker. */
export function telemetrySinks(t: WorkerTelemetry = {}): InjectedSinks<WeftSinks> {
  const metrics = t.metrics ?? null;
  const spans = t.spans ?? null;
  const safely = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      // Telemetry must never fail a workflow task; say what broke once per event.
      console.warn(`weft telemetry: recording ${what} failed: ${String(err)}`);
    }
  };
  return {
    [TELEMETRY_SINK]: {
      stepEnded: {
        fn: (info, e) =>
          safely('a step', () => {
            metrics?.stepEnded(e);
            spans?.stepEnded(info, e);
          }),
        callDuringReplay: false,
      },
      stepParked: { fn: (info, e) => safely('a parked step', () => metrics?.stepParked(info.runId, e)), callDuringReplay: false },
      planningAttempt: {
        fn: (info, e) =>
          safely('a planning attempt', () => {
            metrics?.planningAttempt(e);
            spans?.planningAttempt(info, e);
          }),
        callDuringReplay: false,
      },
      fragmentAccepted: { fn: (_info, e) => safely('a fragment', () => metrics?.fragmentAccepted(e)), callDuringReplay: false },
      llmUsage: { fn: (_info, e) => safely('LLM use', () => metrics?.llmUsage(e)), callDuringReplay: false },
      taskEnded: {
        fn: (info, e) =>
          safely('a task', () => {
            metrics?.taskEnded(e, info.runId);
            spans?.taskEnded(info, e);
          }),
        callDuringReplay: false,
      },
    },
  };
}
