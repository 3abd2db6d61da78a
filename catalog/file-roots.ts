/**
 * File paths a planner or a task input can reach, confined to the directories the worker's
 * operator configured. A path is resolved (relative to the working directory), then the part of
 * it that exists is resolved through symlinks, and the result must lie inside one of the roots
 * (themselves resolved through symlinks): `../../etc/passwd`, `/etc/passwd` and a symlink that
 * points out of a root are all denied, with a message naming the roots and how to add one.
 */
import { realpath } from 'node:fs/promises';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';

/** The variable that lists the roots: absolute directories separated by the platform's path delimiter (`:`). */
export const FILE_ROOTS_VARIABLE = 'WEFT_FILE_ROOTS';

/**
 * The roots a handler may read or write under: `WEFT_FILE_ROOTS` when set, else the working
 * directory; `extra` (what the operator configured for this handler, e.g. `WEFT_REPORT_DIR`, or
 * the handler's own data) always counts.
 */
export function fileRoots(extra: readonly (string | undefined)[] = [], env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const listed = env[FILE_ROOTS_VARIABLE]?.split(delimiter).filter((r) => r.length > 0);
  const base = listed && listed.length > 0 ? listed : [process.cwd()];
  return [...new Set([...base, ...extra.filter((r): r is string => typeof r === 'string' && r.length > 0)].map((r) => resolve(r)))];
}

/** A path outside every root; `message` says which path, which roots, and what to do. */
export class PathOutsideRoots extends Error {
  override readonly name = 'PathOutsideRoots';
  constructor(
    readonly path: string,
    readonly resolved: string,
    readonly roots: readonly string[],
  ) {
    super(
      `The path '${path}' (${resolved}) is outside the directories this worker may use: ${roots.join(', ')}. ` +
        `Use a path under one of them, or have the operator add its directory to ${FILE_ROOTS_VARIABLE} ` +
        `(absolute directories separated by '${delimiter}').`,
    );
  }
}

/** `path` through symlinks as far as it exists, with the rest appended. */
async function realish(path: string): Promise<string> {
  let head = path;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(await realpath(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return path;
      tail.push(basename(head));
      head = parent;
    }
  }
}

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves `path` (relative to the working directory) and checks it against `roots`; returns
 * the absolute path, or throws `PathOutsideRoots`.
 * @example await confinePath('reports/today', fileRoots()) // '/srv/weft/reports/today'
 */
export async function confinePath(path: string, roots: readonly string[]): Promise<string> {
  const absolute = isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path);
  const real = await realish(absolute);
  const realRoots = await Promise.all(roots.map((r) => realish(resolve(r))));
  if (!realRoots.some((r) => inside(real, r))) throw new PathOutsideRoots(path, real, roots);
  return absolute;
}
