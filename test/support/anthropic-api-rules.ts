/**
 * The rules of the Messages API the test server enforces where they matter to the planner:
 * which requests it rejects (thinking with a forced tool choice, a parameter a model does not
 * take, a constrained schema outside the subset, too many cache breakpoints), how a constrained
 * answer is fitted to its schema, and the prompt cache (a real prefix cache keyed by the bytes of
 * each prefix that ends at a `cache_control` breakpoint, with lifetimes and a minimum length).
 * Error texts follow the API's where the planner or its tests depend on them.
 */
import { createHash } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { MessagesRequestBody } from './anthropic-server.js';

/** What a model accepts (every field defaults to "yes", and `thinksByDefault` to no). */
export interface ModelTraits {
  /** Thinks unless `thinking: { type: 'disabled' }` (so a forced tool choice is rejected). */
  readonly thinksByDefault?: boolean;
  readonly thinking?: boolean;
  readonly adaptiveThinking?: boolean;
  readonly effort?: boolean;
  /** `output_config.format` and `strict` tools. */
  readonly structuredOutputs?: boolean;
}

/** The API's message when thinking meets a forced tool choice. */
export const THINKING_WITH_FORCED_TOOL = 'Thinking may not be enabled when tool_choice forces tool use.';

const EFFORTS = new Set(['low', 'medium', 'high', 'xhigh', 'max']);

/** Why the API would reject this request before running the model, or null. */
export function requestProblem(body: MessagesRequestBody, traits: ModelTraits): string | null {
  const breakpoints = cacheBlocks(body).filter((b) => b.ttl !== null).length;
  if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  const thinking = body.thinking;
  if (thinking !== undefined) {
    if (!['enabled', 'adaptive', 'disabled'].includes(thinking.type)) return `thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'`;
    if (thinking.type !== 'disabled' && traits.thinking === false) return `thinking: model '${body.model}' does not support thinking`;
    if (thinking.type === 'adaptive' && traits.adaptiveThinking === false) return `thinking.type: 'adaptive' is not supported on model '${body.model}'; use 'enabled' with budget_tokens`;
    if (thinking.type === 'enabled') {
      const budget = thinking.budget_tokens;
      if (typeof budget !== 'number' || budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
      if (budget >= body.max_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`.';
    }
  }
  const thinks = thinking?.type === 'enabled' || thinking?.type === 'adaptive' || (traits.thinksByDefault === true && thinking?.type !== 'disabled');
  const choice = body.tool_choice?.type;
  if (thinks && (choice === 'any' || choice === 'tool')) return THINKING_WITH_FORCED_TOOL;
  const effort = body.output_config?.effort;
  if (effort !== undefined && effort !== null) {
    if (!EFFORTS.has(effort)) return `output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'`;
    if (traits.effort === false) return `output_config.effort: effort is not supported on model '${body.model}'`;
  }
  const format = body.output_config?.format;
  if (format !== undefined && format !== null) {
    if (traits.structuredOutputs === false) return `output_config.format: structured outputs are not supported on model '${body.model}'`;
    if (format.type !== 'json_schema') return `output_config.format.type: Input should be 'json_schema'`;
    const open = openObject(format.schema, '');
    if (open !== null) return `output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false (at ${open || '/'})`;
  }
  for (const [i, tool] of (body.tools ?? []).entries()) {
    if (tool.strict !== true) continue;
    if (traits.structuredOutputs === false) return `tools.${i}.strict: strict tool use is not supported on model '${body.model}'`;
    const open = openObject(tool.input_schema, '');
    if (open !== null) return `tools.${i}.input_schema: For 'object' type, 'additionalProperties' must be explicitly set to false (at ${open || '/'})`;
  }
  return null;
}

/** The JSON Pointer of the first object schema that is not closed, or null. */
function openObject(schema: unknown, path: string): string | null {
  if (!isRecord(schema)) return null;
  if (schema['type'] === 'object' && schema['additionalProperties'] !== false) return path;
  for (const [k, v] of Object.entries(schema)) {
    const children = isRecord(v) && (k === 'properties' || k === '$defs') ? Object.entries(v) : Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : isRecord(v) ? [['', v] as const] : [];
    for (const [name, child] of children) {
      const found = openObject(child, `${path}/${k}${name === '' ? '' : `/${name}`}`);
      if (found !== null) return found;
    }
  }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A value fitted to a constrained schema as constrained decoding would write it: where the
 * schema wants a string and the value is not one, its JSON text. Nothing else changes.
 */
export function conformTo(schema: unknown, value: unknown, root: unknown = schema): unknown {
  if (!isRecord(schema)) return value;
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/$defs/') && isRecord(root) && isRecord(root['$defs'])) {
    return conformTo(root['$defs'][ref.slice('#/$defs/'.length)], value, root);
  }
  if (schema['type'] === 'string' && typeof value !== 'string') return JSON.stringify(value);
  if (schema['type'] === 'array' && Array.isArray(value)) return value.map((v) => conformTo(schema['items'], v, root));
  if (schema['type'] === 'object' && isRecord(value) && isRecord(schema['properties'])) {
    const props = schema['properties'];
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, conformTo(props[k], v, root)]));
  }
  return value;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

/** Why `value` does not fit `schema` (which a constrained model could not have written), or null. */
export function schemaProblems(schema: unknown, value: unknown): string | null {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema as object);
    compiled.set(key, validate);
  }
  if (validate(value)) return null;
  const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  return `the scripted answer does not fit the schema the request constrains it to (constrained decoding could not have written it): ${errors.join('; ')}`;
}

