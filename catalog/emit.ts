/**
 * `emit`: sends a payload out of the task, once per step. Two sinks:
 *
 * - `webhook`: POSTs JSON with the header `Idempotency-Key: <ctx.idempotencyKey>`. The key is the
 *   same on every retry of the step, so the receiver can drop a repeat; the handler cannot know
 *   whether a request whose answer it never saw was received. A 409, or a 2xx with
 *   `Idempotent-Replayed: true`, means the receiver already had it (`duplicate: true`).
 * - `file`: appends one JSON line `{ key, at, payload }` under the worker's emit directory
 *   (`WEFT_EMIT_DIR`, default `.weft/emit`). Under an exclusive lock it first looks for a line with
 *   the same key and skips the append when there is one, so the side effect happens once.
 */
import { BlockList, isIP } from 'node:net';
import { isAbsolute, resolve, sep } from 'node:path';
import { z } from 'zod';
import { defineHandler, type Handler, type HandlerContext } from '../src/handler.js';
import { declareErrorModes } from './failures.js';
import { appendDurably, readJsonLines, truncateDurably, withFileLock } from './jsonl-file.js';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const webhookSink = z
  .object({
    sink: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).describe('The http(s) endpoint to POST to; redirects are not followed.'),
    payload: z.json().describe('The JSON body.'),
    headers: z
      .record(z.string().regex(HEADER_NAME), z.string().regex(/^[^\r\n]*$/))
      .optional()
      .describe('Extra request headers; Content-Type and Idempotency-Key are always set by the handler.'),
    timeout_ms: z.number().int().min(100).max(120_000).default(10_000).describe('Time limit for the whole request, in ms.'),
  })
  .strict();

const fileSink = z
  .object({
    sink: z.literal('file'),
    path: z.string().min(1).max(500).describe('File to append to, relative to the worker\'s emit directory, e.g. `orders/paid.jsonl`.'),
    payload: z.json().describe('The JSON value to append as one line.'),
  })
  .strict();

/** Input of `emit`. */
export const emitInput = z.discriminatedUnion('sink', [webhookSink, fileSink]);

/** Output of `emit`: on success exactly one of `delivered` and `duplicate` is true. */
export const emitOutput = z.object({
  sink: z.enum(['webhook', 'file']),
  delivered: z.boolean().describe('The sink accepted the payload from this attempt.'),
  duplicate: z.boolean().describe('The sink already had this payload from an earlier attempt of the step; it was not repeated.'),
  key: z.string().describe('The idempotency key sent with the payload: the same on every retry of the step.'),
});

/** What `emit` takes, as parsed. */
export type EmitInput = z.infer<typeof emitInput>;
/** What `emit` returns. */
export type EmitOutput = z.infer<typeof emitOutput>;

const errors = declareErrorModes({
  EMIT_PATH_INVALID: { retryable: false, description: 'The file path is absolute or leaves the emit directory with `..`.' },
  EMIT_TARGET_DENIED: { retryable: false, description: 'The webhook URL points at a loopback, private or link-local address.' },
  EMIT_WEBHOOK_UNAVAILABLE: {
    retryable: true,
    description: 'The webhook could not be reached, or answered 429 or 5xx.',
  },
  EMIT_WEBHOOK_REJECTED: { retryable: false, description: 'The webhook answered a 3xx or 4xx status other than 409 and 429.' },
  EMIT_WEBHOOK_TIMEOUT: { retryable: true, description: 'The webhook did not answer within timeout_ms.' },
});

// TODO(egress): route webhooks through the http egress guard (catalog/egress.ts, `checkTarget`,
// still being written when this landed): it resolves the name once, pins the connection to the
// checked address and covers names that resolve to internal addresses. Until then this interim
// check denies only literal internal addresses and `localhost`; `allowLoopback` then becomes the
// guard's allow-list.
const denied = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  denied.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  denied.addSubnet(net, prefix, 'ipv6');
}

