/**
 * Span and trace IDs derived from a run and a step, so that spans built at different moments —
 * a planning call before its planning step ends, steps before the task ends, on any worker,
 * after a restart — find their parents. The tracer provider uses {@link StableIdGenerator}:
 * it hands out the next ID when one was asked for, a random one otherwise.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

/** A 16-hex span ID (or 32-hex trace ID) from the parts. */
export function stableId(bytes: 8 | 16, ...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, bytes * 2);
  // All zeros is invalid in W3C trace context; a hash prefix being zero is astronomically unlikely, but cheap to exclude.
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}

/** An ID generator that can be told the next IDs (synchronously, right before `startSpan`). */
export class StableIdGenerator implements IdGenerator {
  private nextTrace: string | null = null;
  private nextSpan: string | null = null;

  /** Runs `fn` (which starts one span) with these IDs. */
  with<T>(ids: { readonly traceId?: string; readonly spanId: string }, fn: () => T): T {
    this.nextTrace = ids.traceId ?? null;
    this.nextSpan = ids.spanId;
    try {
      return fn();
    } finally {
      this.nextTrace = null;
      this.nextSpan = null;
    }
  }

  generateTraceId(): string {
    const id = this.nextTrace ?? randomBytes(16).toString('hex');
    this.nextTrace = null;
    return id;
  }

  generateSpanId(): string {
    const id = this.nextSpan ?? randomBytes(8).toString('hex');
    this.nextSpan = null;
    return id;
  }
}
