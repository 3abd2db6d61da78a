/**
 * The `http_request` handler: one HTTP call with a JSON body, expected statuses, a dot-path
 * extraction, a timeout and a response size cap, behind the egress guard (./egress.ts). Every hop
 * (the first request and each redirect) is checked by the guard and connected to the checked
 * address only; the allow-list is worker configuration, never planner input.
 */
import { promises as dnsPromises } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { JsonValue } from '../src/core/json.js';
import { defineHandler, type Handler, type HandlerContext } from '../src/handler.js';
import { checkTarget, compileEgressPolicy, EgressDenied, type CheckedTarget, type EgressPolicy, type ResolveAll } from './egress.js';
import { declareErrorModes } from './failures.js';

const MIB = 1024 * 1024;
/** Redirects followed before `HTTP_TOO_MANY_REDIRECTS`. */
export const MAX_REDIRECTS = 5;

const errors = declareErrorModes({
  EGRESS_DENIED: {
    retryable: false,
    description: 'The host (or a redirect target) resolves to an internal address the worker does not allow-list.',
  },
  HTTP_TIMEOUT: { retryable: true, description: 'The request, its redirects and the response body took longer than timeout_ms.' },
  HTTP_CONNECTION_FAILED: { retryable: true, description: 'The host did not resolve, refused the connection, or the connection broke.' },
  HTTP_STATUS_RETRYABLE: { retryable: true, description: 'The server answered 408, 429 or 5xx, not an expected status.' },
  HTTP_STATUS_REJECTED: { retryable: false, description: 'The server answered a status outside expect_status that a retry will not change (e.g. 400, 404).' },
  HTTP_RESPONSE_TOO_LARGE: { retryable: false, description: 'The response body is larger than max_bytes.' },
  HTTP_TOO_MANY_REDIRECTS: { retryable: false, description: `The server redirected more than ${MAX_REDIRECTS} times.` },
  HTTP_RESPONSE_INVALID: {
    retryable: false,
    description: 'The response cannot be read as asked: JSON that does not parse, a bad redirect, or an extract path it lacks.',
  },
});

// Set by the handler from the URL, the body or the transport; a plan may not override them.
const RESERVED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'accept-encoding'];
/** Response headers copied to the output (the rest are dropped: cookies, server internals). */
export const RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'cache-control',
  'retry-after',
  'location',
  'link',
  'x-request-id',
  'request-id',
] as const;

/** Input of `http_request`. */
export const httpRequestInput = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(8192).describe('An http(s) URL, e.g. `https://api.example.com/v1/orders?status=open`.'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET').describe('The HTTP method.'),
    headers: z
      .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), z.string().max(8192))
      .optional()
      .describe('Request headers, e.g. `{ "authorization": "Bearer …" }`. Host, Content-Length and hop-by-hop headers are set by the handler.'),
    json: z.json().optional().describe('A JSON request body; sent with `content-type: application/json` unless headers set another.'),
    expect_status: z
      .array(z.int().min(100).max(599))
      .min(1)
      .optional()
      .describe('Statuses that count as success; default 200-299. A listed 3xx is returned instead of followed.'),
    extract: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe('A dot path into the JSON response to return as `body`, e.g. `data.items.0.id` or `data.items[0].id`.'),
    timeout_ms: z.int().min(1).max(60_000).default(10_000).describe('Limit for the whole call, redirects and body included.'),
    max_bytes: z.int().min(1).max(10 * MIB).default(MIB).describe('Largest response body accepted, in bytes.'),
  })
  .strict()
  .superRefine((input, ctx) => {
    for (const name of Object.keys(input.headers ?? {})) {
      if (RESERVED_HEADERS.includes(name.toLowerCase()) || name.toLowerCase().startsWith('proxy-')) {
        ctx.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `Header '${name}' is set by http_request and cannot be given; remove it (reserved: ${RESERVED_HEADERS.join(', ')}, proxy-*).`,
        });
      }
    }
    if (input.json !== undefined && (input.method === 'GET' || input.method === 'HEAD')) {
      ctx.addIssue({ code: 'custom', path: ['json'], message: `A ${input.method} request has no body; use POST, PUT, PATCH or DELETE to send json.` });
    }
  });

