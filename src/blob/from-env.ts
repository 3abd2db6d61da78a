/**
 * The one place that chooses a blob store from the environment, for workers, activities and the
 * CLI alike: `WEFT_BLOB_URL` (s3://bucket/prefix, or file:///dir) wins over `WEFT_BLOB_DIR`, which
 * wins over `.weft/blobs` under the working directory.
 * @example
 * const store = blobStoreFromEnv(process.env, process.cwd());
 * await store.check?.(); // fails now, saying what to fix, rather than at the first large result
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DEFAULT_BLOB_DIR } from '../config.js';
import { parseS3Url, s3BlobStore } from './s3.js';
import { localBlobStore, type BlobStore } from './store.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The S3 endpoint override the environment names, if any (weft's own variable, then the SDK's). */
export function s3EndpointFromEnv(env: Env): string | undefined {
  return env['WEFT_S3_ENDPOINT'] || env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined;
}

/** Checks `WEFT_BLOB_URL` without making a store; a ConfigError names the variable and the fix. */
export function checkBlobUrl(env: Env): void {
  const url = env['WEFT_BLOB_URL'];
  if (url === undefined || url === '') return;
  if (url.startsWith('file:')) return;
  const parsed = parseS3Url(url);
  if (typeof parsed === 'string') throw new ConfigError(`WEFT_BLOB_URL: ${parsed}; use s3://bucket/prefix (or file:///absolute/dir), or unset it to use WEFT_BLOB_DIR.`);
  const endpoint = env['WEFT_S3_ENDPOINT'];
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError(`WEFT_S3_ENDPOINT='${endpoint}' is not an http(s):// URL (for example http://127.0.0.1:8333).`);
  const pathStyle = env['WEFT_S3_FORCE_PATH_STYLE'];
  if (pathStyle !== undefined && !['true', 'false'].includes(pathStyle)) throw new ConfigError(`WEFT_S3_FORCE_PATH_STYLE='${pathStyle}' must be true or false.`);
}

/**
 * The blob store the environment names, paths relative to `cwd`. The S3 client follows the AWS
 * SDK's configuration; with an endpoint override (an S3-compatible server) it defaults to
 * path-style addressing and, when no AWS_REGION is set, to region us-east-1.
 */
export function blobStoreFromEnv(env: Env = process.env, cwd: string = process.cwd()): BlobStore {
  checkBlobUrl(env);
  const url = env['WEFT_BLOB_URL'];
  if (url) {
    if (url.startsWith('file:')) {
      let dir: string;
      try {
        dir = fileURLToPath(url);
      } catch (err) {
        throw new ConfigError(`WEFT_BLOB_URL='${url}' is not a file:///absolute/dir URL: ${(err as Error).message}`);
      }
      return localBlobStore(dir);
    }
    const location = parseS3Url(url);
    if (typeof location === 'string') throw new ConfigError(location); // checked above
    const endpoint = s3EndpointFromEnv(env);
    const pathStyle = env['WEFT_S3_FORCE_PATH_STYLE'];
    const region = env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || (endpoint ? 'us-east-1' : undefined);
    return s3BlobStore({
      ...location,
      // Passed even when it is the SDK's own variable: messages then name the endpoint.
      ...(endpoint ? { endpoint } : {}),
      ...(pathStyle !== undefined ? { forcePathStyle: pathStyle === 'true' } : endpoint ? { forcePathStyle: true } : {}),
      ...(region ? { region } : {}),
      // The keys of the environment given (a CLI's, a test's); without them, the SDK's chain.
      ...(env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']
        ? { credentials: { accessKeyId: env['AWS_ACCESS_KEY_ID'], secretAccessKey: env['AWS_SECRET_ACCESS_KEY'], ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}) } }
        : {}),
    });
  }
  const dir = env['WEFT_BLOB_DIR'] || DEFAULT_BLOB_DIR;
  return localBlobStore(isAbsolute(dir) ? dir : resolve(cwd, dir));
}
