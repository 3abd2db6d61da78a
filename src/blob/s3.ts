/**
 * The S3-compatible blob store (`WEFT_BLOB_URL=s3://bucket/prefix`): the store workers on many
 * machines share. Values are named exactly as in the local store (sha256 of canonical JSON) under
 * `<prefix>/<2 hex>/<hex>.json`. The AWS SDK is loaded on first use, only by processes that use an
 * s3 URL: it is an optional peer dependency, and `weft --help` does not pay for it.
 *
 * Configuration is the AWS SDK's own (credentials and region from the environment, shared config
 * files, instance roles); an S3-compatible server (SeaweedFS, MinIO, Ceph, R2) is reached with an
 * endpoint override: `WEFT_S3_ENDPOINT`, or the SDK's `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`.
 */
import type * as S3Sdk from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../core/json.js';
import { blobContentOf, blobHexOf, blobRefOf, type BlobStore } from './store.js';

/** Where an S3 blob store keeps its values, from `s3://bucket/prefix`. */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix without leading or trailing slashes ('' for the bucket's root). */
  readonly prefix: string;
}

/** How to reach the S3 server (the rest comes from the SDK's default chain). */
export interface S3StoreOptions extends S3Location {
  /** An S3-compatible server's URL (e.g. http://127.0.0.1:8333); default: the SDK's own resolution. */
  readonly endpoint?: string;
  /** Path-style addressing (bucket in the path, not the host name): what most S3-compatible servers need. */
  readonly forcePathStyle?: boolean;
  readonly region?: string;
  /** Static credentials; default: the SDK's credential chain (environment, profiles, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

// S3 bucket naming rules: 3-63 characters, lower-case letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/prefix`; returns a message saying what is wrong instead when it is not one. */
export function parseS3Url(url: string): S3Location | string {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/.exec(url);
  if (!m) return `'${url}' is not an s3://bucket/prefix URL`;
  const bucket = m[1] ?? '';
  if (!BUCKET.test(bucket)) return `'${bucket}' in '${url}' is not an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)`;
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket, prefix };
}

/** The URL of a location, as messages show it. */
export function s3UrlOf(location: S3Location): string {
  return `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
}

type Sdk = typeof S3Sdk;

async function loadSdk(url: string): Promise<Sdk> {
  try {
    return await import('@aws-sdk/client-s3');
  } catch (err) {
    throw ApplicationFailure.create({
      type: 'BLOB_STORE_ERROR',
      nonRetryable: true,
      message: `WEFT_BLOB_URL=${url} needs the AWS SDK's S3 client, which is not installed: run \`npm install @aws-sdk/client-s3\` where the worker runs (${(err as Error).message.split('\n')[0]}).`,
    });
  }
}

/** An S3-compatible blob store. The SDK loads, and the client is made, on first use. */
export function s3BlobStore(opts: S3StoreOptions): BlobStore {
  const url = s3UrlOf(opts);
  const where = `${url}${opts.endpoint ? ` at ${opts.endpoint}` : ''}`;
  const keyOf = (hex: string): string => `${opts.prefix ? `${opts.prefix}/` : ''}${hex.slice(0, 2)}/${hex}.json`;
  let client: Promise<{ sdk: Sdk; s3: S3Sdk.S3Client }> | null = null;
  const connect = () =>
    (client ??= loadSdk(url).then((sdk) => ({
      sdk,
      s3: new sdk.S3Client({
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.credentials ? { credentials: opts.credentials } : {}),
        ...(opts.forcePathStyle !== undefined ? { forcePathStyle: opts.forcePathStyle } : {}),
        // Fail fast on an endpoint that does not answer; the SDK's own retries (3 attempts) still apply.
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      }),
    })));

  return {
    location: url,
    async put(value) {
      const content = blobContentOf(value);
      const Key = keyOf(content.hex);
      const { sdk, s3 } = await connect();
      // Content-addressed: an object under this key already holds these bytes (a retried step, a
      // value two steps share), so skip the upload. A failed HEAD (403 without s3:ListBucket, say)
      // just falls through to the PUT, which reports what is wrong.
      const exists = await s3.send(new sdk.HeadObjectCommand({ Bucket: opts.bucket, Key })).then(
        () => true,
        () => false,
      );
      if (!exists) {
        try {
          await s3.send(new sdk.PutObjectCommand({ Bucket: opts.bucket, Key, Body: content.text, ContentType: 'application/json' }));
        } catch (err) {
          throw storeError(err, 'write', `${where} (key ${Key})`, opts);
        }
      }
      return blobRefOf(value, content);
    },
    async get(ref) {
      const hex = blobHexOf(ref);
      const Key = keyOf(hex);
      const { sdk, s3 } = await connect();
      let text: string;
      try {
        const out = await s3.send(new sdk.GetObjectCommand({ Bucket: opts.bucket, Key }));
        if (!out.Body) throw new Error('the response has no body');
        text = await out.Body.transformToString('utf8');
      } catch (err) {
        if (isMissingKey(err)) {
          throw ApplicationFailure.create({
            type: 'BLOB_MISSING',
            nonRetryable: false,
            message:
              `Stored result ${ref} is not in ${where} (bucket ${opts.bucket}, key ${Key}). Every worker of the task queue, and ` +
              '`weft blob get`, must use the same WEFT_BLOB_URL (and endpoint); check that no lifecycle rule expired it.',
          });
        }
        throw storeError(err, 'read', `${where} (key ${Key})`, opts);
      }
      return JSON.parse(text) as JsonValue;
    },
    async check() {
      const { sdk, s3 } = await connect();
      try {
        await s3.send(new sdk.HeadBucketCommand({ Bucket: opts.bucket }));
      } catch (err) {
        throw storeError(err, 'reach', where, opts);
      }
    },
  };
}

function isMissingKey(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || (e.name === 'NotFound' && e.$metadata?.httpStatusCode === 404);
}

/** A retryable BLOB_STORE_ERROR naming the store, what the S3 server said, and what to check. */
function storeError(err: unknown, action: 'read' | 'write' | 'reach', where: string, opts: S3StoreOptions): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const said = `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message || '(no message)'}`;
  let hint: string;
  if (e.name === 'NoSuchBucket' || (action === 'reach' && status === 404)) {
    hint = `the bucket '${opts.bucket}' does not exist there: create it, or fix the bucket in WEFT_BLOB_URL.`;
  } else if (status === 403 || e.name === 'AccessDenied' || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch') {
    hint =
      `access denied: check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the instance role) and that they allow ` +
      `s3:GetObject, s3:PutObject and s3:ListBucket on bucket ${opts.bucket} (S3 answers 403 for a missing object without s3:ListBucket).`;
  } else if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) {
    hint = 'no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.';
  } else if (/region/i.test(e.message ?? '') && !opts.region) {
    hint = 'no region is configured: set AWS_REGION.';
  } else if (status === undefined || status >= 500) {
    hint = `the S3 server did not answer: check that it runs and that the endpoint (WEFT_S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL${opts.endpoint ? `, now ${opts.endpoint}` : ', now AWS'}) is right.`;
  } else {
    hint = 'check WEFT_BLOB_URL, the endpoint and the credentials.';
  }
  return ApplicationFailure.create({
    type: 'BLOB_STORE_ERROR',
    nonRetryable: false,
    message: `Could not ${action} the blob store ${where}: ${said}. ${hint[0]?.toUpperCase()}${hint.slice(1)}`,
  });
}
