/**
 * Where weft's own files are, the same from a checkout (TypeScript sources run through tsx) and
 * from an installed package (compiled JavaScript under `dist/`): the package root is the nearest
 * folder above this module whose `package.json` is weft's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** weft's package name, as `package.json` and the `exports` map spell it. */
export const PACKAGE_NAME = '@weftworks/weft';

let root: string | undefined;

/** The folder holding weft's `package.json`. */
export function packageRoot(): string {
  root ??= findRoot(dirname(fileURLToPath(import.meta.url)));
  return root;
}

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`weft's package.json (name ${PACKAGE_NAME}) was not found above ${start}; reinstall ${PACKAGE_NAME}.`);
  }
}

/** weft's version, from its `package.json`. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '?';
}

/** True in a checkout of weft's repository (its TypeScript sources are there), false in an installed package. */
export function isCheckout(): boolean {
  return existsSync(join(packageRoot(), 'src', 'index.ts'));
}

/**
 * The file of one of weft's entry points (`workflow` for `@weftworks/weft/workflow`): resolved
 * through the package's `exports` map when installed, as a user's bundler would; in a checkout,
 * the TypeScript source `source` (a path from the repository's root, without extension).
 */
export function entryPointFile(entry: string, source: string): string {
  if (isCheckout()) return join(packageRoot(), `${source}.ts`);
  return fileURLToPath(import.meta.resolve(`${PACKAGE_NAME}/${entry}`));
}
