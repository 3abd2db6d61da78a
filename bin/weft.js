#!/usr/bin/env node
// The `weft` CLI in a checkout, with no build step: tsx compiles the TypeScript sources on load.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
