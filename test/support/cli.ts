/**
 * Running commands as a user would, from tests: `weft` through the repository's `bin/weft.js`, or
 * any program, resolving with the exit status and both streams (a non-zero exit does not reject).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';

const execFileAsync = promisify(execFile);

/** What a command did. */
export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args` in `cwd` with exactly `env`; rejects only when it could not run or timed out. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): Promise<CommandRun> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs `node bin/weft.js args` in the repository with exactly `env`. */
export function runWeft(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): Promise<CommandRun> {
  return runCommand(process.execPath, ['bin/weft.js', ...args], { env, ...(timeoutMs ? { timeoutMs } : {}) });
}
