/**
 * The `weft` CLI: one command table, from which dispatch, usage lines and help are derived.
 * `bin/weft.js` calls `runCli` (compiled, or through tsx in a checkout); tests call it with their own context.
 * Command modules import what they need inside `run`, so `weft --help` loads none of it.
 * @example
 * const code = await runCli(['validate', 'fragment.json', '--template', 'order-triage']);
 */
import { WeftClientError } from '../client/error.js';
import { ConfigError, loadConfig } from '../config.js';
import { packageVersion } from '../package-root.js';
import { RegistryError } from '../registry.js';
import { parseCommandArgs } from './args.js';
import { CliError, UsageError, type AnyCommand, type CliContext } from './command.js';
import { blobGetCommand } from './commands/blob.js';
import { bundleCommand } from './commands/bundle.js';
import { catalogCommand } from './commands/catalog.js';
import {
  devServerBuildCommand,
  devServerPathsCommand,
  devServerStartCommand,
  devServerStatusCommand,
  devServerStopCommand,
} from './commands/dev-server.js';
import { dlqFailCommand, dlqListCommand, dlqRetryCommand, dlqSkipCommand } from './commands/dlq.js';
import { evalCommand } from './commands/eval.js';
import { replayCommand } from './commands/replay.js';
import { gateApproveCommand, gateRejectCommand } from './commands/gate.js';
import { inspectCommand } from './commands/inspect.js';
import { runCommand } from './commands/run.js';
import { templatesCommand } from './commands/templates.js';
import { uiCommand } from './commands/ui.js';
import { validateCommand } from './commands/validate.js';
import { workerCommand } from './commands/worker.js';
import { commandHelp, mainHelp, usageLine } from './help.js';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly AnyCommand[] = [
  workerCommand,
  runCommand,
  inspectCommand,
  uiCommand,
  validateCommand,
  catalogCommand,
  templatesCommand,
  dlqListCommand,
  dlqRetryCommand,
  dlqSkipCommand,
  dlqFailCommand,
  gateApproveCommand,
  gateRejectCommand,
  blobGetCommand,
  evalCommand,
  bundleCommand,
  devServerBuildCommand,
  devServerStartCommand,
  devServerStopCommand,
  devServerStatusCommand,
  devServerPathsCommand,
  replayCommand,
];

/** The context of a real run: process streams, environment and working directory. */
export function processContext(env: Readonly<Record<string, string | undefined>> = process.env): CliContext {
  return {
    env,
    cwd: process.cwd(),
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    // Loaded on first use: commands that never connect do not pay for the Temporal client.
    connect: async () => (await import('../client.js')).WeftClient.connect(loadConfig(env), { env }),
  };
}

/** Finds the command `argv` names (one or two words); returns it with the remaining words. */
export function findCommand(argv: readonly string[]): { command: AnyCommand; rest: readonly string[] } | null {
  const two = `${argv[0] ?? ''} ${argv[1] ?? ''}`;
  const byTwo = COMMANDS.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = COMMANDS.find((c) => c.name === argv[0]);
  return byOne ? { command: byOne, rest: argv.slice(1) } : null;
}

/** Runs the CLI; resolves to the exit status (0 ok, 1 failure, 2 usage or I/O error). */
export async function runCli(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    (first === undefined ? ctx.err : ctx.out)(mainHelp(COMMANDS));
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    ctx.out(packageVersion());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0) {
      const subs = group.map((c) => c.name.split(' ')[1]).join('|');
      ctx.err(`weft ${first}: ${argv[1] === undefined ? 'missing' : `unknown subcommand '${argv[1]}', expected`} ${subs}`);
      ctx.err(group.map((c) => `usage: ${usageLine(c)}`).join('\n'));
      return 2;
    }
    ctx.err(`weft: unknown command '${first}'; commands: ${[...new Set(COMMANDS.map((c) => c.name.split(' ')[0]))].join(', ')} (weft --help)`);
    return 2;
  }
  const { command, rest } = found;
  try {
    const parsed = parseCommandArgs(command, rest);
    if (parsed.help) {
      ctx.out(commandHelp(command));
      return 0;
    }
    // The parser enforced the command's own table, which is what its `run` is typed from.
    return await command.run({ options: parsed.options as never, positionals: parsed.positionals as never }, ctx);
  } catch (err) {
    return report(err, command, ctx);
  }
}

function report(err: unknown, command: AnyCommand, ctx: CliContext): number {
  const prefix = `weft ${command.name}`;
  if (err instanceof UsageError) {
    ctx.err(`${prefix}: ${err.message}`);
    ctx.err(`usage: ${usageLine(command)}   (weft ${command.name} --help)`);
    return 2;
  }
  if (err instanceof CliError) {
    ctx.err(`${prefix}: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof ConfigError || err instanceof RegistryError) {
    ctx.err(`${prefix}: ${err.message}`);
    return 2;
  }
  if (err instanceof WeftClientError) {
    ctx.err(`${prefix}: ${err.message}`);
    return 1;
  }
  ctx.err(`${prefix}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}