/** Output of `http_request`. */
export const httpRequestOutput = z.object({
  status: z.int().describe('The final status, after redirects.'),
  headers: z.record(z.string(), z.string()).describe(`Selected response headers, lower case: ${RESPONSE_HEADERS.join(', ')}.`),
  body: z.json().describe('The JSON response (or the value at `extract`), or the text of a non-JSON response.'),
  bytes: z.int().describe('Size of the response body in bytes.'),
});

/** Input of `http_request`, after defaults. */
export type HttpRequestInput = z.output<typeof httpRequestInput>;
/** Output of `http_request`. */
export type HttpRequestOutput = z.output<typeof httpRequestOutput>;

/** What the worker configures: the egress allow-list and, for tests, the resolver. */
export interface HttpRequestOptions {
  readonly egress: EgressPolicy;
  /** Resolves a host to all its addresses; default `dns.promises.lookup`. */
  readonly lookup?: ResolveAll;
}

class TooLarge extends Error {
  constructor(readonly received: number) {
    super(`response body over the limit after ${received} bytes`);
  }
}

/** Where a URL points, without credentials or query (they may hold secrets and end up in history). */
const shown = (url: URL) => `${url.origin}${url.pathname}`;

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
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

interface Outgoing {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
}

/** Sends one request to the checked address and resolves with the response head. */
function send(target: CheckedTarget, out: Outgoing, signal: AbortSignal): Promise<http.IncomingMessage> {
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

/** Reads a response body up to `limit` bytes; past it, stops reading and throws `TooLarge` (or truncates). */
function readBody(res: http.IncomingMessage, limit: number, truncate = false): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > limit) {
        if (truncate) chunks.push(chunk.subarray(0, chunk.length - (received - limit)));
        res.destroy();
        settle(() => (truncate ? resolve(Buffer.concat(chunks)) : reject(new TooLarge(received))));
        return;
      }
      chunks.push(chunk);
    });
    res.once('end', () => settle(() => resolve(Buffer.concat(chunks))));
    res.on('error', (err) => settle(() => reject(err)));
    res.once('close', () => settle(() => reject(new Error('the connection closed before the response ended'))));
  });
}

function isJsonType(contentType: string): boolean {
  return /^[a-z0-9.+-]+\/([a-z0-9.-]+\+)?json\s*(;|$)/i.test(contentType.trim());
}

function pickHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Reads a dot path (`a.b.0`, `a.b[0]`); returns the value or the longest prefix that exists. */
function extractPath(value: JsonValue, path: string): { found: true; value: JsonValue } | { found: false; at: string; keys: string } {
  const tokens = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => m[2] ?? (m[1] as string));
  let at: JsonValue = value;
  for (const [i, token] of tokens.entries()) {
    let next: JsonValue | undefined;
    if (Array.isArray(at)) next = /^\d+$/.test(token) ? at[Number(token)] : undefined;
    else if (at !== null && typeof at === 'object' && Object.hasOwn(at, token)) next = at[token];
    if (next === undefined) {
      const keys = Array.isArray(at) ? `an array of ${at.length}` : at !== null && typeof at === 'object' ? `keys ${Object.keys(at).slice(0, 10).join(', ') || '(none)'}` : `a ${at === null ? 'null' : typeof at}`;
      return { found: false, at: tokens.slice(0, i).join('.') || '(root)', keys };
    }
    at = next;
  }
  return { found: true, value: at };
}

