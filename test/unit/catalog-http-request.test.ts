import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { egressPolicyFromEnv, type ResolveAll } from '../../catalog/egress.js';
import { builtinHandlers, configuredBuiltinHandlers } from '../../catalog/index.js';
import { exampleRegistry } from '../../examples/registry.js';
import { compositionOf } from '../../catalog/grammar/compose.js';
import { createHttpRequestHandler, httpRequest, httpRequestInput } from '../../catalog/http-request.js';
import { expectHandlerFailure, fakeHandlerContext, runHandler } from '../support/handler-context.js';

// Every server here listens on loopback; made-up names resolve through a fake resolver, never DNS.

interface Seen {
  method: string | undefined;
  url: string | undefined;
  host: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
let base = '';
let port = 0;

const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void> = {
  '/json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', etag: '"v1"', 'set-cookie': 'secret=1', 'x-internal': 'no' });
    res.end(JSON.stringify({ data: { items: [{ id: 7, name: 'first' }, { id: 8 }] } }));
  },
  '/echo': (req, res, body) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, body: body === '' ? null : (JSON.parse(body) as unknown), type: req.headers['content-type'] ?? null }));
  },
  '/text': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello');
  },
  '/bad-json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"oops"');
  },
  // Streams 4 × 64 KiB without a content-length: the cap must stop the read mid-stream.
  '/big': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 4; i++) res.write(chunk);
    res.end();
  },
  '/big-declared': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(200_000) });
    res.end(Buffer.alloc(200_000, 'x'));
  },
  // Answers nothing; the test server's teardown closes the connection.
  '/slow': () => undefined,
  '/to-metadata': (_req, res) => {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    res.end();
  },
  '/to-internal-name': (_req, res) => {
    res.writeHead(307, { location: 'http://internal.example.test/admin' });
    res.end();
  },
  '/to-other-origin': (_req, res) => {
    res.writeHead(302, { location: `http://api.example.test:${port}/json` });
    res.end();
  },
  '/see-other': (_req, res) => {
    res.writeHead(303, { location: '/echo' });
    res.end();
  },
};

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    seen.push({ method: req.method, url: req.url, host: req.headers.host, headers: req.headers, body });
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const hop = /^\/hops\/(\d+)$/.exec(path);
    const status = /^\/status\/(\d+)$/.exec(path);
    if (hop) {
      const left = Number(hop[1]);
      res.writeHead(left === 0 ? 200 : 302, left === 0 ? { 'content-type': 'application/json' } : { location: `/hops/${left - 1}` });
      res.end(left === 0 ? '{"arrived":true}' : '');
    } else if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain', 'retry-after': '3' });
      res.end(`status ${status[1]} body`);
    } else (routes[path] ?? ((_q, r) => r.writeHead(404).end()))(req, res, body);
  });
});

/** Resolves the test names; counts calls so that "resolved once" can be checked. */
const lookups: string[] = [];
const lookup: ResolveAll = (hostname) => {
  lookups.push(hostname);
  const table: Record<string, string> = { 'api.example.test': '127.0.0.1', 'internal.example.test': '10.9.8.7', 'alias.example.test': '::ffff:127.0.0.1' };
  const address = table[hostname];
  if (address === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
  return Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }]);
};

