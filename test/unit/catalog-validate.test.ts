import { describe, expect, it } from 'vitest';
import { MAX_REPORTED_ERRORS, validate, validateData } from '../../catalog/validate.js';
import { expectHandlerFailure, runHandler } from '../support/handler-context.js';

const rowSchema = {
  type: 'object',
  required: ['id', 'qty'],
  properties: {
    id: { type: 'string' },
    qty: { type: 'integer', minimum: 1 },
    email: { type: 'string', format: 'email' },
  },
  additionalProperties: false,
};
const rows = [
  { id: 'a', qty: 1 },
  { id: 'b', qty: 0 },
  { id: 'c', qty: 2, email: 'c@example.com' },
  { qty: 3, email: 'not-an-email' },
  'not a row',
];

describe('validate', () => {
  it("'filter' keeps the valid rows in order and reports the errors", async () => {
    const out = await runHandler(validate, { data: rows, schema: rowSchema, on_invalid: 'filter' });
    expect(out.valid).toEqual([rows[0], rows[2]]);
    expect(out.valid_count).toBe(2);
    expect(out.invalid_count).toBe(3);
    expect(out.flagged).toEqual([]);
    expect(out.errors_truncated).toBe(false);
    expect(out.errors).toEqual([
      { index: 1, path: '/qty', message: 'must be >= 1' },
      { index: 3, path: '', message: "must have required property 'id'" },
      { index: 3, path: '/email', message: 'must match format "email"' },
      { index: 4, path: '', message: 'must be object' },
    ]);
  });

  it("'flag' keeps valid rows in `valid` and returns invalid ones marked with _index and _invalid", async () => {
    const out = await runHandler(validate, { data: rows, schema: rowSchema, on_invalid: 'flag' });
    expect(out.valid).toEqual([rows[0], rows[2]]);
    expect(out.flagged).toEqual([
      { id: 'b', qty: 0, _index: 1, _invalid: '/qty: must be >= 1' },
      { qty: 3, email: 'not-an-email', _index: 3, _invalid: "(root): must have required property 'id'; /email: must match format \"email\"" },
      { _value: 'not a row', _index: 4, _invalid: '(root): must be object' },
    ]);
  });

  it("'fail' (the default) returns every row when all are valid", async () => {
    const good = [rows[0], rows[2]];
    const out = await runHandler(validate, { data: good, schema: rowSchema });
    expect(out).toEqual({ valid: good, valid_count: 2, invalid_count: 0, errors: [], errors_truncated: false, flagged: [] });
  });

  it("'fail' fails naming the first errors and what to do", async () => {
    const failure = await expectHandlerFailure(validate, { data: rows, schema: rowSchema }, 'VALIDATION_FAILED');
    expect(failure.message).toContain('3 of 5 rows do not match the schema');
    expect(failure.message).toContain('row 1 at /qty: must be >= 1');
    expect(failure.message).toContain("on_invalid to 'filter'");
    expect(failure.details).toEqual([expect.objectContaining({ invalid_count: 3, valid_count: 2 })]);
  });

  it('validates an object as a whole: valid is the object, or null', async () => {
    const schema = { type: 'object', required: ['name'] };
    await expect(runHandler(validate, { data: { name: 'x' }, schema })).resolves.toMatchObject({ valid: { name: 'x' }, valid_count: 1 });
    const out = await runHandler(validate, { data: { other: 1 }, schema, on_invalid: 'flag' });
    expect(out.valid).toBeNull();
    expect(out.errors).toEqual([{ index: null, path: '', message: "must have required property 'name'" }]);
    expect(out.flagged).toEqual([{ other: 1, _index: null, _invalid: "(root): must have required property 'name'" }]);
    const failure = await expectHandlerFailure(validate, { data: { other: 1 }, schema }, 'VALIDATION_FAILED');
    expect(failure.message).toContain('The object does not match');
  });

  it(`reports at most ${MAX_REPORTED_ERRORS} errors and says when it cut`, () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ id: i }));
    const out = validateData({ data: many, schema: rowSchema, on_invalid: 'filter' });
    expect(out.invalid_count).toBe(150);
    expect(out.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(out.errors_truncated).toBe(true);
  });

  it('checks the supported formats', () => {
    const schema = { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, day: { type: 'string', format: 'date' } } };
    const data = [
      { at: '2025-03-01T10:00:00Z', day: '2024-02-29' },
      { at: '2025-03-01 10:00', day: '2025-01-01' },
      { at: '2025-03-01T10:00:00+01:00', day: '2025-02-29' },
    ];
    const out = validateData({ data, schema, on_invalid: 'filter' });
    expect(out.errors.map((e) => [e.index, e.path])).toEqual([
      [1, '/at'],
      [2, '/day'],
    ]);
  });

  it('keeps schemas apart even when they share an $id', () => {
    const a = { $id: 'https://example.com/row', type: 'object', required: ['a'] };
    const b = { $id: 'https://example.com/row', type: 'object', required: ['b'] };
    expect(validateData({ data: [{ a: 1 }], schema: a, on_invalid: 'filter' }).valid_count).toBe(1);
    expect(validateData({ data: [{ a: 1 }], schema: b, on_invalid: 'filter' }).valid_count).toBe(0);
    expect(validateData({ data: [{ a: 1 }], schema: a, on_invalid: 'filter' }).valid_count).toBe(1);
  });

  it.each([
    ['an unknown type', { type: 'objekt' }, 'data/type must be equal to one of the allowed values'],
    ['a misspelled keyword', { type: 'object', require: ['id'] }, 'unknown keyword: "require"'],
    ['an unsupported format', { type: 'string', format: 'credit-card' }, 'unknown format "credit-card"'],
    ['a remote $ref', { $ref: 'https://example.com/schema.json' }, "can't resolve reference"],
  ])('rejects a schema with %s', async (_, schema, reason) => {
    const failure = await expectHandlerFailure(validate, { data: [], schema }, 'VALIDATE_SCHEMA_INVALID');
    expect(failure.message).toContain(reason);
    expect(failure.message).toContain('supported formats: date-time, date, time, email, uri, uuid, ipv4');
  });
});
