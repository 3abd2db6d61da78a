/**
 * Append-only JSON-lines files, shared by the mutating handlers (`emit`'s file sink and
 * `persist`): an exclusive lock that holds across processes, a reader that tolerates a write torn
 * by a crash, and an append that is on disk before it returns.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One complete line of a JSON-lines file. */
export interface JsonLine {
  readonly value: unknown;
  /** 1-based line number, for messages. */
  readonly line: number;
  /** Byte offset just after this line's newline. */
  readonly end: number;
}

/** A JSON-lines file as read: its complete lines and what identifies this version of it. */
export interface JsonLinesSnapshot {
  readonly lines: readonly JsonLine[];
  /** Bytes after the last newline: a write torn by a crash, never part of the data. */
  readonly tornBytes: number;
  readonly size: number;
  /** Inode, size and mtime: changes whenever the file does (for cache invalidation). */
  readonly version: string;
}

/** A complete line that is not JSON: the file was damaged or edited by hand. */
export class CorruptLineError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
  ) {
    super(`${path}:${line} is not a JSON line`);
  }
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** The version string of `path` ('missing' when it does not exist), as `readJsonLines` reports it. */
export async function fileVersion(path: string): Promise<string> {
  try {
    const st = await stat(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return 'missing';
    throw err;
  }
}

/**
 * Reads every complete line of `path` (a missing file has none). The bytes after the last newline
 * are a torn write and are left out. A complete line that is not JSON throws `CorruptLineError`,
 * or is skipped with `corrupt: 'skip'`.
 */
export async function readJsonLines(path: string, corrupt: 'throw' | 'skip' = 'throw'): Promise<JsonLinesSnapshot> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { lines: [], tornBytes: 0, size: 0, version: 'missing' };
    throw err;
  }
  let buf: Buffer;
  let version: string;
  try {
    // Read exactly the size we stat, so the version describes the bytes we parse.
    const st = await handle.stat();
    version = `${st.ino}:${st.size}:${st.mtimeMs}`;
    buf = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const { bytesRead } = await handle.read(buf, read, st.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    buf = buf.subarray(0, read);
  } finally {
    await handle.close();
  }
  const lines: JsonLine[] = [];
  let start = 0;
  let number = 0;
  for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
    number += 1;
    const text = buf.toString('utf8', start, nl);
    start = nl + 1;
    if (text.trim() === '') continue;
    try {
      lines.push({ value: JSON.parse(text) as unknown, line: number, end: start });
    } catch {
      if (corrupt === 'throw') throw new CorruptLineError(path, number);
    }
  }
  return { lines, tornBytes: buf.length - start, size: buf.length, version };
}

/** Cuts `path` back to `size` bytes (dropping a torn or uncommitted tail) and syncs it. */
export async function truncateDurably(path: string, size: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Appends `text` with one write and syncs it; a new file's directory entry is synced too. */
export async function appendDurably(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const created = (await fileVersion(path)) === 'missing';
  const handle = await open(path, 'a');
  try {
    await handle.appendFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) {
    // Without this a power cut can lose the new file's name even though its bytes were synced.
    try {
      const dir = await open(dirname(path), 'r');
      await dir.sync().finally(() => dir.close());
    } catch {
      // Some platforms cannot open or sync a directory; the data itself is synced.
    }
  }
}

// Activities of one worker queue here first, so they do not poll the lock file against each other.
const inProcess = new Map<string, Promise<void>>();

/** Waits for `promise`, or rejects with the abort reason as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/** An empty lock file this old was left by a crash between creating and writing it. */
const EMPTY_LOCK_STALE_MS = 5_000;

/**
 * Removes the lock at `lockPath` when its holder is a process of this host that no longer runs.
 * The lock is moved aside before it is deleted, and put back if it turns out to be a new holder's.
 */
async function removeIfStale(lockPath: string): Promise<boolean> {
  let content: string;
  let mtimeMs: number;
  try {
    [content, mtimeMs] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath).then((s) => s.mtimeMs)]);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return true;
    throw err;
  }
  let pid: unknown;
  try {
    pid = (JSON.parse(content) as { pid?: unknown }).pid;
  } catch {
    pid = undefined;
  }
  const stale = typeof pid === 'number' ? !isAlive(pid) : Date.now() - mtimeMs > EMPTY_LOCK_STALE_MS;
  if (!stale) return false;
  const aside = `${lockPath}.${randomUUID()}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return true;
    throw err;
  }
  if ((await readFile(aside, 'utf8')) !== content) {
    // Another waiter replaced the stale lock between our read and our rename: give it back.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

async function acquireLockFile(lockPath: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const token = JSON.stringify({ pid: process.pid, nonce: randomUUID(), at: new Date().toISOString() });
  await mkdir(dirname(lockPath), { recursive: true });
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    signal.throwIfAborted();
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(token, 'utf8').finally(() => handle.close());
      return async () => {
        // Delete only our own lock: if it was taken from us as stale, it is someone else's now.
        const current = await readFile(lockPath, 'utf8').catch(() => undefined);
        if (current === token) await unlink(lockPath).catch(() => undefined);
      };
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    if (await removeIfStale(lockPath)) continue;
    // Rethrow the activity's own abort reason rather than the timer's generic AbortError.
    await sleep(delay, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
}

/**
 * Runs `fn` while holding the exclusive lock of `path` (the file `<path>.lock`, created with `wx`).
 * Waits for the holder until `signal` aborts; a lock left by a dead process of this host is
 * taken over. The store must therefore be local to one host, not on a shared network disk.
 */
export async function withFileLock<T>(path: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const previous = inProcess.get(path) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => mine);
  inProcess.set(path, tail);
  try {
    await abortable(previous, signal);
    const release = await acquireLockFile(`${path}.lock`, signal);
    try {
      return await fn();
    } finally {
      await release();
    }
  } finally {
    done();
    if (inProcess.get(path) === tail) inProcess.delete(path);
  }
}
