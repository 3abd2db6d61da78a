/**
 * `weft ui [--port n]`: the local operator page — task list with the `Weft*` filters, each task's
 * DAG (planned vs actual, provenance, fan-outs collapsed), planning attempts side by side with
 * diagnostics on their nodes, each step's layer 4. Reads history and visibility: no worker needed.
 */
import { CliError, defineCommand } from '../command.js';

/** `weft ui`. */
export const uiCommand = defineCommand({
  name: 'ui',
  summary: 'Serve the operator page on localhost: tasks, DAG with live states, planning attempts, steps.',
  description: 'Listens on 127.0.0.1 (default port 8299) until Ctrl-C. Reads tasks through TEMPORAL_ADDRESS; needs no worker.',
  positionals: [],
  options: { port: { type: 'string', placeholder: 'n', description: 'port to listen on (default 8299; 0 for any free port)' } },
  async run({ options }, ctx) {
    const port = options.port === undefined ? 8299 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number (0-65535), not '${options.port}'`);
    const { startUiServer } = await import('../../ui/server.js');
    const weft = await ctx.connect();
    let server;
    try {
      server = await startUiServer(weft, { port });
    } catch (err) {
      await weft.close();
      throw new CliError(`cannot listen on 127.0.0.1:${port}: ${(err as Error).message}; choose another with --port`, 1);
    }
    ctx.out(`weft ui: ${server.url} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await weft.close();
    ctx.out('weft ui: stopped');
    return 0;
  },
});
