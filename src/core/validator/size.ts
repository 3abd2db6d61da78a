/**
 * The size of a fragment given as a value (a tool call's input), as the UTF-8 byte length of
 * its JSON text, without building that text: a large fragment is measured by one walk that
 * allocates nothing, instead of a multi-megabyte string made only to be counted. The walk also
 * proves the value is plain JSON, which the schema check then relies on.
 */

/**
 * `utf8ByteLength(JSON.stringify(value))` for plain JSON data (strings, finite numbers,
 * booleans, null, arrays, plain objects); -1 when the value holds anything else (undefined,
 * functions, class instances, non-finite numbers), for which only `JSON.stringify` knows the
 * answer.
 */
export function plainJsonByteLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'boolean':
      return value ? 4 : 5;
    case 'number':
      return Number.isFinite(value) ? String(value).length : -1;
    case 'object':
      return value === null ? 4 : Array.isArray(value) ? arrayBytes(value) : objectBytes(value);
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      return -1;
  }
}

function arrayBytes(items: readonly unknown[]): number {
  let total = 2 + Math.max(0, items.length - 1);
  for (const item of items) {
    const n = plainJsonByteLength(item);
    if (n < 0) return -1;
    total += n;
  }
  return total;
}

function objectBytes(value: object): number {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return -1;
  const keys = Object.keys(value);
  let total = 2 + Math.max(0, keys.length - 1);
  for (const key of keys) {
    const n = plainJsonByteLength((value as Record<string, unknown>)[key]);
    if (n < 0) return -1;
    total += stringBytes(key) + 1 + n;
  }
  return total;
}

/** Bytes of a string as JSON writes it: quotes, escapes (`\n`, `\u001f`, lone surrogates) and UTF-8. */
function stringBytes(s: string): number {
  let total = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) total += 2;
    else if (c < 0x20) total += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c < 0x80) total += 1;
    else if (c < 0x800) total += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        total += 4;
        i++;
      } else total += 6;
    } else if (c >= 0xdc00 && c <= 0xdfff) total += 6;
    else total += 3;
  }
  return total;
}
