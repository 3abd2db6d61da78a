/**
 * `emit`: sends a payload out of the task, once per step. Two sinks:
 *
 * - `webhook`: POSTs JSON with the header `Idempotency-Key: <ctx.idempotencyKey>`. The key is the
 *   same on every retry of the step, so the receiver can drop a repeat; the handler cannot know
 *   whether a request whose answer it never saw was received. A 409, or a 2xx with
 *   `Idempotent-Replayed: true`, means the receiver already had it (`duplicate: true`). The POST
 *   goes through the same egress guard and pinned transport as `http_request` (./http/transport.ts)
 *   and is never redirected.
 * - `file`: appends one JSON line `{ key, at, payload }` under the worker's emit directory
 *   (`WEFT_EMIT_DIR`, default `.weft/emit`). Under an exclusive lock it first looks for a line with
 *   the same key and skips the append when there is one, so the side effect happens once.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { Handler, HandlerContext } from '../src/handler.js';
import { EgressDenied, type EgressPolicy, type ResolveAll } from './egress.js';
import { declareErrorModes } from './failures.js';
import { compose } from './grammar/compose.js';
import { emitPrimitive } from './grammar/kinds.js';
import { compileEgress, shown, type Stage } from './http/transport.js';
import { fetchWebhookTransport, pinnedWebhookTransport, type WebhookReply, type WebhookTransport } from './http/webhook-transport.js';
import { confinePath, PathOutsideRoots } from './file-roots.js';
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

type WebhookInput = z.infer<typeof webhookSink>;

/** The failure for an error that escaped the request; cancellation of the activity passes as its reason. */
function webhookFailure(err: unknown, url: URL, input: WebhookInput, ctx: HandlerContext, deadline: AbortSignal, stage: string): unknown {
  if (ctx.signal.aborted) return ctx.signal.reason ?? err;
  if (deadline.aborted) {
    return errors.fail(
      'EMIT_WEBHOOK_TIMEOUT',
      `Webhook ${url.origin} did not answer within ${input.timeout_ms} ms (stopped while ${stage}); the step will retry with the same Idempotency-Key.`,
      { url: url.origin, timeout_ms: input.timeout_ms, stage },
    );
  }
  if (err instanceof EgressDenied) {
    return errors.fail('EMIT_TARGET_DENIED', `Webhook ${shown(url)} was not sent: ${err.message}`, {
      url: url.origin,
      host: err.hostname,
      address: err.address ?? null,
      class: err.addressClass,
    });
  }
  const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  return errors.fail('EMIT_WEBHOOK_UNAVAILABLE', `Webhook ${url.origin} could not be reached (${reason}); the step will retry with the same Idempotency-Key.`, {
    url: url.origin,
  });
}

/** The outcome of an answer: delivered, a duplicate, or the failure its status means. */
function outcome(reply: WebhookReply, excerpt: string, url: URL, key: string): EmitOutput {
  if (reply.status >= 200 && reply.status < 300) {
    const replayed = reply.header('idempotent-replayed')?.toLowerCase() === 'true';
    return { sink: 'webhook', delivered: !replayed, duplicate: replayed, key };
  }
  if (reply.status === 409) return { sink: 'webhook', delivered: false, duplicate: true, key };
  const said = excerpt === '' ? '' : `: ${excerpt}`;
  if (reply.status === 429 || reply.status >= 500) {
    throw errors.fail(
      'EMIT_WEBHOOK_UNAVAILABLE',
      `Webhook ${url.origin} answered ${reply.status}${said}; the step will retry with the same Idempotency-Key.`,
      { url: url.origin, status: reply.status, retry_after: reply.header('retry-after') ?? null },
    );
  }
  const fix =
    reply.status >= 300 && reply.status < 400
      ? `It redirects to ${redirectTarget(reply, url)}; use the final URL: a webhook POST is not re-sent to another address, so redirects are not followed.`
      : 'Check the payload, headers and URL against what the receiver expects.';
  throw errors.fail('EMIT_WEBHOOK_REJECTED', `Webhook ${url.origin} answered ${reply.status}${said}. ${fix}`, { url: url.origin, status: reply.status });
}

