/**
 * `weft bundle <file>`: bundles weft's workflow code once, at build time, so that production
 * workers start without bundling (`weft worker --workflow-bundle <file>`, or
 * `createWeftWorker({ workflowBundle: { codePath } })`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { defineCommand } from '../command.js';

/** `weft bundle`. */
export const bundleCommand = defineCommand({
  name: 'bundle',
  summary: "Bundle weft's workflow code into a file that workers load instead of bundling at start.",
  description: 'Use it in your build: `weft bundle dist/weft-workflows.js`, then `weft worker --workflow-bundle dist/weft-workflows.js`.',
  positionals: [{ name: 'file', description: 'where to write the bundle (JavaScript)' }],
  options: {},
  async run({ positionals }, ctx) {
    const { bundleWeftWorkflows } = await import('../../worker.js');
    const path = resolve(ctx.cwd, positionals.file);
    const started = Date.now();
    const { code } = await bundleWeftWorkflows();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, code);
    ctx.out(`weft bundle: wrote ${path} (${Math.round(code.length / 1024)} KiB in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return 0;
  },
});
