import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/** Asserts that `env` fails with a ConfigError whose message names `variable` and says `fragment`. */
function expectConfigError(env: Record<string, string>, variable: string, fragment: string): void {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).name).toBe('ConfigError');
  expect((error as ConfigError).message).toContain(variable);
  expect((error as ConfigError).message).toContain(fragment);
}

describe('loadConfig: defaults', () => {
  it('uses the local dev server, namespace default, task queue weft, no TLS', () => {
    expect(loadConfig({})).toEqual({ temporalAddress: '127.0.0.1:7233', namespace: 'default', taskQueue: 'weft', blobDir: '.weft/blobs', tls: null });
  });

  it('takes every value from the environment', () => {
    expect(
      loadConfig({
        TEMPORAL_ADDRESS: 'temporal.example.com:7233',
        TEMPORAL_NAMESPACE: 'weft-prod.a1b2c',
        WEFT_TASK_QUEUE: 'weft-orders',
        WEFT_BLOB_DIR: '/var/lib/weft/blobs',
      }),
    ).toEqual({ temporalAddress: 'temporal.example.com:7233', namespace: 'weft-prod.a1b2c', taskQueue: 'weft-orders', blobDir: '/var/lib/weft/blobs', tls: null });
  });

  it('accepts bracketed IPv6 addresses and the port range ends', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: '[::1]:7233' }).temporalAddress).toBe('[::1]:7233');
    expect(loadConfig({ TEMPORAL_ADDRESS: 'localhost:1' }).temporalAddress).toBe('localhost:1');
    expect(loadConfig({ TEMPORAL_ADDRESS: 'localhost:65535' }).temporalAddress).toBe('localhost:65535');
  });
});

describe('loadConfig: TLS', () => {
  it('turns TLS on with TEMPORAL_TLS=true, and off with false', () => {
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
    expect(loadConfig({ TEMPORAL_TLS: 'false' }).tls).toBeNull();
  });

  it('turns mTLS on with a cert and key, keeping server name and CA', () => {
    expect(
      loadConfig({ TEMPORAL_TLS_CERT: '/tls/client.pem', TEMPORAL_TLS_KEY: '/tls/client.key', TEMPORAL_TLS_SERVER_NAME: 'temporal.internal', TEMPORAL_TLS_CA: '/tls/ca.pem' }).tls,
    ).toEqual({ serverName: 'temporal.internal', certPath: '/tls/client.pem', keyPath: '/tls/client.key', caPath: '/tls/ca.pem' });
    expect(loadConfig({ TEMPORAL_TLS_CA: '/tls/ca.pem' }).tls).toEqual({ caPath: '/tls/ca.pem' });
  });
});

describe('loadConfig: bad values fail with a ConfigError naming the variable', () => {
  it.each([
    ['localhost', 'is not host:port'],
    ['localhost:70000', 'is not host:port'],
    ['localhost:0', 'is not host:port'],
    [':7233', 'is not host:port'],
    ['http://localhost:7233', 'is not host:port'],
  ])('TEMPORAL_ADDRESS=%s', (address, fragment) => {
    expectConfigError({ TEMPORAL_ADDRESS: address }, `TEMPORAL_ADDRESS='${address}'`, fragment);
    expectConfigError({ TEMPORAL_ADDRESS: address }, 'TEMPORAL_ADDRESS', 'for example 127.0.0.1:7233');
  });

  it.each(['bad namespace', '-leading-dash', '', 'a'.repeat(256), 'ns/with/slash'])('TEMPORAL_NAMESPACE=%s', (namespace) => {
    expectConfigError({ TEMPORAL_NAMESPACE: namespace }, `TEMPORAL_NAMESPACE='${namespace}'`, 'is not a valid namespace name');
  });

  it('accepts a namespace of 255 characters', () => {
    expect(loadConfig({ TEMPORAL_NAMESPACE: 'a'.repeat(255) }).namespace).toHaveLength(255);
  });

  it('WEFT_TASK_QUEUE blank', () => {
    expectConfigError({ WEFT_TASK_QUEUE: '   ' }, 'WEFT_TASK_QUEUE', 'must be a non-empty name');
  });

  it('TLS cert without key, and key without cert', () => {
    expectConfigError({ TEMPORAL_TLS_CERT: '/tls/client.pem' }, 'TEMPORAL_TLS_KEY', 'set both for mTLS, or neither');
    expectConfigError({ TEMPORAL_TLS_KEY: '/tls/client.key' }, 'TEMPORAL_TLS_CERT', 'set both for mTLS, or neither');
  });

  it.each(['yes', '1', 'TRUE', ''])('TEMPORAL_TLS=%s', (value) => {
    expectConfigError({ TEMPORAL_TLS: value }, `TEMPORAL_TLS='${value}'`, 'must be true or false');
  });
});

describe('TLS settings that contradict each other', () => {
  it('refuses TEMPORAL_TLS=false with a CA or certificate, and empty paths', () => {
    expect(() => loadConfig({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: '/ca.pem' })).toThrow(/TEMPORAL_TLS=false conflicts/);
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' })).toThrow(/TEMPORAL_TLS_CERT is set but empty/);
  });
});
