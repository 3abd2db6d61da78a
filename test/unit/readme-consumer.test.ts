/**
 * The README's "Use weft in your project" snippets are the consumer fixture's files, byte for byte:
 * each `<!-- consumer:<path> -->` marker is followed by a code block holding that file of
 * test/consumer-project, which the consumer test builds and runs against the packed tarball.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/<!-- consumer:(\S+) -->\n```\w*\n([\s\S]*?)\n```/g)].map((m) => ({ path: m[1]!, code: m[2]! }));

describe('README, "Use weft in your project"', () => {
  it('shows the fixture project: handler, template, registry, plan, package.json, service and test', () => {
    expect(snippets.map((s) => s.path)).toEqual(['src/greet.ts', 'src/template.ts', 'src/registry.ts', 'src/plan.ts', 'package.json', 'src/service.ts', 'test/greetings.test.ts']);
  });

  it.each(snippets)('$path is the fixture file as it is', ({ path, code }) => {
    expect(code).toBe(readFileSync(join(REPO_ROOT, 'test/consumer-project', path), 'utf8').trimEnd());
  });
});
