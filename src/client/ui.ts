/**
 * Links into the Temporal Web UI. The base comes from `WEFT_UI_URL`, else from the host of
 * `TEMPORAL_ADDRESS` with the dev server's UI port: `WEFT_TEMPORAL_UI_PORT` (the port
 * `temporal-dev.sh` was told to use) or 8233.
 */
import { ConfigError, type WeftConfig } from '../config.js';

/** The dev server's Web UI port. */
export const DEFAULT_UI_PORT = 8233;

/**
 * The Web UI base URL, without a trailing slash. Throws `ConfigError` naming `WEFT_UI_URL` when it
 * is set to something that is not an http(s) URL.
 * @example uiBase({ temporalAddress: '127.0.0.1:7233', ... }, {}) // "http://127.0.0.1:8233"
 */
export function uiBase(config: Pick<WeftConfig, 'temporalAddress'>, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = env['WEFT_UI_URL'];
  if (given !== undefined && given !== '') {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new ConfigError(`WEFT_UI_URL='${given}' is not a URL (for example http://127.0.0.1:8233).`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`WEFT_UI_URL='${given}' must be an http or https URL (for example http://127.0.0.1:8233).`);
    }
    return given.replace(/\/+$/, '');
  }
  const host = config.temporalAddress.slice(0, config.temporalAddress.lastIndexOf(':'));
  // A server listening on every interface is reached through loopback from this machine.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  const port = env['WEFT_TEMPORAL_UI_PORT'];
  return `http://${reachable}:${port !== undefined && /^\d{1,5}$/.test(port) ? port : DEFAULT_UI_PORT}`;
}

/**
 * The Web UI history of one run, at an event when given:
 * `<base>/namespaces/<ns>/workflows/<id>/<run>/history[/events/<event>]`. An execution of a
 * task's step may be in a slice (a child workflow) or an earlier run: link to where it is.
 */
export function historyUrl(base: string, namespace: string, at: { readonly workflowId: string; readonly runId: string; readonly scheduledEventId?: number }): string {
  const run = `${taskUrl(base, namespace, at.workflowId)}/${encodeURIComponent(at.runId)}/history`;
  return at.scheduledEventId === undefined ? run : `${run}/events/${at.scheduledEventId}`;
}

/** The Web UI page of one task: `<base>/namespaces/<ns>/workflows/<id>`. */
export function taskUrl(base: string, namespace: string, workflowId: string): string {
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
