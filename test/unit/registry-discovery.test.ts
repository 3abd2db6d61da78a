/**
 * How the CLI finds the user's registry: `--registry`, then `WEFT_REGISTRY`, then the project's
 * `weft.config.json` or `package.json` `"weft"` field (nearest folder up to the project root), and
 * never weft's own example outside weft's repository.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverRegistry, loadRegistry, RegistryError } from '../../src/registry.js';

let root: string;
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'weft-registry-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('discoverRegistry', () => {
  it('finds weft.config.json in a folder above the working directory, relative to the file', () => {
    write('package.json', '{ "name": "svc" }');
    write('weft.config.json', '{ "registry": "src/registry.ts" }');
    mkdirSync(join(root, 'src/deep'), { recursive: true });
    expect(discoverRegistry(undefined, {}, join(root, 'src/deep'))).toEqual({ path: join(root, 'src/registry.ts'), source: join(root, 'weft.config.json') });
  });

  it('reads package.json\'s "weft" field', () => {
    write('package.json', '{ "name": "svc", "weft": { "registry": "./lib/registry.js" } }');
    expect(discoverRegistry(undefined, {}, root).path).toBe(join(root, 'lib/registry.js'));
  });

  it('prefers --registry, then WEFT_REGISTRY, over the config file', () => {
    write('weft.config.json', '{ "registry": "a.ts" }');
    expect(discoverRegistry('b.ts', { WEFT_REGISTRY: 'c.ts' }, root)).toEqual({ path: join(root, 'b.ts'), source: '--registry' });
    expect(discoverRegistry(undefined, { WEFT_REGISTRY: 'c.ts' }, root)).toEqual({ path: join(root, 'c.ts'), source: 'WEFT_REGISTRY' });
  });

  it('stops at the project root and says how to name a registry; no built-in default', () => {
    write('weft.config.json', '{ "registry": "outer.ts" }');
    write('app/package.json', '{ "name": "app" }');
    expect(() => discoverRegistry(undefined, {}, join(root, 'app'))).toThrow(RegistryError);
    expect(() => discoverRegistry(undefined, {}, join(root, 'app'))).toThrow(/No registry module found for .*app\. Point at your registry module with --registry <module>, WEFT_REGISTRY=<module>, or a weft\.config\.json/);
  });

  it('names the file when its registry field is wrong', () => {
    write('weft.config.json', '{ "registry": 3 }');
    expect(() => discoverRegistry(undefined, {}, root)).toThrow(`${join(root, 'weft.config.json')}: "registry" must be the path of your registry module`);
    write('weft.config.json', '{ "registry": ');
    expect(() => discoverRegistry(undefined, {}, root)).toThrow(/weft\.config\.json is not valid JSON/);
  });
});

describe('loadRegistry', () => {
  it('loads a JavaScript registry module and says where it came from', async () => {
    write('weft.config.json', '{ "registry": "registry.mjs" }');
    write('registry.mjs', 'export default { handlers: [], templates: [] };');
    const loaded = await loadRegistry(undefined, {}, root);
    expect(loaded).toMatchObject({ path: join(root, 'registry.mjs'), source: join(root, 'weft.config.json'), registry: { handlers: [], templates: [] } });
  });

  it('says when the named module does not exist', async () => {
    await expect(loadRegistry('nope.ts', {}, root)).rejects.toThrow(`Registry module ${join(root, 'nope.ts')} (from --registry) does not exist.`);
  });
});
