/**
 * Reading the files commands are given: failures are I/O errors (exit 2) naming the file and
 * what is wrong with it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { JsonValue } from '../core/json.js';
import { CliError } from './command.js';

/** Reads a text file relative to `cwd`; a missing or unreadable file is a CliError (exit 2). */
export async function readText(path: string, cwd: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new CliError(`cannot read ${what} ${path}: ${why}`);
  }
}

/** Reads and parses a JSON file; invalid JSON is a CliError (exit 2) with the parser's message. */
export async function readJson(path: string, cwd: string, what: string): Promise<JsonValue> {
  const text = await readText(path, cwd, what);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new CliError(`${what} ${path} is not JSON: ${(err as Error).message}`);
  }
}

/** Parses a JSON argument given on the command line. */
export function parseJsonArgument(text: string, option: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new CliError(`--${option} is not JSON: ${(err as Error).message} (quote it for the shell, e.g. --${option} '{"ok": true}')`);
  }
}
