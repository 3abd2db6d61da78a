/**
 * Redirects followed by hand, so that every `Location` goes through the egress guard before
 * anything is sent to it (a redirect is how an allowed host would lead a request inside).
 */
import type http from 'node:http';
import type { CheckedTarget } from '../egress.js';
import { sendChecked, shown, type Egress, type Outgoing, type Stage } from './transport.js';

/** Redirects followed before `TooManyRedirects`. */
export const MAX_REDIRECTS = 5;

/** The statuses that redirect when they carry a `Location`. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** More than `MAX_REDIRECTS` redirects; `chain` lists each as `<status> <origin+path>`. */
export class TooManyRedirects extends Error {
  override readonly name = 'TooManyRedirects';
  constructor(readonly chain: readonly string[]) {
    super(`more than ${MAX_REDIRECTS} redirects: ${chain.join(' → ')}`);
  }
}

/** A redirect whose `Location` is not a URL, even relative to the one that answered. */
export class InvalidLocation extends Error {
  override readonly name = 'InvalidLocation';
  constructor(
    readonly url: URL,
    readonly status: number,
    readonly location: string,
  ) {
    super(`${shown(url)} answered ${status} with an unparsable Location`);
  }
}

/** The response that ended the chain, and the URL and method that produced it. */
export interface FinalResponse {
  readonly target: CheckedTarget;
  readonly res: http.IncomingMessage;
  readonly url: URL;
  readonly method: string;
}

/** How to follow: the guard, the abort signal, where to report progress, and which statuses to keep. */
export interface FollowOptions {
  readonly egress: Egress;
  readonly signal: AbortSignal;
  readonly stage: Stage;
  /** A redirect status for which this is true is returned instead of followed. */
  readonly keep: (status: number) => boolean;
}

/**
 * Sends `first` to `start` and follows up to `MAX_REDIRECTS` redirects, checking each target with
 * the guard. On a change of origin `authorization` and `cookie` are dropped; as browsers do, 303
 * (and 301/302 after a POST) becomes a GET without the body. Throws `TooManyRedirects`,
 * `InvalidLocation`, `EgressDenied`, or the transport's error.
 */
export async function followRedirects(start: URL, first: Outgoing, options: FollowOptions): Promise<FinalResponse> {
  let url = start;
  let out = first;
  const chain: string[] = [];
  for (let hop = 0; ; hop++) {
    const { target, res } = await sendChecked(url, out, options.egress, options.signal, options.stage);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(status) || location === undefined || options.keep(status)) {
      return { target, res, url, method: out.method };
    }
    res.destroy();
    chain.push(`${status} ${shown(url)}`);
    if (hop === MAX_REDIRECTS) throw new TooManyRedirects(chain);
    const next = parseLocation(location, url, status);
    out = redirected(out, status, next.origin !== url.origin);
    url = next;
  }
}

function parseLocation(location: string, base: URL, status: number): URL {
  try {
    return new URL(location, base);
  } catch {
    throw new InvalidLocation(base, status, location);
  }
}

/** The request to send to the next hop. */
function redirected(out: Outgoing, status: number, crossOrigin: boolean): Outgoing {
  // Credentials are for the origin they were given for.
  let headers = crossOrigin ? Object.fromEntries(Object.entries(out.headers).filter(([k]) => !['authorization', 'cookie'].includes(k))) : out.headers;
  if (status === 303 || ((status === 301 || status === 302) && out.method === 'POST')) {
    headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-type'));
    return { method: out.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: undefined };
  }
  return { ...out, headers };
}
