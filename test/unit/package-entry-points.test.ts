/**
 * The package's public surface: every `exports` entry is built from a source file that exists,
 * tsconfig.json's `paths` (how weft's own repository imports itself by name) map each entry point
 * to that same source, and what the entry points export is what the README's snippets use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entryPointSources } from '../../scripts/entry-points.js';
import { REPO_ROOT } from '../support/paths.js';

const sources = entryPointSources();

describe('entry points', () => {
  it('are the ones DESIGN.md names, each built from an existing source', () => {
    expect(Object.keys(sources).sort()).toEqual(
      ['', '/catalog', '/client', '/planner', '/testing', '/worker', '/workflow'].map((s) => `@weftworks/weft${s}`).sort(),
    );
    for (const file of Object.values(sources)) expect(existsSync(file), file).toBe(true);
  });

  it("match tsconfig.json's paths", () => {
    const { config } = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.json'), (p) => readFileSync(p, 'utf8')) as { config: { compilerOptions: { paths: Record<string, string[]> } } };
    const paths = Object.fromEntries(Object.entries(config.compilerOptions.paths).map(([name, [target]]) => [name, join(REPO_ROOT, target!)]));
    expect(paths).toEqual(sources);
  });

  it('export what a template author, a service and a worker need', async () => {
    const main = await import('@weftworks/weft');
    for (const name of ['defineTemplate', 'staticStep', 'planningStep', 'convergenceStep', 'finalizationStep', 'defineHandler', 'declareErrorModes', 'defineRegistry', 'WeftClient']) {
      expect(main, name).toHaveProperty(name);
    }
    expect(await import('@weftworks/weft/catalog')).toHaveProperty('builtinHandlers');
    expect(await import('@weftworks/weft/planner')).toHaveProperty('scriptedPlanner');
    expect(await import('@weftworks/weft/worker')).toHaveProperty('createWeftWorker');
    expect(await import('@weftworks/weft/workflow')).toHaveProperty('weftTask');
    expect(await import('@weftworks/weft/testing')).toHaveProperty('WeftTestEnv');
  });
});