/** One cacheable block of a request, in the API's prefix order, with its breakpoint lifetime. */
interface CacheBlock {
  readonly bytes: string;
  readonly ttl: '5m' | '1h' | null;
}

/**
 * tools, then system, then messages: the order in which the API builds (and caches) a prompt. The
 * output format's schema goes first: the API adds it to the prompt (and bills it as input); how
 * many tokens it really takes is the provider's business, here it is its JSON bytes like the rest.
 */
function cacheBlocks(body: MessagesRequestBody): CacheBlock[] {
  const blocks: CacheBlock[] = [];
  const format = body.output_config?.format;
  if (format) blocks.push({ bytes: JSON.stringify(format), ttl: null });
  const ttlOf = (b: unknown): '5m' | '1h' | null => {
    const cc = isRecord(b) ? b['cache_control'] : undefined;
    return isRecord(cc) && cc['type'] === 'ephemeral' ? (cc['ttl'] === '1h' ? '1h' : '5m') : null;
  };
  const without = (b: Record<string, unknown>) => JSON.stringify({ ...b, cache_control: undefined });
  for (const tool of body.tools ?? []) blocks.push({ bytes: without(tool), ttl: ttlOf(tool) });
  if (typeof body.system === 'string') blocks.push({ bytes: body.system, ttl: null });
  else for (const b of body.system ?? []) blocks.push({ bytes: b.text, ttl: ttlOf(b) });
  for (const m of body.messages) {
    if (typeof m.content === 'string') blocks.push({ bytes: `${m.role}:${m.content}`, ttl: null });
    else if (Array.isArray(m.content)) for (const b of m.content as Record<string, unknown>[]) blocks.push({ bytes: `${m.role}:${without(b)}`, ttl: ttlOf(b) });
  }
  // Top-level cache_control: automatic caching puts the breakpoint on the last cacheable block.
  const auto = body.cache_control;
  const last = blocks.at(-1);
  if (auto && last && last.ttl === null) blocks[blocks.length - 1] = { bytes: last.bytes, ttl: auto.ttl === '1h' ? '1h' : '5m' };
  return blocks;
}

/** How one request's prompt tokens were billed. */
export interface CacheAccount {
  readonly input: number;
  readonly read: number;
  readonly write5m: number;
  readonly write1h: number;
}

const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;

/**
 * A prompt cache keyed by the bytes of each prefix (model, and every block up to a breakpoint,
 * the output format's schema first). A request reads the longest prefix it finds alive at one of its breakpoints, and
 * writes every later breakpoint's prefix that has at least `minTokens` tokens. Tokens are bytes / 4.
 * A read renews the entry's lifetime, as the API's cache does.
 */
export class PromptCache {
  private readonly entries = new Map<string, { expiresAt: number; ttl: '5m' | '1h' }>();

  constructor(
    private readonly minTokens: number,
    private readonly now: () => number,
  ) {}

  /** Entries alive now. */
  size(): number {
    const t = this.now();
    return [...this.entries.values()].filter((e) => e.expiresAt > t).length;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Bills one request's prompt by class, reading and writing the cache as the API would. */
  account(body: MessagesRequestBody): CacheAccount {
    const blocks = cacheBlocks(body);
    const head = JSON.stringify({ model: body.model });
    const hash = createHash('sha256').update(head);
    let bytes = 0;
    const points: { key: string; tokens: number; ttl: '5m' | '1h' }[] = [];
    for (const b of blocks) {
      hash.update('\u0000').update(b.bytes);
      bytes += Buffer.byteLength(b.bytes);
      if (b.ttl !== null) points.push({ key: hash.copy().digest('hex'), tokens: Math.ceil(bytes / 4), ttl: b.ttl });
    }
    const total = Math.max(1, Math.ceil(bytes / 4));
    const now = this.now();
    let readAt = -1;
    for (let i = points.length - 1; i >= 0; i--) {
      const e = this.entries.get(points[i]!.key);
      if (e && e.expiresAt > now) {
        readAt = i;
        e.expiresAt = now + TTL_MS[e.ttl];
        break;
      }
    }
    const read = readAt >= 0 ? points[readAt]!.tokens : 0;
    let covered = read;
    const written = { '5m': 0, '1h': 0 };
    for (const p of points.slice(readAt + 1)) {
      if (p.tokens < this.minTokens || p.tokens <= covered) continue;
      written[p.ttl] += p.tokens - covered;
      covered = p.tokens;
      this.entries.set(p.key, { expiresAt: now + TTL_MS[p.ttl], ttl: p.ttl });
    }
    return { input: Math.max(0, total - covered), read, write5m: written['5m'], write1h: written['1h'] };
  }
}
