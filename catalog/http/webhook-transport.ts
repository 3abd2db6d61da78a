/**
 * How `emit` POSTs a webhook: through the egress guard and the pinned transport (./transport.ts),
 * one hop, never following a redirect, reading at most a short excerpt of the answer. A test seam
 * sends through a `fetch` function instead; both answer with the same `WebhookReply`.
 */
import type http from 'node:http';
import { readBody } from './read-body.js';
import { sendChecked, TRANSPORT_HEADERS, type Egress, type Stage } from './transport.js';

/** Bytes of a webhook's answer read for an error message; the rest is never read. */
export const EXCERPT_BYTES = 2048;
/** Characters of the excerpt quoted in a message. */
const EXCERPT_CHARS = 300;

/** A webhook request: lower-case headers and the JSON text to POST. */
export interface WebhookRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What a webhook answered, whichever way it was sent. */
export interface WebhookReply {
  readonly status: number;
  /** A response header, repeated values joined with `, `. */
  header(name: string): string | undefined;
  /** The start of the body for a message (at most `EXCERPT_BYTES` read); `''` when it cannot be read. */
  excerpt(): Promise<string>;
  /** Closes the response without reading its body. */
  discard(): void;
}

/** Sends one webhook request; rejects with `EgressDenied`, the transport's error, or the signal's reason. */
export type WebhookTransport = (url: URL, request: WebhookRequest, signal: AbortSignal, stage: Stage) => Promise<WebhookReply>;

function clip(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/**
 * The transport workers use: the URL is checked by the guard (resolved once, denied when internal
 * and not allow-listed) and the POST goes to the checked address on a connection of its own. A
 * redirect is returned as the answer, not followed: re-sending a POST elsewhere would carry the
 * payload and its Idempotency-Key to an address the plan did not name.
 */
export function pinnedWebhookTransport(egress: Egress): WebhookTransport {
  return async (url, request, signal, stage) => {
    const headers = { 'user-agent': 'weft-emit', ...withoutTransportHeaders(request.headers), 'accept-encoding': 'identity' };
    const { res } = await sendChecked(url, { method: 'POST', headers, body: Buffer.from(request.body) }, egress, signal, stage);
    stage.now = 'reading the answer';
    return incomingReply(res);
  };
}

/** The plan's headers without those the transport sets (`TRANSPORT_HEADERS`) or that address a proxy (`proxy-*`). */
function withoutTransportHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !TRANSPORT_HEADERS.includes(k) && !k.startsWith('proxy-')));
}

function incomingReply(res: http.IncomingMessage): WebhookReply {
  return {
    status: res.statusCode ?? 0,
    header(name) {
      const value = res.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    excerpt: () =>
      readBody(res, EXCERPT_BYTES, true).then(
        (raw) => clip(raw.toString('utf8')),
        () => '',
      ),
    discard: () => res.destroy(),
  };
}

/**
 * A transport through `fetchFn`, for tests that must not touch the network. It has no connection
 * to pin, so the egress guard does not apply: workers never use it.
 */
export function fetchWebhookTransport(fetchFn: typeof fetch): WebhookTransport {
  return async (url, request, signal, stage) => {
    stage.now = 'sending';
    const res = await fetchFn(url, { method: 'POST', headers: request.headers, body: request.body, signal, redirect: 'manual' });
    return {
      status: res.status,
      header: (name) => res.headers.get(name) ?? undefined,
      excerpt: () => res.text().then(clip, () => ''),
      discard: () => void res.body?.cancel().catch(() => undefined),
    };
  };
}
