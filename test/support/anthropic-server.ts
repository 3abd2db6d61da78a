/**
 * A loopback server that speaks enough of the Anthropic Messages API (`POST /v1/messages`) for the
 * real `@anthropic-ai/sdk`: each test scripts a queue of responses and reads back every request
 * it received. It answers only what was scripted: when the script runs out it fails loudly with a
 * 500 naming the request, and `unexpected` counts it, so no test can pass on an unscripted answer.
 *
 * Where it matters it behaves as the API does (see `anthropic-api-rules.ts`): it rejects thinking
 * with a forced tool choice, honours `output_config.format` and strict tools (an answer that does
 * not fit the schema cannot be produced: the script is wrong, and the server fails loudly), and
 * keeps a prompt cache keyed by the bytes of each prefix that ends at a `cache_control` breakpoint,
 * reporting cache reads and writes in `usage`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { conformTo, PromptCache, requestProblem, schemaProblems, type ModelTraits } from './anthropic-api-rules.js';

/**
 * Token counts of a scripted response. Scripted counts are reported as given (cache classes 0
 * unless scripted); omitted ones are computed: input from the request bytes (4 per token) and the
 * prompt cache, output from the answer.
 */
export interface ScriptedUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly cache_read_input_tokens?: number;
  readonly cache_creation_input_tokens?: number;
  readonly thinking_tokens?: number;
}

/** What every scripted response may add. */
interface Common {
  /** Wait this long before answering (a slow provider). */
  readonly delayMs?: number;
  readonly usage?: ScriptedUsage;
  /** The thinking text when the request enables thinking (default: a short plan). */
  readonly thinking?: string;
  /** Overrides `stop_reason` (`max_tokens`, `refusal`: a structured answer may then be cut short). */
  readonly stopReason?: string;
}

/** One scripted answer, in the order requests arrive. */
export type ScriptedResponse =
  /**
   * The fragment: as `submit_fragment` tool input, or as the JSON text of the answer when the
   * request sets `output_config.format`. Under a format or a strict tool it is fitted to the schema
   * as constrained decoding writes it (objects where the schema wants a string become JSON text).
   */
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
  readonly system?: string | readonly SystemBlock[];
  readonly messages: readonly { readonly role: string; readonly content: unknown }[];
  readonly tools?: readonly { readonly name: string; readonly description?: string; readonly input_schema: unknown; readonly strict?: boolean; readonly cache_control?: CacheControl }[];
  readonly tool_choice?: { readonly type: string; readonly name?: string };
  readonly thinking?: { readonly type: string; readonly budget_tokens?: number; readonly display?: string | null };
  readonly output_config?: { readonly format?: { readonly type: string; readonly schema: unknown } | null; readonly effort?: string | null };
  readonly cache_control?: CacheControl | null;
  readonly [key: string]: unknown;
}

/** A `cache_control` breakpoint. */
export interface CacheControl {
  readonly type: 'ephemeral';
  readonly ttl?: '5m' | '1h';
}

/** A system prompt block. */
export interface SystemBlock {
  readonly type: 'text';
  readonly text: string;
  readonly cache_control?: CacheControl;
}

/** The system prompt of a request as one text (blocks joined by blank lines). */
export function systemText(body: MessagesRequestBody): string {
  const s = body.system;
  return s === undefined ? '' : typeof s === 'string' ? s : s.map((b) => b.text).join('\n\n');
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
  /** The prompt cache: entries alive now. */
  readonly cache: PromptCache;
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
  /**
   * What a model accepts, by model id (default: everything, and no thinking unless asked). A
   * parameter a model does not take is answered with a 400 that names it, as the API does.
   */
  readonly models?: Readonly<Record<string, ModelTraits>>;
  /** Fewest prompt tokens a cache breakpoint needs to be cached (default 1024, as for Sonnet). */
  readonly minCacheableTokens?: number;
  /** The clock of cache lifetimes (default `Date.now`). */
  readonly now?: () => number;
}