function deniedTarget(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  // BlockList matches IPv4-mapped IPv6 (`::ffff:7f00:1`) against the IPv4 rules.
  return family !== 0 && denied.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

async function bodyExcerpt(res: Response, max = 300): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

type WebhookInput = z.infer<typeof webhookSink>;

async function postWebhook(input: WebhookInput, ctx: HandlerContext, options: EmitOptions): Promise<EmitOutput> {
  const url = new URL(input.url);
  const key = ctx.idempotencyKey;
  if (!options.allowLoopback && deniedTarget(url)) {
    throw errors.fail(
      'EMIT_TARGET_DENIED',
      `Webhook ${url.origin} is a loopback, private or link-local address, which workers do not send to. ` +
        'Use a public endpoint.',
      { url: url.origin },
    );
  }
  const headers = new Headers(input.headers);
  headers.set('content-type', 'application/json');
  headers.set('idempotency-key', key);
  const timeout = AbortSignal.timeout(input.timeout_ms);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const timedOut = (): never => {
    throw errors.fail('EMIT_WEBHOOK_TIMEOUT', `Webhook ${url.origin} did not answer within ${input.timeout_ms} ms; the step will retry with the same Idempotency-Key.`, {
      url: url.origin,
      timeout_ms: input.timeout_ms,
    });
  };
  let res: Response;
  let excerpt = '';
  try {
    res = await (options.fetch ?? fetch)(url, { method: 'POST', headers, body: JSON.stringify(input.payload), signal, redirect: 'manual' });
    if (!res.ok) excerpt = await bodyExcerpt(res);
    else await res.body?.cancel();
  } catch (err) {
    // Cancellation of the activity is not a failure of the webhook: let it through as it is.
    if (ctx.signal.aborted) throw err;
    if (timeout.aborted) timedOut();
    throw errors.fail(
      'EMIT_WEBHOOK_UNAVAILABLE',
      `Webhook ${url.origin} could not be reached (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}); ` +
        'the step will retry with the same Idempotency-Key.',
      { url: url.origin },
    );
  }
  if (res.ok) {
    const replayed = res.headers.get('idempotent-replayed')?.toLowerCase() === 'true';
    return { sink: 'webhook', delivered: !replayed, duplicate: replayed, key };
  }
  if (res.status === 409) return { sink: 'webhook', delivered: false, duplicate: true, key };
  const said = excerpt === '' ? '' : `: ${excerpt}`;
  if (res.status === 429 || res.status >= 500) {
    throw errors.fail(
      'EMIT_WEBHOOK_UNAVAILABLE',
      `Webhook ${url.origin} answered ${res.status}${said}; the step will retry with the same Idempotency-Key.`,
      { url: url.origin, status: res.status, retry_after: res.headers.get('retry-after') },
    );
  }
  const fix =
    res.status >= 300 && res.status < 400
      ? `It redirects to ${res.headers.get('location') ?? 'another address'}; use the final URL, redirects are not followed.`
      : 'Check the payload, headers and URL against what the receiver expects.';
  throw errors.fail('EMIT_WEBHOOK_REJECTED', `Webhook ${url.origin} answered ${res.status}${said}. ${fix}`, { url: url.origin, status: res.status });
}

async function appendToFile(input: z.infer<typeof fileSink>, ctx: HandlerContext, options: EmitOptions): Promise<EmitOutput> {
  const root = resolve(options.emitDir ?? process.env['WEFT_EMIT_DIR'] ?? '.weft/emit');
  const file = resolve(root, input.path);
  const segments = input.path.split(/[\\/]/);
  if (isAbsolute(input.path) || segments.includes('..') || !file.startsWith(root + sep)) {
    throw errors.fail(
      'EMIT_PATH_INVALID',
      `File path '${input.path}' must be relative to the emit directory and stay inside it: no leading '/', no '..'. ` +
        'Use a path such as `orders/paid.jsonl`.',
      { path: input.path },
    );
  }
  const key = ctx.idempotencyKey;
  return withFileLock(file, ctx.signal, async () => {
    // Lines that are not ours (or not JSON) are skipped: the file may be shared with other writers.
    const snapshot = await readJsonLines(file, 'skip');
    if (snapshot.lines.some(({ value }) => typeof value === 'object' && value !== null && (value as { key?: unknown }).key === key)) {
      return { sink: 'file', delivered: false, duplicate: true, key };
    }
    // A line torn by a crash would swallow the start of ours: cut it off first.
    if (snapshot.tornBytes > 0) await truncateDurably(file, snapshot.size - snapshot.tornBytes);
    await appendDurably(file, `${JSON.stringify({ key, at: new Date().toISOString(), payload: input.payload })}\n`);
    return { sink: 'file', delivered: true, duplicate: false, key };
  });
}

/** Options of `createEmitHandler`. */
export interface EmitOptions {
  /** Directory of the file sink; default `WEFT_EMIT_DIR`, else `.weft/emit` (read when the handler runs). */
  readonly emitDir?: string;
  /** Lets webhooks target loopback and private addresses: for tests against local servers only. */
  readonly allowLoopback?: boolean;
  /** The fetch to send webhooks with; default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** Creates the `emit` handler; tests pass a temporary `emitDir` and `allowLoopback`. */
export function createEmitHandler(options: EmitOptions = {}): Handler<EmitInput, EmitOutput> {
  return defineHandler({
    name: 'emit',
    description: 'Sends a JSON payload to a webhook (with an Idempotency-Key header) or appends it to a file, once per step.',
    category: 'io',
    mutating: true,
    input: emitInput,
    output: emitOutput,
    errorModes: errors.modes,
    run: (input, ctx) => (input.sink === 'webhook' ? postWebhook(input, ctx, options) : appendToFile(input, ctx, options)),
  });
}

/** The `emit` handler: files under `WEFT_EMIT_DIR` (default `.weft/emit`), public webhooks only. */
export const emit = createEmitHandler();
