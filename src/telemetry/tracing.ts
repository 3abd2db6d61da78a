/**
 * Tracing from OpenTelemetry's standard variables: on when `OTEL_TRACES_EXPORTER` names an
 * exporter or an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), off otherwise or with `OTEL_SDK_DISABLED=true`. The SDK
 * (`@opentelemetry/sdk-node`) is imported only when on. It reads `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, `http/json`, `grpc`)
 * itself.
 * @example
 * const tracing = await startTracing(process.env, 'weft-worker');
 * if (tracing) { ...; await tracing.shutdown(); }
 */
import type { Tracer } from '@opentelemetry/api';
import { ConfigError } from '../config.js';
import { StableIdGenerator } from './ids.js';

/** Running tracing. */
export interface Tracing {
  readonly tracer: Tracer;
  readonly ids: StableIdGenerator;
  /** Adds step data (error messages, planning reasoning) to spans: `WEFT_OTEL_CAPTURE_CONTENT=true`. */
  readonly captureContent: boolean;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'];
const EXPORTERS = ['otlp', 'console', 'zipkin', 'jaeger', 'none'];

/** Whether the variables turn tracing on; a bad value fails naming the variable. */
export function tracingConfigured(env: Env): boolean {
  const disabled = env['OTEL_SDK_DISABLED']?.trim().toLowerCase();
  if (disabled !== undefined && disabled !== '' && disabled !== 'true' && disabled !== 'false') {
    throw new ConfigError(`OTEL_SDK_DISABLED='${env['OTEL_SDK_DISABLED']}' must be true or false.`);
  }
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    const v = env[name]?.trim();
    if (v && !PROTOCOLS.includes(v)) throw new ConfigError(`${name}='${v}' is not one of ${PROTOCOLS.join(', ')}.`);
  }
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = exporters.filter((e) => !EXPORTERS.includes(e));
  if (unknown.length > 0) throw new ConfigError(`OTEL_TRACES_EXPORTER='${env['OTEL_TRACES_EXPORTER']}' names unknown exporters (${unknown.join(', ')}); use ${EXPORTERS.join(', ')}.`);
  const captured = env['WEFT_OTEL_CAPTURE_CONTENT']?.trim();
  if (captured && captured !== 'true' && captured !== 'false') throw new ConfigError(`WEFT_OTEL_CAPTURE_CONTENT='${captured}' must be true or false.`);
  if (disabled === 'true' || exporters.includes('none')) return false;
  return exporters.length > 0 || Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}

/** Starts the OpenTelemetry SDK for traces when configured; `null` when off. */
export async function startTracing(env: Env, defaultServiceName: string): Promise<Tracing | null> {
  if (!tracingConfigured(env)) return null;
  const [{ NodeSDK }, api, { Resource }] = await Promise.all([import('@opentelemetry/sdk-node'), import('@opentelemetry/api'), import('@opentelemetry/resources')]);
  const ids = new StableIdGenerator();
  // The SDK reads process.env; make sure it sees what the caller passed.
  for (const [k, v] of Object.entries(env)) if (k.startsWith('OTEL_') && v !== undefined) process.env[k] = v;
  const sdk = new NodeSDK({
    idGenerator: ids,
    instrumentations: [],
    ...(env['OTEL_SERVICE_NAME'] ? {} : { resource: new Resource({ 'service.name': defaultServiceName }) }),
  });
  sdk.start();
  return {
    tracer: api.trace.getTracer('weft'),
    ids,
    captureContent: env['WEFT_OTEL_CAPTURE_CONTENT']?.trim() === 'true',
    shutdown: () => sdk.shutdown(),
  };
}
