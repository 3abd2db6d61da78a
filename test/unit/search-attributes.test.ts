/**
 * The typed search-attribute keys in src/core/search-attributes.ts against the one list,
 * search-attributes.json, which temporal-dev.sh and the test environments register.
 */
import { readFileSync } from 'node:fs';
import { TypedSearchAttributes } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { SA, searchAttributeDefinitions } from '../../src/core/search-attributes.js';

// Read from disk, not imported: the test checks the file the shell script reads.
const list = JSON.parse(
  readFileSync(new URL('../../src/core/search-attributes.json', import.meta.url), 'utf8'),
) as Record<string, string>;

describe('search attributes', () => {
  it('lists exactly ten Weft* attributes', () => {
    expect(Object.keys(list)).toHaveLength(10);
    for (const name of Object.keys(list)) expect(name).toMatch(/^Weft[A-Z][A-Za-z]*$/);
  });

  it('has a typed key in SA for each listed attribute, with the same name and type, and no other', () => {
    const fromKeys = Object.fromEntries(
      Object.values(SA).map((key) => [key.name, TypedSearchAttributes.toMetadataType(key.type)]),
    );
    expect(fromKeys).toEqual(list);
    expect(Object.keys(SA)).toHaveLength(Object.keys(list).length);
  });

  it('derives searchAttributeDefinitions() from the list', () => {
    const definitions = searchAttributeDefinitions();
    expect(Object.keys(definitions).sort()).toEqual(Object.keys(list).sort());
    for (const key of Object.values(SA)) expect(definitions[key.name]).toBe(key.type);
  });

  it('stays within the dev server SQLite limits per namespace (10 Keyword, 3 of each other type)', () => {
    const counts = new Map<string, number>();
    for (const type of Object.values(list)) counts.set(type, (counts.get(type) ?? 0) + 1);
    for (const [type, count] of counts) expect(count, type).toBeLessThanOrEqual(type === 'Keyword' ? 10 : 3);
  });
});
