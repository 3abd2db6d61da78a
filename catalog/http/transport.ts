/**
 * The guarded, pinned HTTP transport shared by `http_request` and `emit`'s webhook sink. A target
 * is checked by the egress guard (../egress.ts), which resolves its host once; the request is then
 * dialled to that checked address only, on a connection of its own, so neither a second DNS answer
 * nor a pooled socket can lead it anywhere the guard did not approve.
 */
import { promises as dnsPromises } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkTarget, compileEgressPolicy, type CheckedTarget, type CompiledEgressPolicy, type EgressPolicy, type ResolveAll } from '../egress.js';

/** What the worker configures for a handler that calls out: the egress allow-list and, for tests, the resolver. */
export interface EgressOptions {
  readonly egress: EgressPolicy;
  /** Resolves a host to all its addresses; default `dns.promises.lookup`. */
  readonly lookup?: ResolveAll;
}

/** A validated policy with the resolver to check targets with. */
export interface Egress {
  readonly policy: CompiledEgressPolicy;
  readonly lookup: ResolveAll;
}

/**
 * Validates the worker's egress options once, when the handler is created: a bad allow-list entry
 * throws then (a typo stops the worker) instead of at run time.
 */
export function compileEgress(options: Partial<EgressOptions>): Egress {
  return {
    policy: compileEgressPolicy(options.egress ?? {}),
    lookup: options.lookup ?? ((hostname, opts) => dnsPromises.lookup(hostname, opts)),
  };
}

/** One request as sent: method, lower-case headers and an optional body. */
export interface Outgoing {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
}

/** What a call is doing now, for timeout and connection messages ("stopped while …"). */
export interface Stage {
  now: string;
}

/**
 * Request headers the transport sets from the URL, the body or the connection (`accept-encoding`:
 * identity, so the size cap counts what is read). A plan's value would contradict what is sent.
 */
export const TRANSPORT_HEADERS: readonly string[] = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'accept-encoding'];

/** Where a URL points, without credentials or query (they may hold secrets and end up in history). */
export const shown = (url: URL): string => `${url.origin}${url.pathname}`;

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts (the resolver takes no signal). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort))
      .catch(() => undefined);
  });
}

/** A `lookup` for `http.request` that answers with the checked address only. */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/** Sends one request to the checked address and resolves with the response head. */
export function send(target: CheckedTarget, out: Outgoing, signal: AbortSignal): Promise<http.IncomingMessage> {
  const { url, hostname } = target;
  const tls = url.protocol === 'https:';
  const literal = isIP(hostname) !== 0;
  const headers = {
    ...out.headers,
    ...(out.body === undefined ? {} : { 'content-length': String(out.body.length) }),
    // An IP literal is dialled as the checked address (`::ffff:7f00:1` as 127.0.0.1) but keeps its Host.
    ...(literal ? { host: url.host } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request({
      protocol: url.protocol,
      hostname: literal ? target.address : hostname,
      port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: out.method,
      headers,
      ...(url.username === '' ? {} : { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }),
      // A fresh connection per request: a pooled socket could lead to an address checked for another policy.
      agent: false,
      lookup: pinnedLookup(target),
      ...(tls && !literal ? { servername: hostname } : {}),
      signal,
    });
    req.once('response', resolve);
    // `on`, not `once`: an abort after the response can emit a second error, which must not go unhandled.
    req.on('error', reject);
    req.end(out.body);
  });
}

/**
 * Checks `url` with the egress guard (throwing `EgressDenied`), then sends `out` to the checked
 * address: one hop, redirects are the caller's to follow or refuse.
 */
export async function sendChecked(
  url: URL,
  out: Outgoing,
  egress: Egress,
  signal: AbortSignal,
  stage: Stage,
): Promise<{ target: CheckedTarget; res: http.IncomingMessage }> {
  stage.now = `resolving ${url.hostname}`;
  const target = await abortable(checkTarget(url, egress.policy, egress.lookup), signal);
  stage.now = `waiting for the response head from ${target.address}`;
  const res = await send(target, out, signal);
  return { target, res };
}
