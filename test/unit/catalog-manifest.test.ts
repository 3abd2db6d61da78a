import Ajv2020Module from 'ajv/dist/2020.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinHandlers } from '../../catalog/index.js';
import { createDecideHandler } from '../../catalog/decide.js';
import { createEmitHandler } from '../../catalog/emit.js';
import { createHttpRequestHandler } from '../../catalog/http-request.js';
import { createPersistHandler } from '../../catalog/persist.js';
import { createTransformHandler } from '../../catalog/transform.js';
import { orderTriageHandlers } from '../../examples/order-triage/handlers.js';
import { manifestEntry, manifestOf, type AnyHandler } from '../../src/handler.js';
import { expectHandlerFailure } from '../support/handler-context.js';

const Ajv2020 = Ajv2020Module.default;
const allHandlers: readonly AnyHandler[] = [...builtinHandlers, ...orderTriageHandlers];

describe('built-in catalog', () => {
  it('offers transform, validate, aggregate and decide', () => {
    expect(builtinHandlers.map((h) => [h.name, h.category, h.mutating])).toEqual([
      ['transform', 'data', false],
      ['validate', 'data', false],
      ['aggregate', 'data', false],
      ['decide', 'control', false],
      ['emit', 'io', true],
      ['persist', 'io', true],
      ['http_request', 'api', false],
    ]);
  });

  it.each(allHandlers.map((h) => [h.name, h]))('%s has a manifest entry the planner can be shown', (_, handler) => {
    const entry = manifestEntry(handler);
    // The derived schemas are themselves valid JSON Schema (2020-12): the validator compiles them.
    const ajv = new Ajv2020({ strict: false });
    expect(() => ajv.compile(entry.inputSchema as object)).not.toThrow();
    expect(() => ajv.compile(entry.outputSchema as object)).not.toThrow();
    expect(entry.description).not.toContain('\n');
  });

  it('derives one manifest for the built-ins and the example handlers together', () => {
    expect(Object.keys(manifestOf(allHandlers))).toEqual(allHandlers.map((h) => h.name));
  });

  it.each(allHandlers.map((h) => [h.name, h]))('%s declares unique SCREAMING_SNAKE error modes with descriptions', (_, handler) => {
    const codes = handler.errorModes.map((m) => m.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const mode of handler.errorModes) {
      expect(mode.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(mode.description.length).toBeGreaterThan(10);
    }
  });
});

// Every declared error mode of every built-in handler, with an input that triggers it. The
// coverage test below fails when a mode is added without a case here.
const quickTransform = createTransformHandler({ timeoutMs: 50 });
const quickDecide = createDecideHandler({ timeoutMs: 50 });
const loop = '($f := function($n) { $f($n + 1) }; $f(0))';
// emit and persist: a fetch that answers without a network, and directories that are never
// written to (every case fails before writing), except the one damaged collection file.
const answering = (status: number) => createEmitHandler({ fetch: () => Promise.resolve(new Response('no', { status })) });
const hanging = createEmitHandler({
  fetch: (_url, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
});
const emitDir = join(tmpdir(), 'weft-manifest-emit-unused');
const storeDir = mkdtempSync(join(tmpdir(), 'weft-manifest-store-'));
writeFileSync(join(storeDir, 'damaged.jsonl'), 'not json\n{}\n');
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));
// http_request: a loopback server the handler is allow-listed for, and a resolver that fails.
const web = http.createServer((req, res) => {
  const path = req.url ?? '/';
  if (path === '/slow') return;
  if (path === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
  res.writeHead(Number(path.slice(1)) || 200, { 'content-type': 'text/plain' }).end('not json, and longer than ten bytes');
});
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
const webBase = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
afterAll(() => {
  web.closeAllConnections();
  web.close();
});
const loopbackHttp = createHttpRequestHandler({
  egress: { allowCidrs: ['127.0.0.0/8'] },
  lookup: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
});
const errorCases: readonly { handler: AnyHandler; code: string; input: unknown }[] = [
  { handler: createTransformHandler(), code: 'TRANSFORM_EXPRESSION_INVALID', input: { data: {}, expression: '$.(' } },
  { handler: createTransformHandler(), code: 'TRANSFORM_EVALUATION_FAILED', input: { data: { a: true }, expression: 'a + 1' } },
  { handler: quickTransform, code: 'TRANSFORM_TIMEOUT', input: { data: {}, expression: loop } },
  { handler: createTransformHandler({ maxResultBytes: 10 }), code: 'TRANSFORM_RESULT_TOO_LARGE', input: { data: {}, expression: '"eleven chars"' } },
  { handler: builtinHandlers[1] as AnyHandler, code: 'VALIDATE_SCHEMA_INVALID', input: { data: {}, schema: { type: 'nope' } } },
  { handler: builtinHandlers[1] as AnyHandler, code: 'VALIDATION_FAILED', input: { data: [1], schema: { type: 'string' } } },
  { handler: builtinHandlers[2] as AnyHandler, code: 'AGGREGATE_INPUT_INVALID', input: { op: 'sum', data: [{ n: 'x' }], field: 'n' } },
  { handler: quickDecide, code: 'DECIDE_OUTCOME_UNDECLARED', input: { data: {}, rules: [], default: 'x', outcomes: ['y'] } },
  { handler: quickDecide, code: 'DECIDE_RULE_INVALID', input: { data: {}, rules: [{ when: '(', outcome: 'y' }], default: 'y', outcomes: ['y'] } },
  { handler: quickDecide, code: 'DECIDE_RULE_FAILED', input: { data: {}, rules: [{ when: '"yes"', outcome: 'y' }], default: 'y', outcomes: ['y'] } },
  { handler: quickDecide, code: 'DECIDE_TIMEOUT', input: { data: {}, rules: [{ when: loop, outcome: 'y' }], default: 'y', outcomes: ['y'] } },
  { handler: createEmitHandler({ emitDir }), code: 'EMIT_PATH_INVALID', input: { sink: 'file', path: '../out.jsonl', payload: 1 } },
  { handler: createEmitHandler(), code: 'EMIT_TARGET_DENIED', input: { sink: 'webhook', url: 'http://127.0.0.1/hook', payload: 1 } },
  { handler: answering(503), code: 'EMIT_WEBHOOK_UNAVAILABLE', input: { sink: 'webhook', url: 'https://hooks.example.com/x', payload: 1 } },
  { handler: answering(400), code: 'EMIT_WEBHOOK_REJECTED', input: { sink: 'webhook', url: 'https://hooks.example.com/x', payload: 1 } },
  { handler: hanging, code: 'EMIT_WEBHOOK_TIMEOUT', input: { sink: 'webhook', url: 'https://hooks.example.com/x', payload: 1, timeout_ms: 100 } },
  { handler: createPersistHandler({ dir: storeDir }), code: 'PERSIST_COLLECTION_INVALID', input: { collection: '../c', op: 'insert', records: [] } },
  { handler: createPersistHandler({ dir: storeDir }), code: 'PERSIST_CONFLICT', input: { collection: 'c', op: 'insert', records: [{ id: 1 }, { id: 1 }] } },
  { handler: createPersistHandler({ dir: storeDir }), code: 'PERSIST_NOT_FOUND', input: { collection: 'c', op: 'update', records: [{ id: 1 }] } },
  { handler: createPersistHandler({ dir: storeDir }), code: 'PERSIST_RECORD_INVALID', input: { collection: 'c', op: 'upsert', records: [{ name: 'x' }] } },
  { handler: createPersistHandler({ dir: storeDir }), code: 'PERSIST_STORE_CORRUPT', input: { collection: 'damaged', op: 'upsert', records: [{ id: 1 }] } },
  { handler: loopbackHttp, code: 'EGRESS_DENIED', input: { url: 'http://169.254.169.254/latest/meta-data/' } },
  { handler: loopbackHttp, code: 'HTTP_TIMEOUT', input: { url: `${webBase}/slow`, timeout_ms: 100 } },
  { handler: loopbackHttp, code: 'HTTP_CONNECTION_FAILED', input: { url: 'http://nowhere.example.test/' } },
  { handler: loopbackHttp, code: 'HTTP_STATUS_RETRYABLE', input: { url: `${webBase}/503` } },
  { handler: loopbackHttp, code: 'HTTP_STATUS_REJECTED', input: { url: `${webBase}/404` } },
  { handler: loopbackHttp, code: 'HTTP_RESPONSE_TOO_LARGE', input: { url: `${webBase}/200`, max_bytes: 10 } },
  { handler: loopbackHttp, code: 'HTTP_TOO_MANY_REDIRECTS', input: { url: `${webBase}/loop` } },
  { handler: loopbackHttp, code: 'HTTP_RESPONSE_INVALID', input: { url: `${webBase}/200`, extract: 'a' } },
];

describe('error modes', () => {
  it('every declared mode of every built-in handler has a case', () => {
    const declared = builtinHandlers.flatMap((h) => h.errorModes.map((m) => `${h.name}:${m.code}`)).sort();
    const covered = errorCases.map((c) => `${c.handler.name}:${c.code}`).sort();
    expect(covered).toEqual(declared);
  });

  it.each(errorCases.map((c) => [`${c.handler.name} ${c.code}`, c]))('%s is thrown as a declared ApplicationFailure', async (_, c) => {
    const failure = await expectHandlerFailure(c.handler, c.input, c.code);
    expect(failure.message.length).toBeGreaterThan(20);
  });
});