function describeExpected(expect: readonly number[] | undefined): string {
  return expect === undefined ? '200-299' : expect.join(', ');
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function request(input: HttpRequestInput, lookup: ResolveAll, policy: ReturnType<typeof compileEgressPolicy>, signal: AbortSignal, stage: { now: string }): Promise<HttpRequestOutput> {
  const expected = (status: number) => (input.expect_status === undefined ? status >= 200 && status <= 299 : input.expect_status.includes(status));
  let url = new URL(input.url);
  let method: string = input.method;
  let headers: Record<string, string> = {
    accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
    'user-agent': 'weft-http-request',
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    // Compressed bodies would defeat the size cap's meaning and need decoding; ask for none.
    'accept-encoding': 'identity',
  };
  let body: Buffer | undefined;
  if (input.json !== undefined) {
    body = Buffer.from(JSON.stringify(input.json));
    headers['content-type'] ??= 'application/json';
  }
  const chain: string[] = [];
  for (let hop = 0; ; hop++) {
    stage.now = `resolving ${url.hostname}`;
    const target = await abortable(checkTarget(url, policy, lookup), signal);
    stage.now = `waiting for the response head from ${target.address}`;
    const res = await send(target, { method, headers, body }, signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location !== undefined && !expected(status)) {
      res.destroy();
      chain.push(`${status} ${shown(url)}`);
      if (hop === MAX_REDIRECTS) {
        throw errors.fail(
          'HTTP_TOO_MANY_REDIRECTS',
          `${input.method} ${shown(new URL(input.url))} redirected more than ${MAX_REDIRECTS} times (${chain.join(' → ')} → …). ` +
            'Request the final URL directly, or check the server for a redirect loop.',
          { chain },
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw errors.fail('HTTP_RESPONSE_INVALID', `${shown(url)} answered ${status} with an unparsable Location '${location.slice(0, 200)}'.`, { status });
      }
      // Credentials are for the origin they were given for.
      if (next.origin !== url.origin) {
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !['authorization', 'cookie'].includes(k)));
      }
      // As browsers do: 303 always, and 301/302 after a POST, become a GET without the body.
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      url = next;
      continue;
    }
    stage.now = `reading the response body from ${target.address}`;
    const contentLength = Number(res.headers['content-length'] ?? NaN);
    if (expected(status) && contentLength > input.max_bytes) {
      res.destroy();
      throw new TooLarge(contentLength);
    }
    const noBody = method === 'HEAD' || status === 204 || status === 304;
    if (!expected(status)) {
      const excerpt = noBody ? '' : (await readBody(res, Math.min(input.max_bytes, 2048), true)).toString('utf8').slice(0, 500);
      const retryable = status === 408 || status === 429 || status >= 500;
      const retryAfter = res.headers['retry-after'];
      throw errors.fail(
        retryable ? 'HTTP_STATUS_RETRYABLE' : 'HTTP_STATUS_REJECTED',
        `${method} ${shown(url)} answered ${status}, expected ${describeExpected(input.expect_status)}` +
          `${retryAfter === undefined ? '' : ` (retry-after: ${retryAfter})`}. ` +
          (retryable
            ? 'The server may recover; the step will be retried.'
            : 'Fix the request (URL, method, headers, body), or add the status to expect_status if it is an answer you can use.') +
          (excerpt === '' ? '' : ` Response: ${excerpt}`),
        { status, headers: pickHeaders(res.headers), url: shown(url) },
      );
    }
    const raw = noBody ? (res.resume(), Buffer.alloc(0)) : await readBody(res, input.max_bytes);
    return { status, headers: pickHeaders(res.headers), body: parseBody(raw, res.headers['content-type'], input, url), bytes: raw.length };
  }
}

