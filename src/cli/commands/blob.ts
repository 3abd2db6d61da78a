/**
 * `weft blob get <ref>`: prints a stored result or prompt from the blob store (`WEFT_BLOB_URL` or
 * `WEFT_BLOB_DIR`, as `blobStoreFromEnv` chooses),
 * the values that history only holds as `sha256:…` pointers: large step results, planning prompts.
 */
import { CliError, defineCommand } from '../command.js';
import { json } from '../format.js';

/** `weft blob get`. */
export const blobGetCommand = defineCommand({
  name: 'blob get',
  summary: 'Print a stored result or prompt by its reference (sha256:…), from WEFT_BLOB_URL or WEFT_BLOB_DIR.',
  description:
    'Large step results and planning prompts are kept in the blob store and appear in history, `weft inspect` and the ' +
    'Web UI as {"$weft_blob": "sha256:…"}. Reads the store the workers write to: WEFT_BLOB_URL (s3://bucket/prefix, with the AWS SDK\'s configuration and WEFT_S3_ENDPOINT), else WEFT_BLOB_DIR (default .weft/blobs).',
  positionals: [{ name: 'ref', description: 'the reference, sha256:<64 hex>' }],
  options: { raw: { type: 'boolean', description: 'print a stored string as it is (a prompt), not as JSON' } },
  exitCodes: ['0  printed', '1  not in the store', '2  not a reference'],
  async run({ positionals, options }, ctx) {
    if (!/^sha256:[0-9a-f]{64}$/.test(positionals.ref)) throw new CliError(`'${positionals.ref}' is not a blob reference: expected sha256:<64 hex>, as in {"$weft_blob": "sha256:…"}`);
    const { blobStoreFromEnv } = await import('../../blob/from-env.js');
    const store = blobStoreFromEnv(ctx.env, ctx.cwd);
    let value: unknown;
    try {
      value = await store.get(positionals.ref);
    } catch (e) {
      const failure = e as { type?: string; message: string };
      if (failure.type === 'BLOB_MISSING' && !store.location?.startsWith('s3://')) {
        throw new CliError(`${failure.message.split('. ')[0]}. Set WEFT_BLOB_URL or WEFT_BLOB_DIR to the store the workers write to.`, 1);
      }
      throw new CliError(failure.message, 1);
    }
    ctx.out(options.raw && typeof value === 'string' ? value : json(value));
    return 0;
  },
});
