/**
 * `weft catalog` and `weft templates`: their output is derived from the registry's manifest and
 * compiled templates, tier by tier, never written by hand.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { capabilityView } from '../../src/cli/catalog-view.js';
import type { CliContext } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/main.js';
import { manifestOf } from '../../src/handler.js';
import { compileAll } from '../../src/worker.js';
import { registry } from '../../examples/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const manifest = manifestOf(registry.handlers);

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env: {},
    cwd: ROOT,
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    connect: () => Promise.reject(new Error('catalog and templates must not connect')),
  };
  const code = await runCli(argv, ctx);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('weft catalog --json', () => {
  it('tier 1 is name, category and description of every handler in the manifest', async () => {
    const r = await cli(['catalog', '--json']);
    expect(r.code).toBe(0);
    const views = JSON.parse(r.out) as Record<string, unknown>[];
    expect(views.map((v) => v['name'])).toEqual(Object.keys(manifest));
    expect(views).toEqual(Object.values(manifest).map((e) => ({ name: e.name, category: e.category, description: e.description })));
  });

  it('tier 2 adds the input and output JSON Schemas from the manifest', async () => {
    const views = JSON.parse((await cli(['catalog', '--tier', '2', '--json'])).out) as Record<string, unknown>[];
    for (const v of views) {
      const entry = manifest[v['name'] as string]!;
      expect(v).toEqual({ name: entry.name, category: entry.category, description: entry.description, inputSchema: entry.inputSchema, outputSchema: entry.outputSchema });
    }
  });

  it('tier 3 adds error modes, the mutating flag and the cost', async () => {
    const views = JSON.parse((await cli(['catalog', '--tier', '3', '--json'])).out) as Record<string, unknown>[];
    expect(views).toEqual(Object.values(manifest).map((e) => ({ ...e })));
    expect(views.find((v) => v['name'] === 'write_report')?.['mutating']).toBe(true);
    expect(views.find((v) => v['name'] === 'validate')?.['errorModes']).toEqual(manifest['validate']!.errorModes);
  });

  it('filters by category, and names the categories for an unknown one (exit 2)', async () => {
    const views = JSON.parse((await cli(['catalog', '--category', 'control', '--json'])).out) as { name: string }[];
    expect(views.map((v) => v.name).sort()).toEqual(Object.values(manifest).filter((e) => e.category === 'control').map((e) => e.name).sort());
    const bad = await cli(['catalog', '--category', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("no handler has category 'nope': use one of api, control, data, io");
  });

  it('the view of a tier is a projection of the manifest entry', () => {
    const entry = manifest['transform']!;
    expect(capabilityView(entry, 1)).toEqual({ name: 'transform', category: entry.category, description: entry.description });
    expect(capabilityView(entry, 3)).toEqual(entry);
  });

  it('prints the same through bin/weft.js', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/weft.js', 'catalog', '--json'], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual(Object.values(manifest).map((e) => ({ name: e.name, category: e.category, description: e.description })));
  });
});

describe('weft catalog and templates as text', () => {
  it('catalog tier 1 prints one row per handler with its description', async () => {
    const r = await cli(['catalog']);
    const rows = r.out.split('\n');
    expect(rows[0]).toMatch(/^handler\s+category\s+description$/);
    for (const e of Object.values(manifest)) expect(rows.some((row) => row.startsWith(e.name) && row.endsWith(e.description))).toBe(true);
  });

  it('templates prints name, version, hash prefix and the frame in order', async () => {
    const [plan] = compileAll(registry.templates, registry.handlers);
    const r = await cli(['templates']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${plan!.name}\\s+${plan!.version.replace(/\./g, '\\.')}\\s+${plan!.hash.slice(0, 12)}\\s+load_orders`, 'm'));
    expect(r.out).toContain('load_orders → plan_processing (planning) → summarize_results (convergence) → publish_report (finalization)');
    const json = JSON.parse((await cli(['templates', '--json'])).out) as { name: string; hash: string }[];
    expect(json).toEqual([expect.objectContaining({ name: plan!.name, hash: plan!.hash })]);
  });
});