/** Where a redirect points, as origin and path (its query may hold secrets). */
function redirectTarget(reply: WebhookReply, url: URL): string {
  const location = reply.header('location');
  if (location === undefined) return 'another address';
  try {
    return shown(new URL(location, url));
  } catch {
    return `an unparsable Location '${location.slice(0, 200)}'`;
  }
}

/**
 * POSTs the payload once: the transport checks the target with the egress guard and pins the
 * connection; the whole call (resolving, connecting, the answer) is bounded by `timeout_ms`.
 */
async function postWebhook(input: WebhookInput, ctx: HandlerContext, transport: WebhookTransport): Promise<EmitOutput> {
  const url = new URL(input.url);
  const key = ctx.idempotencyKey;
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    'content-type': 'application/json',
    'idempotency-key': key,
  };
  const deadline = AbortSignal.timeout(input.timeout_ms);
  const stage: Stage = { now: 'starting' };
  let reply: WebhookReply;
  let excerpt = '';
  try {
    reply = await transport(url, { headers, body: JSON.stringify(input.payload) }, AbortSignal.any([ctx.signal, deadline]), stage);
    if (reply.status >= 200 && reply.status < 300) reply.discard();
    else excerpt = await reply.excerpt();
  } catch (err) {
    throw webhookFailure(err, url, input, ctx, deadline, stage.now);
  }
  return outcome(reply, excerpt, url, key);
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
  try {
    // the lexical check above cannot see a symlink inside the emit directory that points out of it
    await confinePath(file, [root]);
  } catch (err) {
    if (!(err instanceof PathOutsideRoots)) throw err;
    throw errors.fail('EMIT_PATH_INVALID', `${err.message.replace(/ Use a path.*$/, '')} Use a path inside the emit directory that does not pass through a symlink leading out of it.`, { path: input.path });
  }
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
  /**
   * Internal hosts and ranges webhooks may reach, as for `http_request` (`createHttpRequestHandler({ egress })`);
   * default none: public addresses only. Validated when the handler is created.
   */
  readonly egress?: EgressPolicy;
  /** Resolves a webhook's host to all its addresses; default `dns.promises.lookup`. */
  readonly lookup?: ResolveAll;
  /**
   * Test seam: sends webhooks with this `fetch` instead of the guarded, pinned connection, so tests
   * need no network. The egress guard does not apply then (it pins the connection it checks, which
   * `fetch` cannot), so a worker never sets it.
   */
  readonly fetch?: typeof fetch;
}

/**
 * Creates the `emit` handler: a grammar composition of one `emit` primitive (mutating), whose
 * manifest is derived from it. Tests pass a temporary `emitDir`, and `egress` allowing loopback.
 * @example
 * const emit = createEmitHandler({ egress: { allowHosts: ['hooks.internal'] } });
 */
export function createEmitHandler(options: EmitOptions = {}): Handler<EmitInput, EmitOutput> {
  const transport = options.fetch ? fetchWebhookTransport(options.fetch) : pinnedWebhookTransport(compileEgress(options));
  const send = emitPrimitive({
    name: 'send_payload',
    input: emitInput,
    output: emitOutput,
    errorModes: errors.modes,
    run: (input, ctx) => (input.sink === 'webhook' ? postWebhook(input, ctx, transport) : appendToFile(input, ctx, options)),
  });
  return compose('emit', {
    description: 'Sends a JSON payload to a webhook (with an Idempotency-Key header) or appends it to a file, once per step.',
    category: 'io',
  })
    .then(send)
    .build();
}

/** The `emit` handler: files under `WEFT_EMIT_DIR` (default `.weft/emit`), public webhooks only. */
export const emit = createEmitHandler();
