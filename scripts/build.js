#!/usr/bin/env node
// `npm run build` (and `npm pack`, through prepack): compiles the package into dist/ from scratch,
// so a file deleted from the sources never lingers in a tarball; then bundles the workflow code
// into dist/workflow-bundle.js (src/prebuilt-bundle.ts), so that workers do not bundle at start.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// The workflow bundle a worker of the installed package loads instead of bundling at start.
const started = Date.now();
const { writePrebuiltBundle } = await import(new URL('../dist/src/prebuilt-bundle.js', import.meta.url).href);
const manifest = await writePrebuiltBundle(fileURLToPath(new URL('../dist', import.meta.url)));
process.stdout.write(`build: dist/workflow-bundle.js (${Math.round(manifest.bytes / 1024)} KiB, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
