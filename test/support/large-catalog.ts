/**
 * A large, realistic handler catalog for prompt-size tests and the prompt-size bench: the
 * built-in handlers plus 200 application handlers (20 operations × 10 business records), each
 * defined with zod through `defineHandler` and derived with `manifestEntry` — the same path real
 * handlers take. Deterministic: no randomness, so sizes compare across runs.
 */
import { z } from 'zod';
import { builtinHandlers } from '../../catalog/index.js';
import { gate } from '../../catalog/gate.js';
import type { ErrorMode, HandlerManifestEntry } from '../../src/core/manifest.js';
import { defineHandler, manifestEntry, type AnyHandler } from '../../src/handler.js';

const id = z.string().min(1).describe('Stable identifier.');
const money = z.number().nonnegative().describe('Amount in the currency unit.');
const currency = z.enum(['EUR', 'USD', 'GBP', 'JPY']).describe('ISO 4217 code.');
const country = z.string().length(2).describe('ISO 3166-1 alpha-2 code.');
const when = z.iso.datetime().describe('RFC 3339 timestamp.');

/** The records the application handlers work on, each a realistic zod object. */
const RECORDS = {
  orders: z.object({ id, customer_id: id, total: money, currency, country, status: z.enum(['new', 'paid', 'shipped', 'cancelled']), created_at: when, items: z.array(z.object({ sku: id, qty: z.number().int().min(1), price: money })) }),
  customers: z.object({ id, email: z.email(), name: z.string(), country, segment: z.enum(['consumer', 'smb', 'enterprise']), created_at: when }),
  invoices: z.object({ id, order_id: id, amount: money, currency, due_on: z.iso.date(), paid: z.boolean(), lines: z.array(z.object({ description: z.string(), amount: money })) }),
  shipments: z.object({ id, order_id: id, carrier: z.enum(['dhl', 'ups', 'fedex', 'postal']), tracking: z.string(), shipped_at: when, delivered_at: when.nullable() }),
  products: z.object({ sku: id, title: z.string(), price: money, currency, stock: z.number().int().min(0), tags: z.array(z.string()) }),
  payments: z.object({ id, invoice_id: id, amount: money, currency, method: z.enum(['card', 'sepa', 'wire']), captured_at: when, risk_score: z.number().min(0).max(1) }),
  tickets: z.object({ id, customer_id: id, subject: z.string(), body: z.string(), priority: z.enum(['low', 'normal', 'high', 'urgent']), opened_at: when }),
  events: z.object({ id, type: z.string(), source: z.string(), at: when, payload: z.record(z.string(), z.json()) }),
  users: z.object({ id, email: z.email(), roles: z.array(z.enum(['viewer', 'editor', 'admin'])), active: z.boolean(), last_login: when.nullable() }),
  subscriptions: z.object({ id, customer_id: id, plan: z.enum(['free', 'pro', 'team']), renews_on: z.iso.date(), seats: z.number().int().min(1), mrr: money }),
} as const;

type RecordName = keyof typeof RECORDS;

interface Operation {
  readonly name: (r: string) => string;
  readonly category: string;
  readonly description: (r: string) => string;
  readonly input: (row: z.ZodObject) => z.ZodType;
  readonly output: (row: z.ZodObject) => z.ZodType;
  readonly mutating?: boolean;
  readonly costUsd?: number;
  readonly errors?: readonly ErrorMode[];
}

const rows = (row: z.ZodObject) => z.array(row).describe('The records, one object each.');
const rowsOut = (row: z.ZodObject) => z.object({ rows: z.array(row), count: z.number().int().min(0) });
const api = (r: string) => ({ base_url: z.url().describe(`Base URL of the ${r} API.`), token_secret: z.string().describe('Name of the secret holding the API token.') });
const upstream: readonly ErrorMode[] = [
  { code: 'UPSTREAM_UNAVAILABLE', retryable: true, description: 'The remote service answered 5xx or timed out.' },
  { code: 'UPSTREAM_REJECTED', retryable: false, description: 'The remote service answered 4xx; the request needs fixing.' },
];
const llmErrors: readonly ErrorMode[] = [{ code: 'LLM_UNAVAILABLE', retryable: true, description: 'The model provider is rate limiting or down.' }];

