import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmitHandler, emit } from '../../catalog/emit.js';
import { compositionOf } from '../../catalog/grammar/compose.js';
import { expectHandlerFailure, fakeHandlerContext, runHandler } from '../support/handler-context.js';

const ctx = (step: string, attempt = 1) => fakeHandlerContext({ idempotencyKey: `run-1/${step}`, stepName: step, attempt });

describe('emit to a file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-emit-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const lines = (path: string) =>
    readFileSync(join(dir, path), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { key: string; at: string; payload: unknown });

  it('appends one JSON line { key, at, payload }, creating directories', async () => {
    const handler = createEmitHandler({ emitDir: dir });
    const out = await runHandler(handler, { sink: 'file', path: 'orders/paid.jsonl', payload: { id: 7 } }, ctx('s1'));
    expect(out).toEqual({ sink: 'file', delivered: true, duplicate: false, key: 'run-1/s1' });
    await runHandler(handler, { sink: 'file', path: 'orders/paid.jsonl', payload: [1, 2] }, ctx('s2'));
    const written = lines('orders/paid.jsonl');
    expect(written.map(({ key, payload }) => ({ key, payload }))).toEqual([
      { key: 'run-1/s1', payload: { id: 7 } },
      { key: 'run-1/s2', payload: [1, 2] },
    ]);
    expect(Number.isNaN(Date.parse(written[0]?.at ?? ''))).toBe(false);
  });

  it('reads WEFT_EMIT_DIR when no directory is given', async () => {
    const before = process.env['WEFT_EMIT_DIR'];
    process.env['WEFT_EMIT_DIR'] = dir;
    try {
      await runHandler(emit, { sink: 'file', path: 'out.jsonl', payload: null }, ctx('s1'));
    } finally {
      if (before === undefined) delete process.env['WEFT_EMIT_DIR'];
      else process.env['WEFT_EMIT_DIR'] = before;
    }
    expect(lines('out.jsonl')).toHaveLength(1);
  });

  it.each(['../escape.jsonl', 'a/../../escape.jsonl', '/etc/passwd', 'a\\..\\..\\x', '..'])('rejects %s with EMIT_PATH_INVALID', async (path) => {
    const failure = await expectHandlerFailure(createEmitHandler({ emitDir: dir }), { sink: 'file', path, payload: 1 }, 'EMIT_PATH_INVALID');
    expect(failure.message).toContain('orders/paid.jsonl');
  });

  it('rejects a path through a symlink that leads out of the emit directory with EMIT_PATH_INVALID, writing nothing', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'weft-emit-outside-'));
    symlinkSync(outside, join(dir, 'escape'));
    const failure = await expectHandlerFailure(createEmitHandler({ emitDir: dir }), { sink: 'file', path: 'escape/x.jsonl', payload: 1 }, 'EMIT_PATH_INVALID');
    expect(failure.message).toContain('does not pass through a symlink leading out of it');
    expect(readdirSync(outside)).toEqual([]);
    rmSync(outside, { recursive: true, force: true });
  });

  it('a retry after a crash between the append and the completion does not append again', async () => {
    const input = { sink: 'file', path: 'out.jsonl', payload: { n: 1 } };
    await runHandler(createEmitHandler({ emitDir: dir }), input, ctx('s1'));
    // The worker died before reporting completion; Temporal retries on a fresh worker.
    const retry = await runHandler(createEmitHandler({ emitDir: dir }), input, ctx('s1', 2));
    expect(retry).toEqual({ sink: 'file', delivered: false, duplicate: true, key: 'run-1/s1' });
    expect(lines('out.jsonl')).toHaveLength(1);
  });

  it('ignores a torn trailing line, even one with the same key, and the next append still works', async () => {
    const handler = createEmitHandler({ emitDir: dir });
    await runHandler(handler, { sink: 'file', path: 'out.jsonl', payload: 1 }, ctx('s1'));
    // The crash cut step s2's own line short: it was never written, so the retry must write it.
    appendFileSync(join(dir, 'out.jsonl'), '{"key":"run-1/s2","at":"2024-01-01T00:0');
    const retry = await runHandler(handler, { sink: 'file', path: 'out.jsonl', payload: 2 }, ctx('s2', 2));
    expect(retry.delivered).toBe(true);
    expect(lines('out.jsonl').map((l) => [l.key, l.payload])).toEqual([
      ['run-1/s1', 1],
      ['run-1/s2', 2],
    ]);
  });

  it('two concurrent attempts with the same key append once; different keys all append', async () => {
    const handler = createEmitHandler({ emitDir: dir });
    const same = await Promise.all([1, 2, 3, 4].map(() => runHandler(handler, { sink: 'file', path: 'out.jsonl', payload: 'x' }, ctx('s1'))));
    expect(same.filter((r) => r.delivered)).toHaveLength(1);
    await Promise.all(['a', 'b', 'c'].map((s) => runHandler(createEmitHandler({ emitDir: dir }), { sink: 'file', path: 'out.jsonl', payload: s }, ctx(s))));
    expect(lines('out.jsonl').map((l) => l.key).sort()).toEqual(['run-1/a', 'run-1/b', 'run-1/c', 'run-1/s1']);
  });
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('emit to a webhook (a real server on 127.0.0.1)', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  // What the server does with each request; a test replaces it.
  let respond: (req: Received, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        received.push(r);
        respond(r, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    received.length = 0;
    respond = (_, res) => res.writeHead(204).end();
  });

  // The worker's configuration here: 127.0.0.1 allowed by range (127.0.0.2 stays denied).
  const loopback = { egress: { allowCidrs: ['127.0.0.1/32'] } };
  const hook = createEmitHandler(loopback);
  const post = (extra: Record<string, unknown> = {}) => ({ sink: 'webhook', url: `${base}/hook`, payload: { order: 7 }, ...extra });

  it('POSTs the payload as JSON with the Idempotency-Key header and extra headers', async () => {
    const out = await runHandler(hook, post({ headers: { 'X-Source': 'weft', 'Idempotency-Key': 'spoofed' } }), ctx('s1'));
    expect(out).toEqual({ sink: 'webhook', delivered: true, duplicate: false, key: 'run-1/s1' });
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ order: 7 });
    expect(received[0]?.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'run-1/s1', 'x-source': 'weft' });
  });

  it('a retry after a crash sends the identical Idempotency-Key; a receiver that dedupes makes it a duplicate', async () => {
    // The receiver keeps the keys it has processed, and answers a repeat like Stripe does:
    // the original status with Idempotent-Replayed: true.
    const seen = new Set<string>();
    respond = (req, res) => {
      const key = String(req.headers['idempotency-key']);
      const replayed = seen.has(key);
      seen.add(key);
      res.writeHead(200, replayed ? { 'idempotent-replayed': 'true' } : {}).end('{}');
    };
    const first = await runHandler(hook, post(), ctx('s1'));
    const retry = await runHandler(createEmitHandler(loopback), post(), ctx('s1', 2));
    expect(received.map((r) => r.headers['idempotency-key'])).toEqual(['run-1/s1', 'run-1/s1']);
    expect(first).toMatchObject({ delivered: true, duplicate: false });
    expect(retry).toMatchObject({ delivered: false, duplicate: true, key: 'run-1/s1' });
    // The handler itself cannot know the first request arrived: the guarantee is the stable key.
    expect(seen.size).toBe(1);
  });

  it('reports a duplicate when the receiver answers 409 for a key it has seen', async () => {
    respond = (_, res) => res.writeHead(409).end('already processed');
    expect(await runHandler(hook, post(), ctx('s1', 2))).toEqual({ sink: 'webhook', delivered: false, duplicate: true, key: 'run-1/s1' });
  });

  it.each([500, 503, 429])('fails %i with the retryable EMIT_WEBHOOK_UNAVAILABLE', async (status) => {
    respond = (_, res) => res.writeHead(status, { 'retry-after': '3' }).end('busy');
    const failure = await expectHandlerFailure(hook, post(), 'EMIT_WEBHOOK_UNAVAILABLE');
    expect(failure.message).toContain(`answered ${status}: busy`);
    expect(failure.details).toEqual([expect.objectContaining({ status, retry_after: '3' })]);
  });

  it('fails a connection error with EMIT_WEBHOOK_UNAVAILABLE', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const failure = await expectHandlerFailure(hook, post({ url: `http://127.0.0.1:${port}/hook` }), 'EMIT_WEBHOOK_UNAVAILABLE');
    expect(failure.message).toContain('could not be reached');
  });

  it.each([400, 404, 422])('fails %i with the non-retryable EMIT_WEBHOOK_REJECTED, quoting the answer', async (status) => {
    respond = (_, res) => res.writeHead(status).end('{"error":"bad order"}');
    const failure = await expectHandlerFailure(hook, post(), 'EMIT_WEBHOOK_REJECTED');
    expect(failure.message).toContain(`answered ${status}: {"error":"bad order"}`);
  });

  it('does not follow a redirect: EMIT_WEBHOOK_REJECTED naming the target', async () => {
    respond = (_, res) => res.writeHead(307, { location: 'http://169.254.169.254/latest' }).end();
    const failure = await expectHandlerFailure(hook, post(), 'EMIT_WEBHOOK_REJECTED');
    expect(failure.message).toContain('redirects to http://169.254.169.254/latest');
    expect(received).toHaveLength(1);
  });

  it('refuses a redirect from the allowed host to a denied one: nothing reaches the denied server', async () => {
    // A second receiver on 127.0.0.2, which the worker's allow-list (127.0.0.1/32) does not cover.
    let reached = 0;
    const denied = createServer((_, res) => {
      reached += 1;
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => denied.listen(0, '127.0.0.2', r));
    const elsewhere = `http://127.0.0.2:${(denied.address() as AddressInfo).port}/steal`;
    try {
      respond = (_, res) => res.writeHead(308, { location: `${elsewhere}?token=secret` }).end();
      const failure = await expectHandlerFailure(hook, post(), 'EMIT_WEBHOOK_REJECTED');
      expect(failure.message).toContain(`redirects to ${elsewhere}; use the final URL`);
      expect(failure.message).toContain('redirects are not followed');
      expect(failure.message).not.toContain('secret');
      expect(received).toHaveLength(1);
      expect(reached).toBe(0);
    } finally {
      denied.closeAllConnections();
      await new Promise((r) => denied.close(r));
    }
  });

  it('sends the checked address the Host of the URL; a plan cannot set Host, Content-Length or the Idempotency-Key', async () => {
    const out = await runHandler(hook, post({ headers: { Host: 'internal.example', 'Content-Length': '1', 'Idempotency-Key': 'mine' } }), ctx('s1'));
    expect(out).toMatchObject({ delivered: true, key: 'run-1/s1' });
    expect(received[0]?.headers).toMatchObject({ host: new URL(base).host, 'idempotency-key': 'run-1/s1', 'content-length': '11' });
    expect(received[0]?.body).toBe('{"order":7}');
  });

  it('reads only the start of a long error answer, and quotes 300 characters of it', async () => {
    // An answer that never ends unless the handler stops reading and closes the connection.
    respond = (_, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(16 * 1024);
      const timer = setInterval(() => res.write(chunk), 1);
      res.once('close', () => clearInterval(timer));
    };
    const failure = await expectHandlerFailure(hook, post({ timeout_ms: 5_000 }), 'EMIT_WEBHOOK_REJECTED');
    expect(failure.message).toContain(`answered 400: ${'x'.repeat(300)}…`);
    expect(failure.message).not.toContain('x'.repeat(301));
  });

  it('fails with EMIT_TARGET_DENIED and sends nothing when loopback is not allow-listed', async () => {
    const failure = await expectHandlerFailure(createEmitHandler(), post(), 'EMIT_TARGET_DENIED', ctx('s1'));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`Webhook ${base}/hook was not sent: Egress to 127.0.0.1, a loopback address, is denied.`);
    expect(failure.message).toContain("worker's WEFT_EGRESS_ALLOW");
    expect(failure.details).toEqual([expect.objectContaining({ host: '127.0.0.1', address: '127.0.0.1', class: 'loopback' })]);
    expect(received).toHaveLength(0);
  });

  describe('names, resolved once by the guard', () => {
    const lookups: string[] = [];
    // hooks.example.test is internal (loopback); nothing else resolves. Never real DNS.
    const lookup = (hostname: string) => {
      lookups.push(hostname);
      if (hostname === 'hooks.example.test') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      if (hostname === 'stalls.example.test') return new Promise<never>(() => undefined);
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    };
    const named = () => post({ url: `http://hooks.example.test:${new URL(base).port}/hook` });
    beforeEach(() => {
      lookups.length = 0;
    });

    it('denies a name that resolves to an internal address, sending nothing', async () => {
      const failure = await expectHandlerFailure(createEmitHandler({ lookup }), named(), 'EMIT_TARGET_DENIED');
      expect(failure.message).toContain("'hooks.example.test' resolves to 127.0.0.1, a loopback address, is denied");
      expect(received).toHaveLength(0);
    });

    it('delivers to an allow-listed name over a connection pinned to the address it checked', async () => {
      const out = await runHandler(createEmitHandler({ egress: { allowHosts: ['hooks.example.test'] }, lookup }), named(), ctx('s1'));
      expect(out).toEqual({ sink: 'webhook', delivered: true, duplicate: false, key: 'run-1/s1' });
      expect(lookups).toEqual(['hooks.example.test']);
      expect(received[0]?.headers.host).toBe(`hooks.example.test:${new URL(base).port}`);
    });

    it('fails a name that does not resolve with the retryable EMIT_WEBHOOK_UNAVAILABLE', async () => {
      const failure = await expectHandlerFailure(createEmitHandler({ lookup }), post({ url: 'https://nowhere.example.test/hook' }), 'EMIT_WEBHOOK_UNAVAILABLE');
      expect(failure.message).toContain('ENOTFOUND nowhere.example.test');
    });

    it('counts resolving against timeout_ms', async () => {
      const failure = await expectHandlerFailure(createEmitHandler({ lookup }), post({ url: 'https://stalls.example.test/hook', timeout_ms: 100 }), 'EMIT_WEBHOOK_TIMEOUT');
      expect(failure.message).toContain('within 100 ms (stopped while resolving stalls.example.test)');
    });
  });

  it('refuses an allow-list entry that is not a host or range when the handler is created', () => {
    expect(() => createEmitHandler({ egress: { allowCidrs: ['10.0.0.0/33'] } })).toThrow("allowCidrs entry '10.0.0.0/33'");
  });

  it('fails a server slower than timeout_ms with the retryable EMIT_WEBHOOK_TIMEOUT', async () => {
    respond = (_, res) => setTimeout(() => res.destroyed || res.writeHead(204).end(), 1_000).unref();
    const failure = await expectHandlerFailure(hook, post({ timeout_ms: 100 }), 'EMIT_WEBHOOK_TIMEOUT');
    expect(failure.message).toContain('within 100 ms');
  });

  it('lets a cancellation of the activity through as it is', async () => {
    respond = (_, res) => setTimeout(() => res.destroyed || res.writeHead(204).end(), 1_000).unref();
    const controller = new AbortController();
    const pending = runHandler(hook, post(), fakeHandlerContext({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('activity cancelled')), 20);
    await expect(pending).rejects.toThrow('activity cancelled');
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://localhost:8080/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0x7f.1/hook',
    'http://10.1.2.3/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
  ])('denies %s by default with EMIT_TARGET_DENIED, sending nothing', async (url) => {
    await expectHandlerFailure(emit, { sink: 'webhook', url, payload: 1 }, 'EMIT_TARGET_DENIED');
    expect(received).toHaveLength(0);
  });

  it('accepts only http(s) URLs', () => {
    expect(emit.input.safeParse({ sink: 'webhook', url: 'file:///etc/passwd', payload: 1 }).success).toBe(false);
  });
});

describe('emit as a grammar composition', () => {
  it('is one mutating emit primitive, with exactly that primitive\'s error modes', () => {
    expect(compositionOf(emit)).toEqual([{ kind: 'emit', name: 'send_payload' }]);
    expect(compositionOf(createEmitHandler({ egress: { allowCidrs: ['127.0.0.1'] } }))).toEqual([{ kind: 'emit', name: 'send_payload' }]);
    expect(emit.mutating).toBe(true);
    expect(emit.errorModes.map((m) => m.code)).not.toContain('COMPOSITION_STEP_INPUT_INVALID');
  });
});
