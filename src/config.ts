/**
 * Environment configuration, read once at start. A bad value fails immediately, naming the
 * variable and what it should look like.
 */

/** Connection and runtime settings from the environment. */
export interface WeftConfig {
  readonly temporalAddress: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly blobDir: string;
  readonly tls: { readonly serverName?: string; readonly certPath?: string; readonly keyPath?: string; readonly caPath?: string } | null;
}

/** A configuration error: names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Where large step results are stored when WEFT_BLOB_DIR is not set. */
export const DEFAULT_BLOB_DIR = '.weft/blobs';

const ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** Reads the configuration from `env` (default `process.env`). */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): WeftConfig {
  const address = env['TEMPORAL_ADDRESS'] ?? '127.0.0.1:7233';
  const m = ADDRESS.exec(address);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new ConfigError(`TEMPORAL_ADDRESS='${address}' is not host:port (for example 127.0.0.1:7233).`);
  }
  const namespace = env['TEMPORAL_NAMESPACE'] ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(namespace)) {
    throw new ConfigError(`TEMPORAL_NAMESPACE='${namespace}' is not a valid namespace name (letters, digits, . _ -).`);
  }
  const taskQueue = env['WEFT_TASK_QUEUE'] ?? 'weft';
  if (taskQueue.trim() === '' || taskQueue.length > 1000) throw new ConfigError(`WEFT_TASK_QUEUE must be a non-empty name (got '${taskQueue}').`);
  const certPath = env['TEMPORAL_TLS_CERT'];
  const keyPath = env['TEMPORAL_TLS_KEY'];
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both for mTLS, or neither.');
  }
  if (env['TEMPORAL_TLS'] !== undefined && !['true', 'false'].includes(env['TEMPORAL_TLS'])) {
    throw new ConfigError(`TEMPORAL_TLS='${env['TEMPORAL_TLS']}' must be true or false.`);
  }
  for (const name of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA'] as const) {
    if (env[name] === '') throw new ConfigError(`${name} is set but empty: give a file path, or unset it.`);
  }
  if (env['TEMPORAL_TLS'] === 'false' && (certPath !== undefined || env['TEMPORAL_TLS_CA'] !== undefined)) {
    throw new ConfigError('TEMPORAL_TLS=false conflicts with TEMPORAL_TLS_CERT/TEMPORAL_TLS_CA: unset one of them.');
  }
  const tlsOn = env['TEMPORAL_TLS'] === 'true' || certPath !== undefined || env['TEMPORAL_TLS_CA'] !== undefined;
  const tls = tlsOn
    ? {
        ...(env['TEMPORAL_TLS_SERVER_NAME'] ? { serverName: env['TEMPORAL_TLS_SERVER_NAME'] } : {}),
        ...(certPath ? { certPath } : {}),
        ...(keyPath ? { keyPath } : {}),
        ...(env['TEMPORAL_TLS_CA'] ? { caPath: env['TEMPORAL_TLS_CA'] } : {}),
      }
    : null;
  return { temporalAddress: address, namespace, taskQueue, blobDir: env['WEFT_BLOB_DIR'] ?? DEFAULT_BLOB_DIR, tls };
}
