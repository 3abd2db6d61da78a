/**
 * The contract of `http_request`: its input and output schemas (the planner sees them as JSON
 * Schema, so their descriptions are part of the catalog) and the headers it sets or returns.
 */
import { z } from 'zod';
import { TRANSPORT_HEADERS } from './transport.js';

/** One MiB: the unit of `max_bytes`' default and ceiling. */
export const MIB = 1024 * 1024;

/** Request headers set by the handler from the URL, the body or the transport; a plan may not override them. */
export const RESERVED_HEADERS = TRANSPORT_HEADERS;
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