/** The worker's configuration in these tests: loopback allowed by range, nothing else internal. */
const handler = createHttpRequestHandler({ egress: { allowCidrs: ['127.0.0.0/8'] }, lookup });

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('http_request against an allow-listed loopback server', () => {
  it('parses the JSON, extracts a dot path, and keeps only allow-listed headers', async () => {
    const out = await runHandler(handler, { url: `${base}/json`, extract: 'data.items.0' });
    expect(out).toMatchObject({ status: 200, body: { id: 7, name: 'first' } });
    expect(out.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', etag: '"v1"' });
    expect(out.bytes).toBeGreaterThan(20);
    await expect(runHandler(handler, { url: `${base}/json`, extract: 'data.items[1].id' })).resolves.toMatchObject({ body: 8 });
  });

  it('connects to the checked address and sends the name as Host', async () => {
    lookups.length = 0;
    seen.length = 0;
    const out = await runHandler(handler, { url: `http://api.example.test:${port}/json?x=1`, headers: { 'X-Trace': 'abc' } });
    expect(out.status).toBe(200);
    expect(lookups).toEqual(['api.example.test']);
    expect(seen.map((s) => [s.host, s.url, s.headers['x-trace'], s.headers['accept-encoding']])).toEqual([[`api.example.test:${port}`, '/json?x=1', 'abc', 'identity']]);
  });

  it('dials the IPv4 address an IPv4-mapped answer carries', async () => {
    seen.length = 0;
    await expect(runHandler(handler, { url: `http://alias.example.test:${port}/json` })).resolves.toMatchObject({ status: 200 });
    expect(seen[0]?.host).toBe(`alias.example.test:${port}`);
  });

  it('dials an allow-listed IPv4-mapped literal as its IPv4 address, keeping the literal as Host', async () => {
    seen.length = 0;
    await expect(runHandler(handler, { url: `http://[::ffff:7f00:1]:${port}/json` })).resolves.toMatchObject({ status: 200 });
    expect(seen[0]?.host).toBe(`[::ffff:7f00:1]:${port}`);
  });

  it('sends a JSON body, and follows a 303 with a GET', async () => {
    const posted = await runHandler(handler, { url: `${base}/echo`, method: 'POST', json: { a: [1, 2] }, expect_status: [201] });
    expect(posted.body).toEqual({ method: 'POST', body: { a: [1, 2] }, type: 'application/json' });
    const redirected = await runHandler(handler, { url: `${base}/see-other`, method: 'POST', json: { a: 1 }, expect_status: [201] });
    expect(redirected.body).toEqual({ method: 'GET', body: null, type: null });
  });

  it('returns text for non-JSON responses and nothing for HEAD', async () => {
    await expect(runHandler(handler, { url: `${base}/text` })).resolves.toMatchObject({ body: 'hello', bytes: 5 });
    await expect(runHandler(handler, { url: `${base}/json`, method: 'HEAD' })).resolves.toMatchObject({ status: 200, body: null, bytes: 0 });
  });

  it('follows up to five redirects', async () => {
    await expect(runHandler(handler, { url: `${base}/hops/5` })).resolves.toMatchObject({ body: { arrived: true } });
    const failure = await expectHandlerFailure(handler, { url: `${base}/hops/6` }, 'HTTP_TOO_MANY_REDIRECTS');
    expect(failure.message).toContain('more than 5 times');
  });

  it('drops credentials when a redirect changes origin', async () => {
    seen.length = 0;
    const headers = { authorization: 'Bearer t', cookie: 'a=1', 'x-keep': 'yes' };
    await expect(runHandler(handler, { url: `${base}/to-other-origin`, headers })).resolves.toMatchObject({ status: 200 });
    expect(seen.map((s) => [s.host, s.headers.authorization, s.headers.cookie, s.headers['x-keep']])).toEqual([
      [`127.0.0.1:${port}`, 'Bearer t', 'a=1', 'yes'],
      [`api.example.test:${port}`, undefined, undefined, 'yes'],
    ]);
  });

  it('returns a redirect listed in expect_status instead of following it', async () => {
    await expect(runHandler(handler, { url: `${base}/hops/1`, expect_status: [302] })).resolves.toMatchObject({ status: 302, headers: { location: '/hops/0' } });
  });
});

describe('WEFT_EGRESS_ALLOW: the allow-list operators set without code', () => {
  it('parses host names and ranges, and names the variable when an entry is neither', () => {
    expect(egressPolicyFromEnv({ WEFT_EGRESS_ALLOW: ' billing.internal, *.corp.example ,10.20.0.0/16,127.0.0.1,fd00::/8,' })).toEqual({
      allowHosts: ['billing.internal', '*.corp.example'],
      allowCidrs: ['10.20.0.0/16', '127.0.0.1', 'fd00::/8'],
    });
    expect(egressPolicyFromEnv({})).toEqual({ allowHosts: [], allowCidrs: [] });
    expect(() => egressPolicyFromEnv({ WEFT_EGRESS_ALLOW: 'ok.internal,10.0.0.0/33' })).toThrow(/^WEFT_EGRESS_ALLOW: Egress allowCidrs entry '10\.0\.0\.0\/33' is not an address range/);
    expect(() => egressPolicyFromEnv({ WEFT_EGRESS_ALLOW: 'not a host' })).toThrow(/^WEFT_EGRESS_ALLOW: Egress allowHosts entry 'not a host' is not a host name/);
  });

  it("lets a worker's http_request and emit reach what it lists, and nothing else", async () => {
    const byName = (handlers: readonly { name: string }[], name: string) => handlers.find((h) => h.name === name) as typeof httpRequest;
    expect(configuredBuiltinHandlers({})).toBe(builtinHandlers);
    const allowed = configuredBuiltinHandlers({ WEFT_EGRESS_ALLOW: '127.0.0.1' });
    await expect(runHandler(byName(allowed, 'http_request'), { url: `${base}/json` })).resolves.toMatchObject({ status: 200 });
    await expectHandlerFailure(byName(configuredBuiltinHandlers({ WEFT_EGRESS_ALLOW: '10.0.0.0/8' }), 'http_request'), { url: `${base}/json` }, 'EGRESS_DENIED');
    expect(byName(allowed, 'emit')).not.toBe(byName(builtinHandlers, 'emit'));
    expect(() => exampleRegistry({ WEFT_EGRESS_ALLOW: '300.1.1.1/8' })).toThrow(/WEFT_EGRESS_ALLOW/);
  });
});

describe('http_request egress guard', () => {
  it('denies loopback with the default (empty) allow-list, IPv4-mapped forms included', async () => {
    for (const url of [`${base}/json`, `http://[::ffff:127.0.0.1]:${port}/json`, `http://[::ffff:7f00:1]:${port}/json`, `http://[::1]:${port}/`]) {
      const failure = await expectHandlerFailure(httpRequest, { url }, 'EGRESS_DENIED');
      expect(failure.message).toMatch(/loopback address, is denied.*allowCidrs/);
    }
  });

  it('denies a name that resolves to an internal address, naming host, address and class', async () => {
    const failure = await expectHandlerFailure(handler, { url: 'http://internal.example.test/' }, 'EGRESS_DENIED');
    expect(failure.message).toContain("'internal.example.test' resolves to 10.9.8.7, a private address, is denied");
    expect(failure.details).toEqual([{ host: 'internal.example.test', address: '10.9.8.7', class: 'private' }]);
  });

  it('re-checks every redirect target: allowed host → metadata address or internal name is denied', async () => {
    seen.length = 0;
    const toMetadata = await expectHandlerFailure(handler, { url: `${base}/to-metadata` }, 'EGRESS_DENIED');
    expect(toMetadata.message).toContain('169.254.169.254, a cloud-metadata address');
    const toName = await expectHandlerFailure(handler, { url: `${base}/to-internal-name` }, 'EGRESS_DENIED');
    expect(toName.message).toContain('10.9.8.7');
    // Only the allowed first hops reached a server.
    expect(seen.map((s) => s.url)).toEqual(['/to-metadata', '/to-internal-name']);
  });

  it('does not take the allow-list from the plan', () => {
    expect(httpRequestInput.safeParse({ url: `${base}/`, egress: { allowCidrs: ['0.0.0.0/0'] } }).success).toBe(false);
  });
});

describe('http_request limits and failures', () => {
  it('stops reading past max_bytes while streaming, and refuses a declared oversize body', async () => {
    const streamed = await expectHandlerFailure(handler, { url: `${base}/big`, max_bytes: 100_000 }, 'HTTP_RESPONSE_TOO_LARGE');
    expect(streamed.message).toContain('max_bytes (100000 bytes');
    await expectHandlerFailure(handler, { url: `${base}/big-declared`, max_bytes: 100_000 }, 'HTTP_RESPONSE_TOO_LARGE');
    await expect(runHandler(handler, { url: `${base}/big`, max_bytes: 300_000 })).resolves.toMatchObject({ bytes: 262_144 });
  });

  it('times out a slow server after timeout_ms', async () => {
    const started = Date.now();
    const failure = await expectHandlerFailure(handler, { url: `${base}/slow`, timeout_ms: 200 }, 'HTTP_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failure.message).toContain('within 200 ms');
  });

  it('stops when the activity is cancelled, with the cancellation reason', async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const pending = runHandler(handler, { url: `${base}/slow` }, fakeHandlerContext({ signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it('classifies 503 and 429 as retryable, 404 as not, with the status and an excerpt', async () => {
    const unavailable = await expectHandlerFailure(handler, { url: `${base}/status/503` }, 'HTTP_STATUS_RETRYABLE');
    expect(unavailable.nonRetryable).toBe(false);
    expect(unavailable.message).toMatch(/answered 503, expected 200-299 \(retry-after: 3\).*status 503 body/);
    await expectHandlerFailure(handler, { url: `${base}/status/429` }, 'HTTP_STATUS_RETRYABLE');
    const missing = await expectHandlerFailure(handler, { url: `${base}/status/404` }, 'HTTP_STATUS_REJECTED');
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toContain('expect_status');
  });

  it('reports unreadable responses: extract on text, a missing path, malformed JSON', async () => {
    const onText = await expectHandlerFailure(handler, { url: `${base}/text`, extract: 'a' }, 'HTTP_RESPONSE_INVALID');
    expect(onText.message).toContain('text/plain, not JSON');
    const missing = await expectHandlerFailure(handler, { url: `${base}/json`, extract: 'data.items.5.id' }, 'HTTP_RESPONSE_INVALID');
    expect(missing.message).toContain("nothing there after 'data.items', which holds an array of 2");
    await expectHandlerFailure(handler, { url: `${base}/bad-json` }, 'HTTP_RESPONSE_INVALID');
  });

  it('fails retryably when nothing listens or the name does not resolve', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await expectHandlerFailure(handler, { url: `http://127.0.0.1:${closedPort}/` }, 'HTTP_CONNECTION_FAILED');
    expect(refused.message).toContain('ECONNREFUSED');
    await expectHandlerFailure(handler, { url: 'http://nowhere.example.test/' }, 'HTTP_CONNECTION_FAILED');
  });

  it('rejects reserved request headers and a body on GET at input validation', () => {
    expect(httpRequestInput.safeParse({ url: `${base}/`, headers: { Host: 'evil.test' } }).error?.issues[0]?.message).toContain("Header 'Host' is set by http_request");
    expect(httpRequestInput.safeParse({ url: `${base}/`, json: {} }).success).toBe(false);
    expect(httpRequestInput.safeParse({ url: 'ftp://x.test/' }).success).toBe(false);
    expect(httpRequestInput.safeParse({ url: `${base}/`, timeout_ms: 60_001 }).success).toBe(false);
  });
});

describe('http_request as a grammar composition', () => {
  it('is one acquire primitive, not mutating, with exactly that primitive\'s error modes', () => {
    expect(compositionOf(httpRequest)).toEqual([{ kind: 'acquire', name: 'send_request' }]);
    expect(compositionOf(handler)).toEqual([{ kind: 'acquire', name: 'send_request' }]);
    expect(httpRequest.mutating).toBe(false);
    expect(httpRequest.errorModes.map((m) => m.code)).not.toContain('COMPOSITION_STEP_INPUT_INVALID');
  });
});
