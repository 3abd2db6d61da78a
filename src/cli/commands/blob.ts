/**
 * `weft blob get <ref>`: prints a stored result or prompt from the blob store (`WEFT_BLOB_DIR`),
 * the values that history only holds as `sha256:…` pointers: large step results, planning prompts.
 */
import { CliError, defineCommand } from '../command.js';
import { json } from '../format.js';

/** `weft blob get`. */
export const blobGetCommand = defineCommand({
  name: 'blob get',
  summary: 'Print a stored result or prompt by its reference (sha256:…), from WEFT_BLOB_DIR.',
  description:
    'Large step results and planning prompts are kept in the blob store and appear in history, `weft inspect` and the ' +
    'Web UI as {"$weft_blob": "sha256:…"}. Reads the local store the workers write to (WEFT_BLOB_DIR, default .weft/blobs).',
  positionals: [{ name: 'ref', description: 'the reference, sha256:<64 hex>' }],
  options: { raw: { type: 'boolean', description: 'print a stored string as it is (a prompt), not as JSON' } },
  exitCodes: ['0  printed', '1  not in the store', '2  not a reference'],
  async run({ positionals, options }, ctx) {
    if (!/^sha256:[0-9a-f]{64}$/.test(positionals.ref)) throw new CliError(`'${positionals.ref}' is not a blob reference: expected sha256:<64 hex>, as in {"$weft_blob": "sha256:…"}`);
    const [{ localBlobStore }, { DEFAULT_BLOB_DIR }, path] = await Promise.all([import('../../blob/store.js'), import('../../config.js'), import('node:path')]);
    const dir = path.resolve(ctx.cwd, ctx.env['WEFT_BLOB_DIR'] ?? DEFAULT_BLOB_DIR);
    let value: unknown;
    try {
      value = await localBlobStore(dir).get(positionals.ref);
    } catch (e) {
      throw new CliError(`${positionals.ref} is not in ${dir}: ${(e as Error).message.split('. ')[0]}. Set WEFT_BLOB_DIR to the directory the workers write to.`, 1);
    }
    ctx.out(options.raw && typeof value === 'string' ? value : json(value));
    return 0;
  },
});
