/**
 * Argument parsing for one command, with `node:util` parseArgs, driven by the command's table
 * entry: unknown options, missing or extra positionals and values outside `choices` are usage
 * errors that name what is wrong.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type AnyCommand } from './command.js';

/** What parsing yields: typed by the command, or a request for help. */
export type Parsed =
  | { readonly help: true }
  | { readonly help: false; readonly options: Record<string, unknown>; readonly positionals: Record<string, string | readonly string[] | undefined> };

/** Parses `argv` (the words after the command name) for `command`. */
export function parseCommandArgs(command: AnyCommand, argv: readonly string[]): Parsed {
  const specs = command.options as Record<string, AnyOption>;
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  let values: Record<string, unknown>;
  let words: string[];
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    values = parsed.values;
    words = parsed.positionals;
  } catch (err) {
    throw new UsageError(cleanParseError(err));
  }
  if (values['help'] === true) return { help: true };
  const positionals: Record<string, string | readonly string[] | undefined> = {};
  const declared = command.positionals as readonly { name: string; optional?: boolean; variadic?: boolean }[];
  declared.forEach((p, i) => {
    const value = words[i];
    if (value === undefined && !p.optional) throw new UsageError(`missing <${p.name}>`);
    positionals[p.name] = p.variadic ? words.slice(i) : value;
  });
  const takesRest = declared.at(-1)?.variadic === true;
  if (!takesRest && words.length > declared.length) throw new UsageError(`unexpected argument '${words[declared.length] ?? ''}'`);
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    if (spec.type === 'boolean') {
      out[name] = value === true;
      continue;
    }
    if (value === undefined) {
      if (spec.required) throw new UsageError(`--${name} <${spec.placeholder ?? 'value'}> is required`);
      out[name] = undefined;
      continue;
    }
    const text = value as string;
    if (spec.choices && !spec.choices.includes(text)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got '${text}')`);
    }
    out[name] = text;
  }
  return { help: false, options: out, positionals };
}

interface AnyOption {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly placeholder?: string;
  readonly choices?: readonly string[];
  readonly required?: boolean;
}

/** parseArgs' messages, shortened to what the user typed and what is wrong. */
function cleanParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option '${missing[1]?.replace(/^-\w, /, '')}' needs a value`;
  const noValue = /Option '([^']+)' does not take an argument/.exec(message);
  if (noValue) return `option '${noValue[1]?.replace(/^-\w, /, '')}' takes no value`;
  return message.split('\n')[0] ?? message;
}

/** Parses a whole number option within bounds, or fails naming the option. */
export function intOption(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got '${value}')`);
  return n;
}
