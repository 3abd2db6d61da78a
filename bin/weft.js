#!/usr/bin/env node
// The `weft` CLI. Installed, it runs the compiled JavaScript under dist/ on plain Node; in a
// checkout of weft's repository (no build step), tsx compiles the TypeScript sources on load.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  // The repository's tsconfig, wherever the command runs from: its paths map @weftworks/weft to the sources.
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  // src/registry.ts registers tsx for a TypeScript registry only where nobody has yet.
  globalThis[Symbol.for('weft.tsx-registered')] = true;
  main = await import(source.href);
} else {
  main = await import('../dist/src/cli/main.js');
}
process.exitCode = await main.runCli(process.argv.slice(2));
