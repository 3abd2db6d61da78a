import { describe, expect, it } from 'vitest';
import { locateJsonError } from '../../examples/order-triage/json-error-position.js';

describe('locateJsonError', () => {
  it.each([
    '[]',
    '{}',
    ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}} ',
    '"just a string"',
    '0',
  ])('accepts valid JSON %s', (text) => {
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(locateJsonError(text)).toBeNull();
  });

  it.each([
    ['[1,2,}', 5, 'a value'],
    ['[1 2]', 3, "',' or ']'"],
    ['{"a" 1}', 5, "':'"],
    ['{a: 1}', 1, 'a string'],
    ['{"a": 1,}', 8, 'a string'],
    ['[01]', 2, "',' or ']'"],
    ['"tab\there"', 4, 'a closing quote or a valid escape'],
    ['"bad \\x escape"', 5, 'a closing quote or a valid escape'],
    ['[1] [2]', 4, 'the end of the document'],
    ['', 0, 'a value'],
    ['[1,', 3, 'a value'],
  ])('finds where %j breaks', (text, position, expected) => {
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(locateJsonError(text)).toMatchObject({ position, expected });
  });

  it('reports 1-based lines and columns', () => {
    expect(locateJsonError('[\n  1,\n  oops\n]')).toEqual({ position: 9, line: 3, column: 3, expected: 'a value' });
  });
});
