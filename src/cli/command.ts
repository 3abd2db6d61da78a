/**
 * The shape of a CLI command: name, summary, positionals and options in one table entry, from
 * which the parser, the usage line and the help text are all derived.
 */
import type { WeftClient } from '../client.js';

/** One `--option`. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder shown in usage, e.g. `file.json` for `--input <file.json>`. */
  readonly placeholder?: string;
  /** Allowed values of a string option; anything else is a usage error naming them. */
  readonly choices?: readonly string[];
  /** Required string option. */
  readonly required?: boolean;
  readonly description: string;
}

/** One positional argument. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  /** The last positional only: takes every remaining word (at least one unless `optional`). */
  readonly variadic?: boolean;
}

/** Option values as parsed: booleans are always set, strings may be absent. */
export type OptionValues<O extends Readonly<Record<string, OptionSpec>>> = {
  readonly [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean : O[K] extends { readonly required: true } ? string : string | undefined;
};

/** Positional values by name. */
export type PositionalValues<P extends readonly PositionalSpec[]> = {
  readonly [S in P[number] as S['name']]: S extends { readonly variadic: true }
    ? readonly string[]
    : S extends { readonly optional: true }
      ? string | undefined
      : string;
};

/** What a command gets to run. */
export interface CommandArgs<O extends Readonly<Record<string, OptionSpec>>, P extends readonly PositionalSpec[]> {
  readonly options: OptionValues<O>;
  readonly positionals: PositionalValues<P>;
}

/** Where a command writes and what it may use; tests pass their own. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Writes one line (or several) to standard output. */
  readonly out: (text: string) => void;
  /** Writes one line (or several) to standard error. */
  readonly err: (text: string) => void;
  /** Connects a client as the environment configures it. */
  readonly connect: () => Promise<WeftClient>;
}

/** A command: one entry of the command table. */
export interface Command<O extends Readonly<Record<string, OptionSpec>>, P extends readonly PositionalSpec[]> {
  /** One or two words, e.g. `run` or `dlq retry`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** More text for `--help`, when one line is not enough. */
  readonly description?: string;
  readonly positionals: P;
  readonly options: O;
  /** Exit status meanings, shown in `--help` when the command has more than 0/1. */
  readonly exitCodes?: readonly string[];
  /** Resolves to the exit status. */
  run(args: CommandArgs<O, P>, ctx: CliContext): Promise<number>;
}

/** A command of any shape, as the table holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any, any>;

/**
 * Defines a command with its options and positionals inferred, so `run` sees typed values.
 * @example
 * export const hello = defineCommand({
 *   name: 'hello', summary: 'Says hello.', positionals: [{ name: 'who', description: 'whom to greet' }],
 *   options: { loud: { type: 'boolean', description: 'shout' } },
 *   run: async ({ positionals, options }, ctx) => { ctx.out(options.loud ? `HELLO ${positionals.who}` : `hello ${positionals.who}`); return 0; },
 * });
 */
export function defineCommand<const O extends Readonly<Record<string, OptionSpec>>, const P extends readonly PositionalSpec[]>(
  command: Command<O, P>,
): Command<O, P> {
  return command;
}

/** A failure the CLI reports as one line and an exit status (2: usage or I/O error). */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
  }
}

/** Wrong arguments: exit 2, with the command's usage after the message. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, 2);
  }
}
