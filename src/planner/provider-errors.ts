/**
 * Provider failures as Temporal failures. The Anthropic SDK throws `APIError` subclasses that
 * carry the HTTP status, headers and request id; the planning activity needs to know whether a
 * retry can help. This module decides that, once, for every planner that talks to the Messages API.
 */
import type { APIError } from '@anthropic-ai/sdk';
import { loadedAnthropicSdk } from './sdk.js';
import { ApplicationFailure } from '@temporalio/common';

/** Stable failure types (the `ApplicationFailure` type) of provider errors. */
export const PROVIDER_ERRORS = {
  /** 429: retryable, after `retry-after` when the provider sent one. */
  rateLimited: 'PROVIDER_RATE_LIMITED',
  /** 5xx, 408, 409, connection errors and timeouts: retryable. */
  unavailable: 'PROVIDER_UNAVAILABLE',
  /** 400 and other 4xx: the request is wrong; a retry sends the same request. */
  badRequest: 'PROVIDER_BAD_REQUEST',
  /** 401, 402, 403: the key or the account; a retry cannot help. */
  auth: 'PROVIDER_AUTH',
} as const;

/** One of {@link PROVIDER_ERRORS}. */
export type ProviderErrorType = (typeof PROVIDER_ERRORS)[keyof typeof PROVIDER_ERRORS];

/** Where the failing call went, for the message. */
export interface ProviderCallContext {
  readonly model: string;
  readonly baseURL: string;
  readonly timeoutMs: number;
  /**
   * What Temporal retries and what happens after its retries, for the message. Default: the
   * planning activity, whose planning step then uses its fallback fragment or parks.
   */
  readonly retried?: { readonly what: string; readonly after: string };
  /** For a 400 or 422: what to change, from the provider's message (a rejected parameter), or null for the generic advice. */
  readonly badRequestHint?: (apiMessage: string) => string | null;
}

const PLANNING: NonNullable<ProviderCallContext['retried']> = {
  what: 'the planning activity',
  after: 'the planning step uses its fallback fragment or parks',
};

/** Data attached to the failure (`ApplicationFailure.details[0]`), for dashboards and tests. */
export interface ProviderFailureDetails {
  readonly status: number | null;
  readonly requestId: string | null;
  readonly providerErrorType: string | null;
  readonly retryAfterMs: number | null;
  /** The model the failed call asked for. */
  readonly model?: string;
}

/** The longest `retry-after` honoured; a longer one is cut so one step cannot sleep for hours. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/**
 * Maps an SDK error to a retryable or non-retryable `ApplicationFailure` whose message says what
 * failed, the status, the request id and what to do. Returns `null` for anything that is not a
 * provider error (a bug, or a cancellation), which the caller rethrows unchanged.
 */
export function providerFailure(thrown: unknown, call: ProviderCallContext): ApplicationFailure | null {
  const r = call.retried ?? PLANNING;
  // The SDK threw it, so the SDK is loaded; nothing loaded means it is not a provider error.
  const sdk = loadedAnthropicSdk();
  if (!sdk || thrown instanceof sdk.APIUserAbortError || !(thrown instanceof sdk.APIError)) return null;
  // `instanceof` narrows to APIError<any, any, any>; the default type arguments are what the SDK throws.
  const err = thrown as APIError;
  const where = `The Anthropic Messages API (${call.baseURL}, model ${call.model})`;
  if (err instanceof sdk.APIConnectionError) {
    const timedOut = err instanceof sdk.APIConnectionTimeoutError;
    const what = timedOut ? `did not answer within ${call.timeoutMs} ms` : `could not be reached (${causeText(err)})`;
    return failure(PROVIDER_ERRORS.unavailable, false, `${where} ${what}. Temporal retries ${r.what} with backoff; after its retries ${r.after}. If this persists, check ANTHROPIC_BASE_URL and the network${timedOut ? ', or raise timeoutMs' : ''}.`, details(err, null, call));
  }
  const status = err.status ?? 0;
  const said = `${where} answered ${status}${err.type ? ` ${err.type}` : ''}: ${err.apiMessage ?? err.message} (request id ${err.requestID ?? 'none'}).`;
  if (status === 429) {
    const retryAfterMs = retryAfter(err.headers);
    const when = retryAfterMs === null ? 'with backoff' : `after ${Math.ceil(retryAfterMs / 1000)} s (retry-after)`;
    return failure(PROVIDER_ERRORS.rateLimited, false, `${said} Rate limited: Temporal retries ${r.what} ${when}. If this persists, lower the planning concurrency or raise the account's rate limit.`, details(err, retryAfterMs, call), retryAfterMs);
  }
  if (status >= 500 || status === 408 || status === 409) {
    const retryAfterMs = retryAfter(err.headers);
    return failure(PROVIDER_ERRORS.unavailable, false, `${said} The provider is unavailable: Temporal retries ${r.what} with backoff; after its retries ${r.after}.`, details(err, retryAfterMs, call), retryAfterMs);
  }
  if (status === 401 || status === 403) {
    return failure(PROVIDER_ERRORS.auth, true, `${said} Not retried: check ANTHROPIC_API_KEY (is it set, current, and allowed to use ${call.model}?), or plan without a key using the scripted planner or the template's fallback fragment.`, details(err, null, call));
  }
  if (status === 402) {
    return failure(PROVIDER_ERRORS.auth, true, `${said} Not retried: the account behind ANTHROPIC_API_KEY cannot pay for this call; check its billing.`, details(err, null, call));
  }
  const hint =
    ((status === 400 || status === 422) && call.badRequestHint?.(err.apiMessage ?? err.message)) ||
    (status === 404
      ? `check WEFT_MODEL ('${call.model}' may not exist) and ANTHROPIC_BASE_URL`
      : status === 413
        ? 'the prompt is too large: lower the planner tokenBudget or the capability tier'
        : `fix the request; if the model rejects forced tool use (tool_choice), set WEFT_MODEL to a model that accepts it (see docs/planner.md)`);
  return failure(PROVIDER_ERRORS.badRequest, true, `${said} Not retried: ${hint}.`, details(err, null, call));
}

function failure(type: ProviderErrorType, nonRetryable: boolean, message: string, d: ProviderFailureDetails, nextRetryDelayMs: number | null = null): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable,
    details: [d],
    ...(nextRetryDelayMs !== null ? { nextRetryDelay: nextRetryDelayMs } : {}),
  });
}

function details(err: APIError, retryAfterMs: number | null, call: ProviderCallContext): ProviderFailureDetails {
  return { status: err.status ?? null, requestId: err.requestID ?? null, providerErrorType: err.type ?? null, retryAfterMs, model: call.model };
}

function causeText(err: APIError): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : err.message;
}

/**
 * The delay a response asks for: `retry-after-ms`, else `retry-after` in seconds or as an HTTP
 * date; `null` when absent, unparseable or not in the future. Cut to {@link MAX_RETRY_AFTER_MS}.
 */
export function retryAfter(headers: Headers | undefined, now: number = Date.now()): number | null {
  if (!headers) return null;
  let ms: number | null = null;
  const msHeader = headers.get('retry-after-ms');
  if (msHeader !== null && Number.isFinite(Number.parseFloat(msHeader))) ms = Number.parseFloat(msHeader);
  const header = headers.get('retry-after');
  if (ms === null && header !== null) {
    const seconds = Number(header.trim());
    ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  }
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return null;
  return Math.min(Math.round(ms), MAX_RETRY_AFTER_MS);
}
