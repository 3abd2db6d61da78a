/**
 * `weft validate` through the real executable (`node bin/weft.js`, tsx and all): exit 0 for a
 * valid fragment, 1 with every diagnostic printed for an invalid one, 2 for I/O and usage errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import type { Fragment } from '../../src/core/fragment.js';
import { runWeft } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `node bin/weft.js ...args`; resolves with the exit status and both streams. */
function weft(args: readonly string[], env: Record<string, string> = {}) {
  return runWeft(args, { ...process.env, ...env }, 60_000);
}

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-cli-validate-'));
  writeFileSync(file('valid.json'), JSON.stringify(orderTriageFragment, null, 2));
  const invalid: Fragment = {
    ...orderTriageFragment,
    steps: [
      { ...orderTriageFragment.steps[0]!, handler: 'http_get' },
      { ...orderTriageFragment.steps[1]!, dependencies: ['summarize_results'] },
      ...orderTriageFragment.steps.slice(2),
    ],
  };
  writeFileSync(file('invalid.json'), JSON.stringify(invalid));
  writeFileSync(file('not-json.json'), '{ "fragment_version": ');
  // 3,000 nested arrays in a 6 KB literal: the recursive checks overflowed the stack on it.
  const deep = JSON.stringify({ ...orderTriageFragment, steps: [{ ...orderTriageFragment.steps[0]!, inputs: { schema: 0 } }] });
  writeFileSync(file('deep.json'), deep.replace('"schema":0', `"schema":${'['.repeat(3_000)}${']'.repeat(3_000)}`));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('weft validate', { timeout: 60_000 }, () => {
  it('exits 0 for a valid fragment', async () => {
    const r = await weft(['validate', file('valid.json'), '--template', 'order-triage']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid:');
    expect(r.stdout).toContain('order-triage / plan_processing (phase 1): 8 steps');
  });

  it('exits 1 for an invalid fragment and prints each diagnostic as CODE path: message, then its hint', async () => {
    const r = await weft(['validate', file('invalid.json'), '--template', 'order-triage', '--step', 'plan_processing']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^invalid: .*invalid\.json for order-triage \/ plan_processing \(phase 1\): \d+ diagnostics?$/);
    expect(r.stdout).toMatch(/^HANDLER_UNKNOWN \/steps\/0\/handler: Step 'valid_orders' uses handler 'http_get'.*\n {2}hint: Use one of: aggregate, decide, transform, validate/m);
    expect(r.stdout).toMatch(/^DEPENDENCY_FORBIDDEN \/steps\/1\/dependencies\/0: .*summarize_results.*\n {2}hint: /m);
    const diagnosticLines = lines.slice(1).filter((l) => !l.startsWith('  hint: '));
    expect(diagnosticLines.every((l) => /^[A-Z_]+ (\/\S*|\(fragment\)): /.test(l))).toBe(true);
    expect(lines.slice(1).filter((l) => l.startsWith('  hint: '))).toHaveLength(diagnosticLines.length);
  });

  it('prints JSON with --json', async () => {
    const r = await weft(['validate', file('invalid.json'), '--template', 'order-triage', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { valid: boolean; planningStep: string; diagnostics: { code: string; path: string; hint: string }[] };
    expect(report.valid).toBe(false);
    expect(report.planningStep).toBe('plan_processing');
    expect(report.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['HANDLER_UNKNOWN', 'DEPENDENCY_FORBIDDEN']));
    expect(report.diagnostics.every((d) => d.hint.length > 0)).toBe(true);
  });

  it('exits 1 with FRAGMENT_MALFORMED for a file that is not JSON', async () => {
    const r = await weft(['validate', file('not-json.json'), '--template', 'order-triage']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FRAGMENT_MALFORMED \(fragment\): /m);
  });

  it('exits 1 with FRAGMENT_TOO_DEEP, not a RangeError, for a fragment nested 3,000 levels deep', async () => {
    const r = await weft(['validate', file('deep.json'), '--template', 'order-triage']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FRAGMENT_TOO_DEEP \/steps\/0\/inputs\/schema(\/0)+: .*more than 64 levels/m);
  });

  it('exits 2 for a missing file, naming it', async () => {
    const r = await weft(['validate', file('absent.json'), '--template', 'order-triage']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`weft validate: cannot read fragment file ${file('absent.json')}: no such file`);
  });

  it('exits 2 for an unknown template, naming the registered ones', async () => {
    const r = await weft(['validate', file('valid.json'), '--template', 'no-such']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown template 'no-such'");
    expect(r.stderr).toContain('use one of order-triage');
    expect(r.stderr).toContain(`in the registry ${join(ROOT, 'examples/registry.ts')} (from ${join(ROOT, 'weft.config.json')})`);
    expect(r.stderr).toContain('point at another registry with --registry or WEFT_REGISTRY');
  });

  it('validates several files in one run, one result each; exit 1 when one is invalid', async () => {
    const r = await weft(['validate', file('valid.json'), file('invalid.json'), file('valid.json'), '--template', 'order-triage']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => /^(valid|invalid): /.test(l)).map((l) => l.split(':')[0])).toEqual(['valid', 'invalid', 'valid']);
    const all = await weft(['validate', file('valid.json'), file('valid.json'), '--template', 'order-triage', '--json']);
    expect(all.code).toBe(0);
    const reports = JSON.parse(all.stdout) as { file: string; valid: boolean }[];
    expect(reports.map((x) => x.valid)).toEqual([true, true]);
  });

  it('still checks the other files when one cannot be read, then exits 2', async () => {
    const r = await weft(['validate', file('absent.json'), file('invalid.json'), '--template', 'order-triage']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`weft validate: cannot read fragment file ${file('absent.json')}: no such file`);
    expect(r.stdout).toMatch(/^invalid: .*invalid\.json/m);
  });

  it('exits 2 for an unknown planning step and for a missing --template', async () => {
    const step = await weft(['validate', file('valid.json'), '--template', 'order-triage', '--step', 'load_orders']);
    expect(step.code).toBe(2);
    expect(step.stderr).toContain("has no planning step 'load_orders': use one of plan_processing");
    const usage = await weft(['validate', file('valid.json')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--template <name> is required');
    expect(usage.stderr).toContain('usage: weft validate <fragment>... --template <name>');
  });
});
