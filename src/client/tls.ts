/**
 * TLS settings for client and worker connections, read from the files the configuration names.
 * An unreadable file fails at start, naming the variable that points at it.
 */
import { readFile } from 'node:fs/promises';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, type WeftConfig } from '../config.js';

/** The TLS part of a Temporal connection's options; `undefined` when TLS is off. */
export async function tlsOptions(config: Pick<WeftConfig, 'tls'>): Promise<TLSConfig | undefined> {
  const tls = config.tls;
  if (tls === null) return undefined;
  const read = async (path: string, variable: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new ConfigError(`${variable}='${path}' cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): point it at a PEM file.`);
    }
  };
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.caPath ? { serverRootCACertificate: await read(tls.caPath, 'TEMPORAL_TLS_CA') } : {}),
    ...(tls.certPath && tls.keyPath
      ? { clientCertPair: { crt: await read(tls.certPath, 'TEMPORAL_TLS_CERT'), key: await read(tls.keyPath, 'TEMPORAL_TLS_KEY') } }
      : {}),
  };
}
