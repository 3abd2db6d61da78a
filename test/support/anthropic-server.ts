/**
 * A loopback server that speaks enough of the Anthropic Messages API (`POST /v1/messages`) for the
 * real `@anthropic-ai/sdk`: each test scripts a queue of responses and reads back every request
 * it received. It answers only what was scripted: when the script runs out it fails loudly with a
 * 500 naming the request, and `unexpected` counts it, so no test can pass on an unscripted answer.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Token counts of a scripted response; omitted ones are estimated from the request and the answer. */
export interface ScriptedUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
}

/** What every scripted response may add. */
interface Common {
  /** Wait this long before answering (a slow provider). */
  readonly delayMs?: number;
  readonly usage?: ScriptedUsage;
}

/** One scripted answer, in the order requests arrive. */
export type ScriptedResponse =
  /** A `submit_fragment` tool call with this input. */
  | (Common & { readonly fragment: unknown })
  /** Any tool call; `input` may be anything, including a string (malformed tool input). */
  | (Common & { readonly toolUse: { readonly name: string; readonly input: unknown } })
  /** A text-only answer (no tool call). */
  | (Common & { readonly text: string })
  /** An error response; `body` defaults to the API's error shape for the status. */
  | (Common & { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> })
  /** Only a delay, then a short text answer. */
  | (Common & { readonly delayMs: number });

/** One request as received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (`null` when it was not JSON). */
  readonly body: MessagesRequestBody | null;
  /** The request id the server answered with. */
  readonly requestId: string;
}

/** The parts of a Messages request the tests look at. */
export interface MessagesRequestBody {
  readonly model: string;
  readonly max_tokens: number;
  readonly system?: string;
  readonly messages: readonly { readonly role: string; readonly content: unknown }[];
  readonly tools?: readonly { readonly name: string; readonly description?: string; readonly input_schema: unknown }[];
  readonly tool_choice?: { readonly type: string; readonly name?: string };
  readonly [key: string]: unknown;
}

/** A running test server. */
export interface AnthropicTestServer {
  /** Give this to the SDK as `baseURL`. */
  readonly baseURL: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Requests answered with the "script exhausted" 500. */
  readonly unexpected: number;
  /** Scripted responses not used yet. */
  pending(): number;
  /** Appends responses to the script. */
  script(...responses: readonly ScriptedResponse[]): void;
  /** Clears the script and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/**
 * Options of {@link startAnthropicServer}. Separate from the script: without them the server
 * behaves exactly as described above.
 */
export interface AnthropicServerOptions {
  /**
   * Answers a request when the script is empty (scripted responses still go first), instead of
   * the "script ran out" 500: for tests whose answer depends on what was asked, such as a
   * simulated model that reads the prompt. `unexpected` does not count these.
   */
  readonly responder?: (body: MessagesRequestBody) => ScriptedResponse;
}

/** Starts a server on 127.0.0.1 and a free port. */
export async function startAnthropicServer(initial: readonly ScriptedResponse[] = [], options: AnthropicServerOptions = {}): Promise<AnthropicTestServer> {
  const queue: ScriptedResponse[] = [...initial];
  const requests: RecordedRequest[] = [];
  let unexpected = 0;
  let counter = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, 'req_test_internal', errorBody(500, `anthropic test server crashed: ${String(e)}`));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req_test_${String(++counter).padStart(4, '0')}`;
    const raw = await readBody(req);
    let body: MessagesRequestBody | null = null;
    try {
      body = JSON.parse(raw) as MessagesRequestBody;
    } catch {
      body = null;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? '', path, headers: req.headers, body, requestId });
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return send(res, 404, requestId, errorBody(404, `anthropic test server: only POST /v1/messages is served, not ${req.method} ${path}`));
    }
    if (!req.headers['x-api-key'] && !req.headers.authorization) {
      return send(res, 401, requestId, errorBody(401, 'anthropic test server: no x-api-key or Authorization header'));
    }
    if (!body || typeof body.model !== 'string' || typeof body.max_tokens !== 'number' || !Array.isArray(body.messages) || body.messages.length === 0) {
      return send(res, 400, requestId, errorBody(400, 'anthropic test server: the body needs model, max_tokens and a non-empty messages array'));
    }
    const next = queue.shift() ?? options.responder?.(body);
    if (!next) {
      unexpected++;
      return send(res, 500, requestId, errorBody(500, `anthropic test server: the script ran out at request ${requests.length} (${requestId}); script more responses for this test`));
    }
    if (next.delayMs !== undefined) await new Promise((r) => setTimeout(r, next.delayMs));
    if (res.destroyed) return;
    if ('status' in next) {
      return send(res, next.status, requestId, next.body ?? errorBody(next.status, `scripted ${next.status}`), next.headers);
    }
    const content = 'fragment' in next
      ? [{ type: 'tool_use', id: `toolu_test_${counter}`, name: 'submit_fragment', input: next.fragment }]
      : 'toolUse' in next
        ? [{ type: 'tool_use', id: `toolu_test_${counter}`, name: next.toolUse.name, input: next.toolUse.input }]
        : [{ type: 'text', text: 'text' in next ? next.text : 'a slow answer', citations: null }];
    const usage = {
      input_tokens: next.usage?.input_tokens ?? Math.max(1, Math.ceil(raw.length / 4)),
      output_tokens: next.usage?.output_tokens ?? Math.max(1, Math.ceil(JSON.stringify(content).length / 4)),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      service_tier: 'standard',
    };
    const message = {
      id: `msg_test_${counter}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: content[0]?.type === 'tool_use' ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage,
    };
    return send(res, 200, requestId, message);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    get unexpected() {
      return unexpected;
    },
    pending: () => queue.length,
    script: (...responses) => void queue.push(...responses),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      unexpected = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function errorBody(status: number, message: string): unknown {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
}

function send(res: ServerResponse, status: number, requestId: string, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
