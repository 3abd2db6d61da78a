/**
 * Reading a response body with a size cap that holds while it streams: the count is kept per
 * chunk and the socket is destroyed as soon as it is passed, so a large or endless body costs at
 * most the cap in memory and never has to arrive in full.
 */
import type http from 'node:http';

/** The body was over the cap; `received` is what had arrived (or what `content-length` announced). */
export class TooLarge extends Error {
  override readonly name = 'TooLarge';
  constructor(readonly received: number) {
    super(`response body over the limit after ${received} bytes`);
  }
}

/**
 * Reads a response body up to `limit` bytes. Past it, stops reading and throws `TooLarge`, or with
 * `truncate` returns the first `limit` bytes (for excerpts in error messages).
 */
export function readBody(res: http.IncomingMessage, limit: number, truncate = false): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > limit) {
        if (truncate) chunks.push(chunk.subarray(0, chunk.length - (received - limit)));
        res.destroy();
        settle(() => (truncate ? resolve(Buffer.concat(chunks)) : reject(new TooLarge(received))));
        return;
      }
      chunks.push(chunk);
    });
    res.once('end', () => settle(() => resolve(Buffer.concat(chunks))));
    res.on('error', (err) => settle(() => reject(err)));
    res.once('close', () => settle(() => reject(new Error('the connection closed before the response ended'))));
  });
}
