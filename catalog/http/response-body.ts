/**
 * What `http_request` returns from a response: the allow-listed headers, and the body as JSON
 * (declared, or untyped and looking like JSON) or text, optionally narrowed by an `extract` path.
 */
import type http from 'node:http';
import type { JsonValue } from '../../src/core/json.js';
import { errors } from './request-errors.js';
import { RESPONSE_HEADERS, type HttpRequestInput } from './request-schema.js';
import { shown } from './transport.js';

/** Whether a content type is JSON: `application/json`, `application/problem+json`, with or without parameters. */
export function isJsonType(contentType: string): boolean {
  return /^[a-z0-9.+-]+\/([a-z0-9.-]+\+)?json\s*(;|$)/i.test(contentType.trim());
}

/** The response headers in `RESPONSE_HEADERS`, repeated ones joined with `, `. */
export function pickHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Reads a dot path (`a.b.0`, `a.b[0]`); returns the value or the longest prefix that exists. */
export function extractPath(value: JsonValue, path: string): { found: true; value: JsonValue } | { found: false; at: string; keys: string } {
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

/**
 * The body as `http_request` returns it. Throws `HTTP_RESPONSE_INVALID` for declared JSON that does
 * not parse, and for an `extract` on text or on a path the JSON lacks.
 */
export function parseBody(raw: Buffer, contentType: string | undefined, input: HttpRequestInput, url: URL): JsonValue {
  const text = raw.toString('utf8');
  const declaredJson = contentType !== undefined && isJsonType(contentType);
  // Untyped bodies that look like JSON are read as JSON; typed non-JSON bodies stay text.
  const sniffJson = contentType === undefined && /^\s*[[{]/.test(text);
  const parsed = declaredJson || sniffJson ? decodeJson(text, contentType, declaredJson || input.extract !== undefined, url) : text;
  if (input.extract === undefined) return parsed;
  if (!declaredJson && !sniffJson) {
    throw errors.fail(
      'HTTP_RESPONSE_INVALID',
      `Cannot extract '${input.extract}': ${shown(url)} sent ${contentType ?? 'an untyped body'}, not JSON. ` +
        'Remove extract to get the text, or call an endpoint that answers JSON.',
      { contentType: contentType ?? null },
    );
  }
  return extracted(parsed, input.extract, url);
}

/** JSON text as a value (empty is `null`); text that does not parse stays text unless `strict`, when it fails. */
function decodeJson(text: string, contentType: string | undefined, strict: boolean, url: URL): JsonValue {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    if (!strict) return text;
    throw errors.fail(
      'HTTP_RESPONSE_INVALID',
      `${shown(url)} sent ${contentType ?? 'an untyped body'} that is not valid JSON (${(err as Error).message}): ${text.slice(0, 200)}`,
      { contentType: contentType ?? null },
    );
  }
}

/** The value at `path`, or `HTTP_RESPONSE_INVALID` naming how far the path got and what is there. */
function extracted(value: JsonValue, path: string, url: URL): JsonValue {
  const result = extractPath(value, path);
  if (result.found) return result.value;
  throw errors.fail(
    'HTTP_RESPONSE_INVALID',
    `Cannot extract '${path}' from the response of ${shown(url)}: nothing there after '${result.at}', which holds ${result.keys}. ` +
      'Fix the path (dots between keys, numbers for array items).',
    { extract: path, at: result.at },
  );
}
