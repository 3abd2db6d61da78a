/**
 * The blob store: content-addressed JSON on the local disk (`WEFT_BLOB_DIR`, default
 * `.weft/blobs`). Workers that share a task queue must share the directory (a shared volume);
 * another store (object storage) implements the same two methods.
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
}

/** A blob store in a local directory. */
export function localBlobStore(dir: string): BlobStore {
  const pathOf = (hex: string): string => join(dir, hex.slice(0, 2), `${hex}.json`);
  return {
    async put(value) {
      const text = canonicalJson(value);
      const hex = createHash('sha256').update(text).digest('hex');
      const path = pathOf(hex);
      await mkdir(dirname(path), { recursive: true });
      // write-then-rename: a crash never leaves a half blob under its final name
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, path);
      return { $weft_blob: `sha256:${hex}`, bytes: utf8ByteLength(text), shape: shapeOf(value, 0), sample: samplesOf(value) };
    },
    async get(ref) {
      const hex = /^sha256:([0-9a-f]{64})$/.exec(ref)?.[1];
      if (!hex) throw ApplicationFailure.create({ type: 'BLOB_REF_INVALID', nonRetryable: true, message: `'${ref}' is not a blob reference (sha256:<64 hex>).` });
      let text: string;
      try {
        text = await readFile(pathOf(hex), 'utf8');
      } catch (e) {
        throw ApplicationFailure.create({
          type: 'BLOB_MISSING',
          nonRetryable: false,
          message: `Stored result ${ref} is not in ${dir}: ${(e as Error).message}. Workers of one task queue must share WEFT_BLOB_DIR.`,
        });
      }
      return JSON.parse(text) as JsonValue;
    },
  };
}
