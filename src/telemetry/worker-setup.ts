/**
 * Telemetry for `weft worker`, from the environment: the Prometheus endpoint at
 * `WEFT_METRICS_ADDRESS` (weft's families plus the Temporal SDK's own, whose exporter runs on a
 * private loopback port and is appended), and traces from the `OTEL_*` variables. Off when unset.
 * Call before any Temporal connection exists (the SDK's runtime is installed here).
 * @example
 * const telemetry = await startWorkerTelemetry(process.env);
 * const worker = await createWeftWorker({ ..., telemetry: telemetry.worker });
 * // ... worker.run() ...
 * await telemetry.close();
 */
import { createServer } from 'node:net';
import { WeftMetrics } from './metrics.js';
import { parseMetricsAddress, startMetricsServer, type MetricsServer } from './metrics-server.js';
import type { WorkerTelemetry } from './sinks.js';
import { TaskSpans } from './task-spans.js';
import { startTracing, tracingConfigured, type Tracing } from './tracing.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What was started. */
export interface StartedTelemetry {
  readonly worker: WorkerTelemetry;
  readonly metricsServer: MetricsServer | null;
  readonly tracing: Tracing | null;
  /** One line for the worker's banner. */
  readonly description: string;
  close(): Promise<void>;
}

/** Checks the variables without starting anything (a bad value throws, naming the variable). */
export function checkTelemetryEnv(env: Env): void {
  const address = env['WEFT_METRICS_ADDRESS']?.trim();
  if (address) parseMetricsAddress(address);
  tracingConfigured(env);
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts what the environment asks for. `sdkMetrics: false` leaves the Temporal runtime alone. */
export async function startWorkerTelemetry(env: Env, options: { readonly sdkMetrics?: boolean } = {}): Promise<StartedTelemetry> {
  checkTelemetryEnv(env);
  const address = env['WEFT_METRICS_ADDRESS']?.trim();
  let metrics: WeftMetrics | null = null;
  let metricsServer: MetricsServer | null = null;
  let sdkMetricsUrl: string | null = null;
  if (address) {
    const parsed = parseMetricsAddress(address);
    metrics = new WeftMetrics();
    if (options.sdkMetrics !== false) {
      const { Runtime } = await import('@temporalio/worker');
      const port = await freeLoopbackPort();
      Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, useSecondsForDurations: true } } } });
      sdkMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    }
    const sdkUrl = sdkMetricsUrl;
    metricsServer = await startMetricsServer(parsed, metrics, sdkUrl ? async () => (await fetch(sdkUrl)).text() : undefined);
  }
  const tracing = await startTracing(env, 'weft-worker');
  const spans = tracing ? new TaskSpans(tracing.tracer, tracing.ids, tracing.captureContent) : null;
  const parts = [
    metricsServer ? `metrics at ${metricsServer.url}${sdkMetricsUrl ? " (with the Temporal SDK's)" : ''}` : 'metrics off (WEFT_METRICS_ADDRESS)',
    tracing ? `traces to OpenTelemetry (${env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? env['OTEL_TRACES_EXPORTER'] ?? 'otlp'})` : 'traces off (OTEL_*)',
  ];
  return {
    worker: { metrics, spans },
    metricsServer,
    tracing,
    description: parts.join(' · '),
    async close() {
      await tracing?.shutdown();
      await metricsServer?.close();
    },
  };
}
