/**
 * The error modes of `http_request`, and how the transport's errors (egress denial, size cap,
 * redirects, sockets, the deadline) become them. Declaration order is the manifest's order.
 */
import type { ApplicationFailure } from '@temporalio/common';
import type { HandlerContext } from '../../src/handler.js';
import { EgressDenied } from '../egress.js';
import { declareErrorModes } from '../failures.js';
import { TooLarge } from './read-body.js';
import { InvalidLocation, MAX_REDIRECTS, TooManyRedirects } from './redirects.js';
import { MIB, type HttpRequestInput } from './request-schema.js';
import { shown } from './transport.js';

/** `http_request`'s declared error modes and the failures built from them. */
export const errors = declareErrorModes({
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

/**
 * The failure for a redirect chain that cannot be followed, or `err` itself when it is something
 * else. Mapped as soon as the chain ends, so a deadline that passes meanwhile does not mask it.
 */
export function redirectFailure(err: unknown, input: HttpRequestInput): unknown {
  if (err instanceof TooManyRedirects) {
    return errors.fail(
      'HTTP_TOO_MANY_REDIRECTS',
      `${input.method} ${shown(new URL(input.url))} redirected more than ${MAX_REDIRECTS} times (${err.chain.join(' → ')} → …). ` +
        'Request the final URL directly, or check the server for a redirect loop.',
      { chain: err.chain },
    );
  }
  if (err instanceof InvalidLocation) {
    return errors.fail('HTTP_RESPONSE_INVALID', `${shown(err.url)} answered ${err.status} with an unparsable Location '${err.location.slice(0, 200)}'.`, {
      status: err.status,
    });
  }
  return err;
}

/**
 * The failure for an error that escaped the call. Cancellation of the activity comes first and is
 * returned as the signal's reason (it is not a failure of the request), then the deadline, then
 * what the error says. `stage` is where the call stopped.
 */
export function failureOf(err: unknown, input: HttpRequestInput, ctx: HandlerContext, deadline: AbortSignal, stage: string): unknown {
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
  if (err instanceof TooLarge) return tooLarge(input, err.received);
  return connectionFailed(err, input, where, stage);
}

/** `HTTP_RESPONSE_TOO_LARGE` for `received` bytes read or announced. */
function tooLarge(input: HttpRequestInput, received: number): ApplicationFailure {
  return errors.fail(
    'HTTP_RESPONSE_TOO_LARGE',
    `The response of ${input.method} ${shown(new URL(input.url))} is over max_bytes (${input.max_bytes} bytes; ${received} received or announced). ` +
      `Ask for less (filters, fields, pagination), or raise max_bytes (at most ${10 * MIB}).`,
    { max_bytes: input.max_bytes, received },
  );
}

function connectionFailed(err: unknown, input: HttpRequestInput, where: string, stage: string): ApplicationFailure {
  const code = (err as NodeJS.ErrnoException).code;
  const message = err instanceof Error ? err.message : String(err);
  return errors.fail(
    'HTTP_CONNECTION_FAILED',
    `${input.method} ${where} failed while ${stage}: ${message}${code === undefined || message.includes(code) ? '' : ` (${code})`}. ` +
      'Check that the host name is right and the service is up; the step will be retried.',
    { code: code ?? null, stage },
  );
}
