/**
 * Finds where JSON text stops being valid JSON. `JSON.parse` only sometimes says where (Node 20's
 * "Unexpected token" messages give a snippet, not a position), and a message about a broken data
 * file must point at the line and column to fix.
 */

/** Where and why JSON text is invalid. */
export interface JsonErrorPosition {
  /** Offset of the offending character (0-based, UTF-16 code units). */
  readonly position: number;
  /** 1-based line and column of that character. */
  readonly line: number;
  readonly column: number;
  /** What the scanner expected there, e.g. "',' or ']'". */
  readonly expected: string;
}

/** Thrown inside the scanner to unwind to the first error. */
class Stop extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {
    super(`expected ${expected} at ${position}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Raw control characters are exactly what JSON strings may not contain, so the class names them.
// eslint-disable-next-line no-control-regex
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

/**
 * Scans `text` as JSON and returns where it first fails, or `null` when it is valid JSON.
 * @example locateJsonError('[1,2,}') // { position: 5, line: 1, column: 6, expected: 'a value' }
 */
export function locateJsonError(text: string): JsonErrorPosition | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (ch: string, what: string) => {
    if (text[i] !== ch) throw new Stop(i, what);
    i++;
  };
  const match = (re: RegExp): boolean => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m || m[0] === '') return false;
    i += m[0].length;
    return true;
  };
  const string = () => {
    expect('"', 'a string');
    STRING_BODY.lastIndex = i;
    i += STRING_BODY.exec(text)?.[0].length ?? 0;
    expect('"', 'a closing quote or a valid escape');
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        expect(':', "':'");
        value();
        ws();
        if (text[i] === ',') i++;
        else return expect('}', "',' or '}'");
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else return expect(']', "',' or ']'");
      }
    }
    if (ch === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    if (!match(NUMBER)) throw new Stop(i, 'a value');
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop(i, 'the end of the document');
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.position);
    const line = before.split('\n').length;
    const column = err.position - before.lastIndexOf('\n');
    return { position: err.position, line, column, expected: err.expected };
  }
}
