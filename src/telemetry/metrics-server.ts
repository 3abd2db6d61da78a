/**
 * The worker's Prometheus endpoint (`WEFT_METRICS_ADDRESS`, e.g. `127.0.0.1:9464`): weft's
 * families, followed by the Temporal SDK's own metrics when the worker runs the SDK's exporter
 * on a private loopback port (`weft worker` does), so one scrape target has both.
 * @example
 * const server = await startMetricsServer(parseMetricsAddress('127.0.0.1:9464'), metrics);
 * // GET http://127.0.0.1:9464/metrics
 * await server.close();
 */
import { createServer, type Server } from 'node:http';
import { ConfigError } from '../config.js';
import type { WeftMetrics } from './metrics.js';

/** Where the endpoint listens. */
export interface MetricsAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `WEFT_METRICS_ADDRESS` (`host:port`, `[v6]:port`); a bad value fails naming the variable. */
export function parseMetricsAddress(value: string, variable = 'WEFT_METRICS_ADDRESS'): MetricsAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new ConfigError(`${variable}='${value}' is not host:port (for example 127.0.0.1:9464, or 0.0.0.0:9464 to be scraped from other machines).`);
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

/** A running endpoint. */
export interface MetricsServer {
  /** `http://host:port/metrics`, with the port actually bound (port 0 picks a free one). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `/metrics`; `extra` returns more exposition text (the SDK's metrics) to append. */
export async function startMetricsServer(address: MetricsAddress, metrics: WeftMetrics, extra?: () => Promise<string>): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('weft serves Prometheus metrics at /metrics\n');
      return;
    }
    void (async () => {
      try {
        const own = await metrics.registry.metrics();
        const more = extra ? await extra().catch((err: unknown) => `# the Temporal SDK's metrics are unavailable: ${String(err).replace(/\n/g, ' ')}\n`) : '';
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(own + (more && !own.endsWith('\n') ? '\n' : '') + more);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`weft metrics failed: ${String(err)}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ConfigError(`WEFT_METRICS_ADDRESS=${address.host}:${address.port}: cannot listen (${err.code ?? err.message}); choose a free port.`)),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
