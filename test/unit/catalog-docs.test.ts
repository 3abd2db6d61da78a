/** Documentation derived from the catalog stays current: the README table and the tier-1 snapshot. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogMarkdown, tierOneText, withCatalogSection } from '../../catalog/docs.js';

describe('catalog documentation', () => {
  it('README.md lists the built-in handlers exactly as the catalog describes them (run npm run docs:catalog)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withCatalogSection(readme), 'README.md is stale: run npm run docs:catalog').toBe(readme);
    expect(readme).toContain(catalogMarkdown());
  });

  it('tier 1 of the whole built-in catalog matches its snapshot', async () => {
    const text = tierOneText();
    await expect(text).toMatchFileSnapshot('./snapshots/catalog-tier1.txt');
    // every handler appears with its one line
    for (const line of catalogMarkdown().split('\n').slice(2)) {
      const name = /`([a-z_]+)`/.exec(line)?.[1];
      expect(text).toContain(name!);
    }
  });
});
