/**
 * The capability schema: tiers are projections of the manifest (plus a derived input example at
 * tier 3), selection by category, name and relevance is deterministic, and the text is compact.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { capabilityView as cliCapabilityView } from '../../src/cli/catalog-view.js';
import {
  capabilityView,
  inputExample,
  promptSchema,
  relevanceScores,
  renderCapabilities,
  renderCapability,
  selectCapabilities,
  termsOf,
  tierOf,
} from '../../src/planner/capabilities.js';
import { largeCatalog } from '../support/large-catalog.js';

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
const catalog = largeCatalog();
const byName = new Map(catalog.map((e) => [e.name, e]));
const entry = (name: string) => byName.get(name) ?? expect.unreachable(`no handler ${name}`);

describe('the large catalog (test support)', () => {
  it('has 200+ handlers derived from zod, in several categories, with unique names', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(200);
    expect(new Set(catalog.map((e) => e.name)).size).toBe(catalog.length);
    expect(new Set(catalog.map((e) => e.category))).toEqual(new Set(['data', 'api', 'control', 'io', 'llm']));
    expect(entry('fetch_orders').inputSchema).toMatchObject({ type: 'object', properties: { base_url: { format: 'uri' } } });
  });
});

describe('capabilityView', () => {
  const validate = entry('validate');

  it('tier 1 is name, category and the one line', () => {
    expect(capabilityView(validate, 1)).toEqual({ name: 'validate', category: 'data', description: validate.description });
  });

  it('tier 2 adds the input and output JSON Schemas of the manifest', () => {
    expect(capabilityView(validate, 2)).toEqual({ ...capabilityView(validate, 1), inputSchema: validate.inputSchema, outputSchema: validate.outputSchema });
  });

  it('tier 3 is the whole manifest entry plus the input example derived from its schema', () => {
    expect(capabilityView(validate, 3)).toEqual({ ...validate, inputExample: { data: [], schema: {} } });
    expect(capabilityView(validate, 3, { example: false })).toEqual(validate);
    expect([1, 2, 3].map((t) => tierOf(capabilityView(validate, t as 1 | 2 | 3)))).toEqual([1, 2, 3]);
  });

  it('is the one derivation: weft catalog shows the same view, without the example', () => {
    for (const t of [1, 2, 3] as const) expect(cliCapabilityView(validate, t)).toEqual(capabilityView(validate, t, { example: false }));
  });
});

describe('inputExample', () => {
  it('is valid against the input schema of every handler in the large catalog', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const e of catalog) {
      const check = ajv.compile(e.inputSchema as object);
      const example = inputExample(e.inputSchema);
      expect(check(example), `${e.name}: ${JSON.stringify(example)} ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });

  it('fills required properties only, by const, enum, format, type and bounds', () => {
    const schema = {
      type: 'object',
      required: ['kind', 'mode', 'when', 'n', 'x', 'tags', 'name', 'maybe'],
      properties: {
        kind: { type: 'string', const: 'count' },
        mode: { type: 'string', enum: ['fail', 'flag'] },
        when: { type: 'string', format: 'date-time' },
        n: { type: 'integer', minimum: 3, maximum: 9 },
        x: { type: 'number', exclusiveMinimum: 0 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
        name: { type: 'string', minLength: 12 },
        maybe: { type: ['string', 'null'] },
        optional: { type: 'string' },
      },
    };
    expect(inputExample(schema)).toEqual({ kind: 'count', mode: 'fail', when: '2024-01-31T12:00:00Z', n: 3, x: 0.5, tags: ['<tags>'], name: '<name>______', maybe: '<maybe>' });
  });

  it('follows $ref and stops on recursive schemas', () => {
    const recursive = { $ref: '#/$defs/node', $defs: { node: { type: 'object', required: ['child'], properties: { child: { $ref: '#/$defs/node' } } } } };
    expect(JSON.stringify(inputExample(recursive))).toMatch(/null/);
  });
});

describe('selectCapabilities', () => {
  it('filters by category and by name, keeping catalog order', () => {
    const control = selectCapabilities(catalog, { categories: ['control'] });
    expect(control.map((e) => e.name)).toEqual(catalog.filter((e) => e.category === 'control').map((e) => e.name));
    expect(selectCapabilities(catalog, { names: ['gate', 'validate', 'no_such_handler'] }).map((e) => e.name)).toEqual(['validate', 'gate']);
    expect(selectCapabilities(catalog, { categories: ['io'], names: ['validate'] })).toEqual([]);
  });

  it('orders by relevance to the problem: name matches first, the category\'s primitives next', () => {
    const ranked = selectCapabilities(catalog, { relevantTo: 'Validate the orders against a schema' }).map((e) => e.name);
    expect(ranked.slice(0, 3)).toEqual(['validate', 'transform', 'aggregate']);
    expect(ranked.indexOf('dedupe_orders')).toBeLessThan(ranked.indexOf('dedupe_customers'));
    expect(ranked.indexOf('fetch_orders')).toBeLessThan(ranked.indexOf('fetch_customers'));
    const api = selectCapabilities(catalog, { relevantTo: 'Fetch the customers from the CRM REST API' }).map((e) => e.name);
    expect(api[0]).toBe('fetch_customers');
  });

  it('keeps every entry and is deterministic (ties keep catalog order)', () => {
    const a = selectCapabilities(catalog, { relevantTo: 'summarize support tickets' });
    expect(a).toHaveLength(catalog.length);
    expect(selectCapabilities([...catalog], { relevantTo: 'summarize support tickets' })).toEqual(a);
    const scores = relevanceScores(catalog, 'summarize support tickets');
    const zero = a.filter((e) => scores.get(e.name) === 0).map((e) => e.name);
    expect(zero).toEqual(catalog.filter((e) => scores.get(e.name) === 0).map((e) => e.name));
  });

  it('terms are stemmed words without stop words', () => {
    expect([...termsOf('Validating the orders against a JSON schema')]).toEqual(['validat', 'order', 'json', 'schema']);
    expect(termsOf('validate')).toEqual(termsOf('validation'));
  });
});

describe('renderCapabilities', () => {
  it('tier 1 is one line per handler: name, category, description', () => {
    const text = renderCapabilities(catalog.map((e) => capabilityView(e, 1)));
    expect(text.split('\n')).toEqual(catalog.map((e) => `- ${e.name} [${e.category}]: ${e.description}`));
  });

  it('tier 2 adds compact schemas; tier 3 the mutating flag, cost, error modes and the example', () => {
    const e = entry('sync_orders_to_crm');
    const t2 = renderCapability(capabilityView(e, 2));
    expect(t2).toContain(`  input schema: ${promptSchema(e.inputSchema)}`);
    expect(t2).not.toContain('mutating');
    const t3 = renderCapability(capabilityView(e, 3));
    expect(t3).toContain('mutating: yes');
    expect(t3).toContain('UPSTREAM_UNAVAILABLE (retryable)');
    expect(t3).toContain(`example input: ${JSON.stringify(inputExample(e.inputSchema))}`);
  });

  it('prompt schemas drop zod\'s safe-integer bounds and format regexes, nothing else', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }, m: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, at: { type: 'string', format: 'date-time', pattern: '^x$' }, p: { type: 'string', pattern: '^[a-z]+$' } } };
    expect(JSON.parse(promptSchema(schema))).toEqual({ type: 'object', properties: { n: { type: 'integer' }, m: { type: 'integer', minimum: 1 }, at: { type: 'string', format: 'date-time' }, p: { type: 'string', pattern: '^[a-z]+$' } } });
  });
});