/** Twenty operations, as a data team would write them for each record type. */
const OPERATIONS: readonly Operation[] = [
  { name: (r) => `dedupe_${r}`, category: 'data', description: (r) => `Removes duplicate ${r} by key, keeping the most recent.`, input: (row) => z.object({ rows: rows(row), key: z.string().default('id') }), output: rowsOut },
  { name: (r) => `normalize_${r}`, category: 'data', description: (r) => `Trims text and canonicalizes codes and casing in ${r}.`, input: (row) => z.object({ rows: rows(row), lowercase_emails: z.boolean().default(true) }), output: rowsOut },
  { name: (r) => `enrich_${r}`, category: 'data', description: (r) => `Joins ${r} with a reference table by a key field.`, input: (row) => z.object({ rows: rows(row), reference: z.array(z.record(z.string(), z.json())), on: z.string() }), output: rowsOut },
  { name: (r) => `flatten_${r}`, category: 'data', description: (r) => `Flattens nested fields of ${r} into dotted columns.`, input: (row) => z.object({ rows: rows(row), separator: z.string().max(3).default('.') }), output: () => z.object({ rows: z.array(z.record(z.string(), z.json())), columns: z.array(z.string()) }) },
  { name: (r) => `pivot_${r}`, category: 'data', description: (r) => `Pivots ${r} into a table of one row per group and one column per value.`, input: (row) => z.object({ rows: rows(row), group_by: z.string(), column: z.string(), value: z.string() }), output: () => z.object({ table: z.array(z.record(z.string(), z.json())) }) },
  { name: (r) => `sample_${r}`, category: 'data', description: (r) => `Takes a deterministic sample of ${r} for review.`, input: (row) => z.object({ rows: rows(row), size: z.number().int().min(1).max(1000), seed: z.number().int().default(1) }), output: rowsOut },
  { name: (r) => `sort_${r}`, category: 'data', description: (r) => `Sorts ${r} by one or more fields.`, input: (row) => z.object({ rows: rows(row), by: z.array(z.object({ field: z.string(), order: z.enum(['asc', 'desc']) })).min(1) }), output: rowsOut },
  { name: (r) => `parse_${r}_csv`, category: 'data', description: (r) => `Parses CSV text into ${r} records with typed columns.`, input: () => z.object({ csv: z.string(), delimiter: z.enum([',', ';', '\t']).default(','), header: z.boolean().default(true) }), output: rowsOut },
  { name: (r) => `diff_${r}`, category: 'data', description: (r) => `Compares two snapshots of ${r}: added, removed and changed records.`, input: (row) => z.object({ before: rows(row), after: rows(row), key: z.string().default('id') }), output: (row) => z.object({ added: z.array(row), removed: z.array(row), changed: z.array(z.object({ key: z.string(), fields: z.array(z.string()) })) }) },
  { name: (r) => `fetch_${r}`, category: 'api', description: (r) => `Fetches ${r} from the ${r} service REST API, page by page.`, input: (_row) => z.object({ ...api('records'), since: when.optional(), limit: z.number().int().min(1).max(10_000).default(1000) }), output: rowsOut, errors: upstream },
  { name: (r) => `lookup_${r}_status`, category: 'api', description: (r) => `Looks up the live status of ${r} by id in the system of record.`, input: () => z.object({ ...api('status'), ids: z.array(z.string()).min(1).max(500) }), output: () => z.object({ statuses: z.record(z.string(), z.string()) }), errors: upstream },
  { name: (r) => `sync_${r}_to_crm`, category: 'api', description: (r) => `Upserts ${r} into the CRM over its HTTP API.`, input: (row) => z.object({ ...api('CRM'), rows: rows(row), dry_run: z.boolean().default(false) }), output: () => z.object({ created: z.number().int(), updated: z.number().int(), failed: z.array(z.string()) }), mutating: true, errors: upstream },
  { name: (r) => `route_${r}`, category: 'control', description: (r) => `Routes each of the ${r} to a queue by ordered rules.`, input: (row) => z.object({ rows: rows(row), rules: z.array(z.object({ when: z.string().describe('JSONata condition.'), queue: z.string() })).min(1), default_queue: z.string() }), output: () => z.object({ queues: z.record(z.string(), z.array(z.json())) }) },
  { name: (r) => `request_${r}_approval`, category: 'control', description: (r) => `Asks a human to approve a batch of ${r} before anything is changed.`, input: (row) => z.object({ rows: rows(row), approvers: z.array(z.email()).min(1), timeout_hours: z.number().int().min(1).max(168).default(24) }), output: () => z.object({ approved: z.boolean(), by: z.string().nullable() }) },
  { name: (r) => `export_${r}_csv`, category: 'io', description: (r) => `Writes ${r} as a CSV file to the export bucket.`, input: (row) => z.object({ rows: rows(row), path: z.string().min(1), columns: z.array(z.string()).optional() }), output: () => z.object({ uri: z.string(), bytes: z.number().int() }), mutating: true },
  { name: (r) => `archive_${r}`, category: 'io', description: (r) => `Moves ${r} older than a cutoff to cold storage.`, input: () => z.object({ before: z.iso.date(), bucket: z.string(), delete_source: z.boolean().default(false) }), output: () => z.object({ archived: z.number().int(), uri: z.string() }), mutating: true },
  { name: (r) => `notify_${r}_owner`, category: 'io', description: (r) => `Emails the owner of each of the ${r} a templated message.`, input: (row) => z.object({ rows: rows(row), template: z.string(), subject: z.string().max(200) }), output: () => z.object({ sent: z.number().int(), bounced: z.array(z.email()) }), mutating: true, errors: upstream },
  { name: (r) => `summarize_${r}`, category: 'llm', description: (r) => `Writes a short natural-language summary of ${r} with an LLM.`, input: (row) => z.object({ rows: rows(row), focus: z.string().optional(), max_words: z.number().int().min(20).max(500).default(150) }), output: () => z.object({ summary: z.string() }), costUsd: 0.004, errors: llmErrors },
  { name: (r) => `classify_${r}`, category: 'llm', description: (r) => `Labels each of the ${r} with one of the given classes using an LLM.`, input: (row) => z.object({ rows: rows(row), classes: z.array(z.string()).min(2), instructions: z.string().optional() }), output: () => z.object({ labels: z.array(z.object({ index: z.number().int(), label: z.string(), confidence: z.number().min(0).max(1) })) }), costUsd: 0.002, errors: llmErrors },
  { name: (r) => `extract_${r}_entities`, category: 'llm', description: (r) => `Extracts people, companies and amounts mentioned in free text fields of ${r}.`, input: (row) => z.object({ rows: rows(row), fields: z.array(z.string()).min(1) }), output: () => z.object({ entities: z.array(z.object({ index: z.number().int(), kind: z.enum(['person', 'company', 'amount']), text: z.string() })) }), costUsd: 0.003, errors: llmErrors },
];

/** The 200 application handlers (every operation for every record), as handlers. */
export function largeCatalogHandlers(): AnyHandler[] {
  const out: AnyHandler[] = [];
  for (const record of Object.keys(RECORDS) as RecordName[]) {
    const row = RECORDS[record];
    for (const op of OPERATIONS) {
      out.push(
        defineHandler({
          name: op.name(record),
          description: op.description(record),
          category: op.category,
          mutating: op.mutating ?? false,
          input: op.input(row),
          output: op.output(row),
          errorModes: op.errors ?? [],
          estimatedCostUsd: op.costUsd ?? 0,
          run: () => Promise.reject(new Error('large-catalog handlers are for prompt sizing; they do not run')),
        }),
      );
    }
  }
  return out;
}

/** The built-in handlers (transform, validate, aggregate, decide, gate) followed by the 200 application handlers, as manifest entries. */
export function largeCatalog(): HandlerManifestEntry[] {
  return [...builtinHandlers, gate, ...largeCatalogHandlers()].map(manifestEntry);
}
