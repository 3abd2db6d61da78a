/**
 * `weft ui`'s HTTP server: reads tasks through the client API (visibility for the list, history
 * for a task: no worker needed) and answers with server-rendered pages.
 * @example
 * const server = await startUiServer(weft, { port: 0 });
 * console.log(server.url); await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WeftClient } from '../client.js';
import { listPage, listQuery, page, esc, stepPage, taskPage, type ListFilters } from './html.js';

/** A running `weft ui` server. */
export interface UiServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Where to listen. */
export interface UiServerOptions {
  readonly host?: string;
  /** 0 for any free port. */
  readonly port: number;
  /** Tasks listed at most. */
  readonly listLimit?: number;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function handle(weft: WeftClient, req: IncomingMessage, res: ServerResponse, limit: number): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://weft.local');
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 0) {
    const q = url.searchParams;
    const filters: ListFilters = {
      ...(q.get('template') ? { template: q.get('template')! } : {}),
      ...(q.get('state') ? { state: q.get('state')! } : {}),
      ...(q.get('parked') ? { parked: true } : {}),
      ...(q.get('exhausted') ? { exhausted: true } : {}),
      ...(q.get('createdBy') ? { createdBy: q.get('createdBy')! } : {}),
    };
    const query = listQuery(filters);
    send(res, 200, listPage(await weft.list(query, limit), filters, query));
    return;
  }
  if (parts[0] === 'tasks' && parts[1] !== undefined) {
    const view = await weft.read(parts[1]);
    const base = weft.historyUrl(view);
    if (parts.length === 2) {
      send(res, 200, taskPage(view, base));
      return;
    }
    if (parts[2] === 'steps' && parts[3] !== undefined) {
      const step = view.steps.find((s) => s.record.name === parts[3]);
      if (!step) {
        send(res, 404, page('no such step', `<p>Task ${esc(view.workflowId)} has no step '${esc(parts[3])}'. <a href="/tasks/${encodeURIComponent(view.workflowId)}">Its steps</a>.</p>`));
        return;
      }
      // The last execution may be in a slice or an earlier run: link into the history that holds it.
      const last = step.executions.at(-1);
      send(res, 200, stepPage(view, step, last === undefined ? base : weft.historyUrl(last), (e) => weft.historyUrl(e)));
      return;
    }
  }
  send(res, 404, page('not found', `<p>No page at ${esc(url.pathname)}. <a href="/">Tasks</a>.</p>`));
}

/** Starts the server; resolves once it listens. */
export async function startUiServer(weft: WeftClient, options: UiServerOptions): Promise<UiServer> {
  const limit = options.listLimit ?? 200;
  const server = createServer((req, res) => {
    handle(weft, req, res, limit).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      send(res, /no task/.test(message) ? 404 : 502, page('error', `<p class="error">${esc(message)}</p><p><a href="/">Tasks</a></p>`));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections open; an operator's Ctrl-C should not wait for them.
        server.closeAllConnections();
      }),
  };
}
