/**
 * The runbooks (docs/runbooks/): the essay's four scenarios, each with symptoms, the alert, the
 * dashboards, the commands and the decisions; every `weft …` command line in them parses as a real
 * command with real options; the alerts and dashboards they name exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { findCommand } from '../../src/cli/main.js';
import { REPO_ROOT } from '../support/paths.js';

const DIR = join(REPO_ROOT, 'docs/runbooks');
const RUNBOOKS = ['planning-step-in-dlq.md', 'budget-without-completion.md', 'fragment-validation-failures.md', 'llm-provider-errors.md'];

/** Splits a shell line into words (single and double quotes; no expansions in our runbooks). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let current: string | null = null;
  let last = 0;
  for (const m of line.matchAll(re)) {
    const glued = current !== null && m.index === last;
    const piece = m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3] ?? '';
    if (glued) current += piece;
    else {
      if (current !== null) words.push(current);
      current = piece;
    }
    last = m.index + m[0].length;
  }
  if (current !== null) words.push(current);
  return words;
}

/** Every `weft …` command line inside fenced code blocks, with its file. */
function commandLines(): { file: string; line: string }[] {
  const out: { file: string; line: string }[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.md'))) {
    const blocks = readFileSync(join(DIR, file), 'utf8').match(/```[a-z]*\n[\s\S]*?```/g) ?? [];
    for (const block of blocks) {
      for (const raw of block.split('\n').slice(1, -1)) {
        const line = raw.trim().replace(/^(\w+=\S+\s+)+/, '').replace(/^npx\s+/, '');
        if (/^weft\s/.test(line)) out.push({ file, line });
      }
    }
  }
  return out;
}

describe('runbooks', () => {
  it("cover the essay's four scenarios, each with the same sections", () => {
    for (const name of RUNBOOKS) {
      const text = readFileSync(join(DIR, name), 'utf8');
      for (const section of ['## Symptoms', '## The alert', '## Dashboards', '## Investigate', '## Decide and fix']) {
        expect(text, `${name} lacks '${section}'`).toContain(section);
      }
      expect(text, `${name} names no weft command`).toMatch(/```sh\n[\s\S]*?weft /);
      expect(text, `${name} names no Web UI view`).toMatch(/Web UI/);
    }
  });

  it('use only weft commands and options that exist', () => {
    const lines = commandLines();
    expect(lines.length).toBeGreaterThan(15);
    for (const { file, line } of lines) {
      const argv = shellWords(line).slice(1);
      const found = findCommand(argv);
      expect(found, `${file}: '${line}' is not a weft command`).not.toBeNull();
      expect(() => parseCommandArgs(found!.command, found!.rest), `${file}: '${line}'`).not.toThrow();
    }
  });

  it('name alerts that the rules define and dashboards that are shipped', () => {
    const rules = readFileSync(join(REPO_ROOT, 'observability/alerts/weft.rules.yml'), 'utf8');
    const titles = readdirSync(join(REPO_ROOT, 'observability/dashboards'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(REPO_ROOT, 'observability/dashboards', f), 'utf8')) as { title: string; panels: { title: string }[] });
    for (const name of RUNBOOKS) {
      const text = readFileSync(join(DIR, name), 'utf8');
      for (const [, alert] of text.matchAll(/\*\*`(Weft\w+)`\*\*/g)) expect(rules, `${name}: alert ${alert}`).toContain(`alert: ${alert}`);
      for (const [, dashboard, panels] of text.matchAll(/\*\*(weft — [^*]+)\*\*: ([^\n]+(?:\n {2}[^\n]+)*)/g)) {
        const d = titles.find((t) => t.title === dashboard);
        expect(d, `${name}: dashboard '${dashboard}'`).toBeDefined();
        for (const [, quoted] of (panels ?? '').matchAll(/"([^"]+)"/g)) {
          const panel = (quoted ?? '').replace(/\s+/g, ' ');
          expect(d!.panels.map((p) => p.title), `${name}: panel '${panel}' of '${dashboard}'`).toContain(panel);
        }
      }
    }
  });
});

describe('shellWords', () => {
  it('keeps quoted words whole', () => {
    expect(shellWords(`weft dlq skip id step --output '{"orders": []}' --reason "a b"`)).toEqual(['weft', 'dlq', 'skip', 'id', 'step', '--output', '{"orders": []}', '--reason', 'a b']);
  });
});
