/**
 * Regenerates README.md's table of built-in handlers from the catalog:
 *
 *   npm run docs:catalog
 *
 * test/unit/catalog-docs.test.ts fails while the README is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { withCatalogSection } from '../catalog/docs.js';

const path = new URL('../README.md', import.meta.url);
const before = await readFile(path, 'utf8');
const after = withCatalogSection(before);
if (after === before) console.log('README.md: the catalog section is current.');
else {
  await writeFile(path, after);
  console.log('README.md: the catalog section was regenerated.');
}