function parseBody(raw: Buffer, contentType: string | undefined, input: HttpRequestInput, url: URL): JsonValue {
  const text = raw.toString('utf8');
  const declaredJson = contentType !== undefined && isJsonType(contentType);
  // Untyped bodies that look like JSON are read as JSON; typed non-JSON bodies stay text.
  const sniffJson = contentType === undefined && /^\s*[[{]/.test(text);
  let parsed: JsonValue = text;
  if (declaredJson || sniffJson) {
    if (text.trim() === '') parsed = null;
    else {
      try {
        parsed = JSON.parse(text) as JsonValue;
      } catch (err) {
        if (declaredJson || input.extract !== undefined) {
          throw errors.fail(
            'HTTP_RESPONSE_INVALID',
            `${shown(url)} sent ${contentType ?? 'an untyped body'} that is not valid JSON (${(err as Error).message}): ${text.slice(0, 200)}`,
            { contentType: contentType ?? null },
          );
        }
      }
    }
  }
  if (input.extract === undefined) return parsed;
  if (!declaredJson && !sniffJson) {
    throw errors.fail(
      'HTTP_RESPONSE_INVALID',
      `Cannot extract '${input.extract}': ${shown(url)} sent ${contentType ?? 'an untyped body'}, not JSON. ` +
        'Remove extract to get the text, or call an endpoint that answers JSON.',
      { contentType: contentType ?? null },
    );
  }
  const result = extractPath(parsed, input.extract);
  if (result.found) return result.value;
  throw errors.fail(
    'HTTP_RESPONSE_INVALID',
    `Cannot extract '${input.extract}' from the response of ${shown(url)}: nothing there after '${result.at}', which holds ${result.keys}. ` +
      'Fix the path (dots between keys, numbers for array items).',
    { extract: input.extract, at: result.at },
  );
}

function failureOf(err: unknown, input: HttpRequestInput, ctx: HandlerContext, deadline: AbortSignal, stage: string): unknown {
  // Cancellation of the activity is not a failure of the request: let Temporal see its reason.
  if (ctx.signal.aborted) return ctx.signal.reason ?? err;
  const where = shown(new URL(input.url));
  if (deadline.aborted) {
    return errors.fail(
      'HTTP_TIMEOUT',
      `${input.method} ${where} did not complete within ${input.timeout_ms} ms (stopped while ${stage}). ` +
        'Raise timeout_ms (at most 60000), or ask for less (filters, pagination).',
      { timeout_ms: input.timeout_ms, stage },
    );
  }
  if (err instanceof EgressDenied) {
    return errors.fail('EGRESS_DENIED', err.message, { host: err.hostname, address: err.address ?? null, class: err.addressClass });
  }
  if (err instanceof TooLarge) {
    return errors.fail(
      'HTTP_RESPONSE_TOO_LARGE',
      `The response of ${input.method} ${where} is over max_bytes (${input.max_bytes} bytes; ${err.received} received or announced). ` +
        `Ask for less (filters, fields, pagination), or raise max_bytes (at most ${10 * MIB}).`,
      { max_bytes: input.max_bytes, received: err.received },
    );
  }
  const code = (err as NodeJS.ErrnoException).code;
  const message = err instanceof Error ? err.message : String(err);
  return errors.fail(
    'HTTP_CONNECTION_FAILED',
    `${input.method} ${where} failed while ${stage}: ${message}${code === undefined || message.includes(code) ? '' : ` (${code})`}. ` +
      'Check that the host name is right and the service is up; the step will be retried.',
    { code: code ?? null, stage },
  );
}

/**
 * Creates the `http_request` handler with the worker's egress policy (validated now: a bad entry
 * throws at worker start). Plans choose the request; only the worker chooses what it may reach.
 * @example
 * const httpRequest = createHttpRequestHandler({ egress: { allowHosts: ['billing.internal'], allowCidrs: ['10.20.0.0/16'] } });
 */
export function createHttpRequestHandler(options: HttpRequestOptions): Handler<HttpRequestInput, HttpRequestOutput> {
  const policy = compileEgressPolicy(options.egress);
  const lookup: ResolveAll = options.lookup ?? ((hostname, opts) => dnsPromises.lookup(hostname, opts));
  return defineHandler({
    name: 'http_request',
    description: 'Calls an HTTP(S) API and returns its status, headers and JSON or text body; internal addresses are denied.',
    category: 'api',
    input: httpRequestInput,
    output: httpRequestOutput,
    errorModes: errors.modes,
    async run(input, ctx) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new Error(`timed out after ${input.timeout_ms} ms`)), input.timeout_ms);
      const stage = { now: 'starting' };
      try {
        return await request(input, lookup, policy, AbortSignal.any([ctx.signal, deadline.signal]), stage);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw failureOf(err, input, ctx, deadline.signal, stage.now);
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

/** The `http_request` handler with an empty allow-list: public addresses only. */
export const httpRequest = createHttpRequestHandler({ egress: {} });
