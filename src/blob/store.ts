/**
 * The blob store: content-addressed JSON, on the local disk (`WEFT_BLOB_DIR`, default
 * `.weft/blobs`, one machine) or in an S3-compatible bucket (`WEFT_BLOB_URL=s3://bucket/prefix`,
 * `./s3.ts`, shared by workers on many machines). Every store names a value by the sha256 of its
 * canonical JSON, so a reference is the same whichever store wrote it. `blobStoreFromEnv`
 * (`./from-env.ts`) is the one place that chooses a store from the environment.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { BlobRef } from '../core/blob.js';
import { canonicalJson } from '../core/hash.js';
import { utf8ByteLength, type JsonValue } from '../core/json.js';
import { samplesOf, shapeOf } from '../core/summarize.js';

/** Where large results live. */
export interface BlobStore {
  put(value: JsonValue): Promise<BlobRef>;
  get(ref: string): Promise<JsonValue>;
  /** Where the values are, for messages: a directory or an `s3://bucket/prefix` URL. */
  readonly location?: string;
  /** Fails with a message saying what to fix when the store cannot be used (a worker checks at start). */
  check?(): Promise<void>;
}

/** A value as a store keeps it: its canonical JSON text and sha256 (hex). */
export interface BlobContent {
  readonly text: string;
  readonly hex: string;
}

/** The canonical text and content address of a value: the same in every store. */
export function blobContentOf(value: JsonValue): BlobContent {
  const text = canonicalJson(value);
  return { text, hex: createHash('sha256').update(text).digest('hex') };
}

/** The `BlobRef` of stored content: the same in every store. */
export function blobRefOf(value: JsonValue, content: BlobContent): BlobRef {
  return { $weft_blob: `sha256:${content.hex}`, bytes: utf8ByteLength(content.text), shape: shapeOf(value, 0), sample: samplesOf(value) };
}

/** The hex digest of a `sha256:<hex>` reference; a non-retryable BLOB_REF_INVALID otherwise. */
export function blobHexOf(ref: string): string {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(ref)?.[1];
  if (!hex) throw ApplicationFailure.create({ type: 'BLOB_REF_INVALID', nonRetryable: true, message: `'${ref}' is not a blob reference (sha256:<64 hex>).` });
  return hex;
}

/** A blob store in a local directory. */
export function localBlobStore(dir: string): BlobStore {
  const pathOf = (hex: string): string => join(dir, hex.slice(0, 2), `${hex}.json`);
  return {
    location: dir,
    async put(value) {
      const content = blobContentOf(value);
      const { text, hex } = content;
      const path = pathOf(hex);
      await mkdir(dirname(path), { recursive: true });
      // write-then-rename: a crash never leaves a half blob under its final name
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, path);
      return blobRefOf(value, content);
    },
    async get(ref) {
      const hex = blobHexOf(ref);
      let text: string;
      try {
        text = await readFile(pathOf(hex), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw ApplicationFailure.create({
            type: 'BLOB_STORE_ERROR',
            nonRetryable: false,
            message: `Could not read stored result ${ref} from the blob store ${dir}: ${(e as Error).message}. Check that the directory (WEFT_BLOB_DIR) can be read.`,
          });
        }
        throw ApplicationFailure.create({
          type: 'BLOB_MISSING',
          nonRetryable: false,
          message:
            `Stored result ${ref} is not in the blob store ${dir} (no file ${hex.slice(0, 2)}/${hex}.json there). ` +
            'Workers of one task queue, and `weft blob get`, must share one store: the same WEFT_BLOB_URL=s3://bucket/prefix on all of them ' +
            '(workers on several machines), or the same WEFT_BLOB_DIR (one machine, or a volume every worker mounts).',
        });
      }
      return JSON.parse(text) as JsonValue;
    },
  };
}
