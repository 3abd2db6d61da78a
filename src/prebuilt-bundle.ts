/**
 * The workflow bundle built with the package: `npm run build` (and so `npm pack`) writes
 * `dist/workflow-bundle.js` next to the compiled code, and a worker of an installed weft loads it
 * instead of bundling at start (6–17 s). A stale bundle is never used silently: the build records
 * a hash of the compiled code it bundled (every `.js` under `dist/`) and weft's version, and the
 * worker recomputes the hash at start (a few milliseconds); on a mismatch it says so and bundles.
 * In a checkout of weft's repository the sources change under the worker: it always bundles them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isCheckout, packageRoot, packageVersion } from './package-root.js';

/** The bundle's file under `dist/`. */
export const PREBUILT_BUNDLE_FILE = 'workflow-bundle.js';
/** What the bundle was built from, next to it. */
export const PREBUILT_BUNDLE_MANIFEST = 'workflow-bundle.json';

/** The manifest written beside the bundle. */
export interface PrebuiltBundleManifest {
  readonly version: string;
  /** sha256 of the compiled code (`dist/**\/*.js`, the bundle excluded) the bundle was made from. */
  readonly sourcesHash: string;
  readonly bytes: number;
}

/** Whether a worker can load the prebuilt bundle: its path, or why not. */
export type PrebuiltBundleStatus = { readonly codePath: string } | { readonly codePath?: undefined; readonly reason: string; readonly stale: boolean };

function jsFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) jsFiles(path, out);
    else if (e.name.endsWith('.js') && e.name !== PREBUILT_BUNDLE_FILE) out.push(path);
  }
  return out;
}

/** The hash of the compiled code under `distDir`: relative paths and contents, in path order. */
export function compiledCodeHash(distDir: string): string {
  const hash = createHash('sha256');
  for (const file of jsFiles(distDir).sort()) {
    hash.update(relative(distDir, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Writes the bundle and its manifest into `distDir` (the build does, after compiling). */
export async function writePrebuiltBundle(distDir: string): Promise<PrebuiltBundleManifest> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { bundlerOptions, quietBundlerLogger } = await import('./bundler.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: join(distDir, 'workflows', 'index.js'), ...bundlerOptions, logger: quietBundlerLogger });
  const manifest: PrebuiltBundleManifest = { version: packageVersion(), sourcesHash: compiledCodeHash(distDir), bytes: Buffer.byteLength(code) };
  writeFileSync(join(distDir, PREBUILT_BUNDLE_FILE), code);
  writeFileSync(join(distDir, PREBUILT_BUNDLE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Whether the prebuilt bundle of an installed weft can be used, checking it against the code. */
export function prebuiltBundleStatus(distDir = join(packageRoot(), 'dist')): PrebuiltBundleStatus {
  if (isCheckout()) return { reason: "weft's repository: the workflow sources are bundled at start", stale: false };
  return checkPrebuiltBundle(distDir, packageVersion());
}

/** Checks the bundle in `distDir` against the code beside it and weft's `version`. */
export function checkPrebuiltBundle(distDir: string, version: string): PrebuiltBundleStatus {
  const codePath = join(distDir, PREBUILT_BUNDLE_FILE);
  const manifestPath = join(distDir, PREBUILT_BUNDLE_MANIFEST);
  if (!existsSync(codePath) || !existsSync(manifestPath)) return { reason: `no prebuilt workflow bundle at ${codePath}`, stale: false };
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PrebuiltBundleManifest;
  if (manifest.version !== version) return { reason: `the prebuilt workflow bundle is of weft ${manifest.version}, this is weft ${version}`, stale: true };
  if (manifest.sourcesHash !== compiledCodeHash(distDir)) return { reason: `the prebuilt workflow bundle ${codePath} was built from other code than ${distDir} holds now`, stale: true };
  return { codePath };
}
