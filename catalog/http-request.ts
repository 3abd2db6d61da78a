/**
 * The `http_request` handler: one HTTP call with a JSON body, expected statuses, a dot-path
 * extraction, a timeout and a response size cap, behind the egress guard (./egress.ts). Every hop
 * (the first request and each redirect) is checked by the guard and connected to the checked
 * address only; the allow-list is worker configuration, never planner input.
 *
 * The parts live under ./http/: the guarded, pinned transport (transport.ts, shared with `emit`),
 * redirects (redirects.ts), the capped body read (read-body.ts), the body and `extract`
 * (response-body.ts), the schemas (request-schema.ts) and the error modes (request-errors.ts).
 * This module orchestrates them and defines the handler as a one-step grammar composition.
 */
import type http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import type { Handler, HandlerContext } from '../src/handler.js';
import { acquirePrimitive } from './grammar/kinds.js';
import { compose } from './grammar/compose.js';
import { readBody, TooLarge } from './http/read-body.js';
import { followRedirects } from './http/redirects.js';
import { errors, failureOf, redirectFailure } from './http/request-errors.js';
import { httpRequestInput, httpRequestOutput, type HttpRequestInput, type HttpRequestOutput } from './http/request-schema.js';
import { parseBody, pickHeaders } from './http/response-body.js';
import { compileEgress, shown, type Egress, type EgressOptions, type Outgoing, type Stage } from './http/transport.js';

export { MAX_REDIRECTS } from './http/redirects.js';
export { httpRequestInput, httpRequestOutput, RESPONSE_HEADERS } from './http/request-schema.js';
export type { HttpRequestInput, HttpRequestOutput } from './http/request-schema.js';

/** What the worker configures: the egress allow-list and, for tests, the resolver. */
export type HttpRequestOptions = EgressOptions;

function describeExpected(expect: readonly number[] | undefined): string {
  return expect === undefined ? '200-299' : expect.join(', ');
}

/** The first request: default accept and user agent, the plan's headers, and the JSON body. */
function outgoing(input: HttpRequestInput): Outgoing {
  const headers: Record<string, string> = {
    accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
    'user-agent': 'weft-http-request',
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    // Compressed bodies would defeat the size cap's meaning and need decoding; ask for none.
    'accept-encoding': 'identity',
  };
  if (input.json === undefined) return { method: input.method, headers, body: undefined };
  headers['content-type'] ??= 'application/json';
  return { method: input.method, headers, body: Buffer.from(JSON.stringify(input.json)) };
}

async function request(input: HttpRequestInput, egress: Egress, signal: AbortSignal, stage: Stage): Promise<HttpRequestOutput> {
  const expected = (status: number) => (input.expect_status === undefined ? status >= 200 && status <= 299 : input.expect_status.includes(status));
  const { target, res, url, method } = await followRedirects(new URL(input.url), outgoing(input), { egress, signal, stage, keep: expected }).catch(
    (err: unknown) => {
      throw redirectFailure(err, input);
    },
  );
  const status = res.statusCode ?? 0;
  stage.now = `reading the response body from ${target.address}`;
  const contentLength = Number(res.headers['content-length'] ?? NaN);
  if (expected(status) && contentLength > input.max_bytes) {
    res.destroy();
    throw new TooLarge(contentLength);
  }
  const noBody = method === 'HEAD' || status === 204 || status === 304;
  if (!expected(status)) throw await statusFailure(res, input, url, method, noBody);
  const raw = noBody ? (res.resume(), Buffer.alloc(0)) : await readBody(res, input.max_bytes);
  return { status, headers: pickHeaders(res.headers), body: parseBody(raw, res.headers['content-type'], input, url), bytes: raw.length };
}

/** The failure for a status outside `expect_status`, quoting the start of the body. */
async function statusFailure(res: http.IncomingMessage, input: HttpRequestInput, url: URL, method: string, noBody: boolean): Promise<ApplicationFailure> {
  const status = res.statusCode ?? 0;
  const excerpt = noBody ? '' : (await readBody(res, Math.min(input.max_bytes, 2048), true)).toString('utf8').slice(0, 500);
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfter = res.headers['retry-after'];
  return errors.fail(
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

/** Runs one call under `timeout_ms` and the activity's signal; every error leaves as a declared failure. */
async function run(input: HttpRequestInput, ctx: HandlerContext, egress: Egress): Promise<HttpRequestOutput> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`timed out after ${input.timeout_ms} ms`)), input.timeout_ms);
  const stage: Stage = { now: 'starting' };
  try {
    return await request(input, egress, AbortSignal.any([ctx.signal, deadline.signal]), stage);
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    throw failureOf(err, input, ctx, deadline.signal, stage.now);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the `http_request` handler with the worker's egress policy (validated now: a bad entry
 * throws at worker start). Plans choose the request; only the worker chooses what it may reach.
 * The handler is a grammar composition of one `acquire` primitive, so it composes like any other
 * step; its manifest (schemas, error modes, `mutating: false`) is derived from that primitive.
 * @example
 * const httpRequest = createHttpRequestHandler({ egress: { allowHosts: ['billing.internal'], allowCidrs: ['10.20.0.0/16'] } });
 */
export function createHttpRequestHandler(options: HttpRequestOptions): Handler<HttpRequestInput, HttpRequestOutput> {
  const egress = compileEgress(options);
  const call = acquirePrimitive({
    name: 'send_request',
    input: httpRequestInput,
    output: httpRequestOutput,
    errorModes: errors.modes,
    run: (input, ctx) => run(input, ctx, egress),
  });
  return compose('http_request', {
    description: 'Calls an HTTP(S) API and returns its status, headers and JSON or text body; internal addresses are denied.',
    category: 'api',
  })
    .then(call)
    .build();
}

/** The `http_request` handler with an empty allow-list: public addresses only. */
export const httpRequest = createHttpRequestHandler({ egress: {} });
