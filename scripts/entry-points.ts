// The package's entry points and the source each is compiled from, derived from package.json's
// `exports` (`./dist/src/index.js` is built from `./src/index.ts`): vitest's aliases and the test
// that keeps tsconfig.json's `paths` in step both use this, so there is one list.
import { readFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

type ExportTarget = string | { readonly import: string };

/** `{ '@weftworks/weft/catalog': '<repo>/catalog/index.ts', … }` for every JavaScript entry point. */
export function entryPointSources(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; exports: Record<string, ExportTarget> };
  const sources: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.import;
    if (!file.endsWith('.js')) continue;
    const source = file.replace(/^\.\/dist\//, '../').replace(/\.js$/, '.ts');
    sources[subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`] = fileURLToPath(new URL(source, import.meta.url));
  }
  return sources;
}
