import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrebuiltBundle, compiledCodeHash, prebuiltBundleStatus, PREBUILT_BUNDLE_FILE, PREBUILT_BUNDLE_MANIFEST } from '../../src/prebuilt-bundle.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A dist/ with compiled code and a bundle whose manifest matches it. */
function dist(): string {
  const d = mkdtempSync(join(tmpdir(), 'weft-dist-'));
  dirs.push(d);
  mkdirSync(join(d, 'workflows'));
  writeFileSync(join(d, 'workflows', 'index.js'), 'export const a = 1;\n');
  writeFileSync(join(d, PREBUILT_BUNDLE_FILE), '/* bundle */');
  writeFileSync(join(d, PREBUILT_BUNDLE_MANIFEST), JSON.stringify({ version: '1.2.3', sourcesHash: compiledCodeHash(d), bytes: 12 }));
  return d;
}

describe('the prebuilt workflow bundle', () => {
  it('is used when it was built from the code beside it, by this version', () => {
    const d = dist();
    expect(checkPrebuiltBundle(d, '1.2.3')).toEqual({ codePath: join(d, PREBUILT_BUNDLE_FILE) });
  });

  it('is stale, and not used, when the compiled code changed after the build', () => {
    const d = dist();
    writeFileSync(join(d, 'workflows', 'index.js'), 'export const a = 2;\n');
    expect(checkPrebuiltBundle(d, '1.2.3')).toMatchObject({ stale: true, reason: expect.stringContaining('built from other code') as unknown });
  });

  it('is stale when a file was added (the bundle itself does not count)', () => {
    const d = dist();
    writeFileSync(join(d, PREBUILT_BUNDLE_FILE), '/* changed bundle */');
    expect(checkPrebuiltBundle(d, '1.2.3').codePath).toBeDefined();
    writeFileSync(join(d, 'extra.js'), '');
    expect(checkPrebuiltBundle(d, '1.2.3')).toMatchObject({ stale: true });
  });

  it('is stale when weft is another version', () => {
    expect(checkPrebuiltBundle(dist(), '1.2.4')).toMatchObject({ stale: true, reason: 'the prebuilt workflow bundle is of weft 1.2.3, this is weft 1.2.4' });
  });

  it('is absent without a bundle, and never used in the repository (the sources are bundled)', () => {
    expect(checkPrebuiltBundle(join(tmpdir(), 'no-such-dist'), '1.2.3')).toMatchObject({ stale: false });
    expect(prebuiltBundleStatus()).toMatchObject({ stale: false, reason: expect.stringContaining("weft's repository") as unknown });
  });
});
