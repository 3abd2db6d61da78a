/**
 * How a task joins its starter's trace: the client puts the active span's W3C `traceparent` in
 * the memo (`weft_trace`), and the worker parents the task span on it. Memo rather than Temporal
 * headers, because weft's spans are built on the worker from workflow events (sinks), which see
 * the workflow's info and memo but not its headers. Uses only `@opentelemetry/api` (no SDK).
 */
import { context, isSpanContextValid, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';

/** The memo key that carries the starter's trace context. */
export const TRACE_MEMO_KEY = 'weft_trace';

/** A memo entry with the active span's `traceparent` (or that of `ctx`), or nothing when no span is active. */
export function traceMemo(ctx: Context = context.active()): Record<string, { traceparent: string }> {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !isSpanContextValid(sc)) return {};
  const flags = (sc.traceFlags & TraceFlags.SAMPLED) !== 0 ? '01' : '00';
  return { [TRACE_MEMO_KEY]: { traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}` } };
}

/** The starter's span context from a workflow memo, when it has a well-formed `traceparent`. */
export function traceParentFromMemo(memo: Readonly<Record<string, unknown>> | undefined): SpanContext | null {
  const entry = memo?.[TRACE_MEMO_KEY];
  const value = typeof entry === 'object' && entry !== null ? (entry as { traceparent?: unknown }).traceparent : undefined;
  if (typeof value !== 'string') return null;
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
  if (!m) return null;
  const sc: SpanContext = { traceId: m[1] as string, spanId: m[2] as string, traceFlags: parseInt(m[3] as string, 16), isRemote: true };
  return isSpanContextValid(sc) ? sc : null;
}
