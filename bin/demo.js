#!/usr/bin/env node
// `npm run demo`: installs what is missing (npm ci), then runs src/cli/demo.ts through tsx:
// dev server, in-process worker, the order-triage example with live progress, the Web UI link.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const installed = ['tsx', '@temporalio/worker'].every((name) => existsSync(new URL(`../node_modules/${name}/package.json`, import.meta.url)));
if (!installed) {
  process.stdout.write('weft demo: installing dependencies (npm ci)\n');
  const npm = spawnSync('npm', ['ci'], { cwd: root, stdio: 'inherit' });
  if (npm.status !== 0) {
    process.stderr.write(`weft demo: npm ci failed (exit ${npm.status ?? npm.signal}); fix what it says above, then run npm run demo again.\n`);
    process.exit(1);
  }
}
// Imported only now: before `npm ci`, tsx is not there.
const { register } = await import('tsx/esm/api');
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { runDemo } = await import('../src/cli/demo.ts');
process.exitCode = await runDemo();