/** Starts a server on 127.0.0.1 and a free port. */
export async function startAnthropicServer(initial: readonly ScriptedResponse[] = [], options: AnthropicServerOptions = {}): Promise<AnthropicTestServer> {
  const queue: ScriptedResponse[] = [...initial];
  const requests: RecordedRequest[] = [];
  const cache = new PromptCache(options.minCacheableTokens ?? 1024, options.now ?? Date.now);
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
    // What the API rejects before it runs the model (thinking with a forced tool, a parameter
    // the model does not take, a schema outside the constrained subset, too many breakpoints).
    const traits = options.models?.[body.model] ?? {};
    const problem = requestProblem(body, traits);
    if (problem) return send(res, 400, requestId, errorBody(400, problem));
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
    const answer = answerOf(body, next, counter);
    if (typeof answer === 'string') {
      unexpected++;
      return send(res, 500, requestId, errorBody(500, `anthropic test server: request ${requests.length} (${requestId}): ${answer}`));
    }
    const thinks = body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive' || (traits.thinksByDefault === true && body.thinking?.type !== 'disabled');
    const thinkingText = next.thinking ?? 'The problem asks for a small plan: pick the allowed handlers that fit and wire their inputs.';
    const shownThinking = body.thinking?.display === 'omitted' ? '' : thinkingText;
    const content = thinks ? [{ type: 'thinking', thinking: shownThinking, signature: `sig_test_${counter}` }, ...answer] : answer;
    const thinkingTokens = thinks ? (next.usage?.thinking_tokens ?? Math.max(1, Math.ceil(thinkingText.length / 4))) : 0;
    const scripted = next.usage?.input_tokens !== undefined;
    const cached = scripted ? null : cache.account(body);
    const usage = {
      input_tokens: next.usage?.input_tokens ?? cached!.input,
      output_tokens: (next.usage?.output_tokens ?? Math.max(1, Math.ceil(JSON.stringify(answer).length / 4))) + thinkingTokens,
      cache_creation_input_tokens: next.usage?.cache_creation_input_tokens ?? (cached ? cached.write5m + cached.write1h : 0),
      cache_read_input_tokens: next.usage?.cache_read_input_tokens ?? cached?.read ?? 0,
      cache_creation: { ephemeral_5m_input_tokens: next.usage?.cache_creation_input_tokens ?? cached?.write5m ?? 0, ephemeral_1h_input_tokens: cached?.write1h ?? 0 },
      output_tokens_details: { thinking_tokens: thinkingTokens },
      service_tier: 'standard',
    };
    const message = {
      id: `msg_test_${counter}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: next.stopReason ?? (answer.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
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
    cache,
    script: (...responses) => void queue.push(...responses),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      unexpected = 0;
      cache.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

type AnswerBlock = { readonly type: 'text'; readonly text: string; readonly citations: null } | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown };

/**
 * The content blocks of a scripted answer, as the request shapes them (a fragment as JSON text
 * under `output_config.format`, as tool input otherwise), or why a constrained model could not
 * have written it.
 */
function answerOf(body: MessagesRequestBody, next: ScriptedResponse, counter: number): AnswerBlock[] | string {
  const format = body.output_config?.format?.schema;
  const strict = (name: string) => body.tools?.find((t) => t.name === name && t.strict === true)?.input_schema;
  const tool = (name: string, input: unknown): AnswerBlock[] | string => {
    const schema = strict(name);
    if (schema === undefined) return [{ type: 'tool_use', id: `toolu_test_${counter}`, name, input }];
    const fitted = conformTo(schema, input);
    const problems = schemaProblems(schema, fitted);
    return problems ?? [{ type: 'tool_use', id: `toolu_test_${counter}`, name, input: fitted }];
  };
  if ('fragment' in next) {
    if (format === undefined) return tool('submit_fragment', next.fragment);
    const fitted = conformTo(format, next.fragment);
    const problems = schemaProblems(format, fitted);
    return problems ?? [{ type: 'text', text: JSON.stringify(fitted), citations: null }];
  }
  if ('toolUse' in next) return tool(next.toolUse.name, next.toolUse.input);
  const text = 'text' in next ? next.text : 'a slow answer';
  if (format !== undefined && next.stopReason === undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return `the scripted text is not JSON, but output_config.format constrains the answer to its schema (script stopReason 'max_tokens' or 'refusal' for a cut-short answer)`;
    }
    const problems = schemaProblems(format, parsed);
    if (problems) return problems;
  }
  return [{ type: 'text', text, citations: null }];
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
