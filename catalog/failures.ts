/**
 * Declared error modes and the failures built from them. A handler declares its modes once; the
 * returned `fail` accepts only those codes, so a handler cannot throw a failure type it did not
 * declare (the engine derives retry policies and operators group alerts by these types).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ErrorMode } from '../src/core/manifest.js';

/** How one error mode behaves: whether a retry can help, and when it happens. */
export interface ErrorModeSpec {
  readonly retryable: boolean;
  readonly description: string;
}

/** A handler's declared error modes, as manifest data and as a typed failure factory. */
export interface DeclaredErrorModes<Code extends string> {
  /** The modes as manifest entries, in declaration order. */
  readonly modes: readonly ErrorMode[];
  /**
   * Builds the `ApplicationFailure` for `code`: its `type` is the code and `nonRetryable` follows
   * the declaration. `details` travel to the workflow and to operators as one structured value.
   */
  fail(code: Code, message: string, details?: unknown): ApplicationFailure;
}

/**
 * Declares a handler's error modes.
 * @example
 * const errors = declareErrorModes({
 *   TRANSFORM_TIMEOUT: { retryable: false, description: 'The expression ran past its time limit.' },
 * });
 * throw errors.fail('TRANSFORM_TIMEOUT', 'Expression ran longer than 1000 ms; simplify it.');
 */
export function declareErrorModes<const Specs extends Record<string, ErrorModeSpec>>(
  specs: Specs,
): DeclaredErrorModes<keyof Specs & string> {
  const modes: ErrorMode[] = Object.entries(specs).map(([code, spec]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) {
      throw new TypeError(`Error mode code '${code}' is invalid: use SCREAMING_SNAKE_CASE (A-Z, 0-9, _).`);
    }
    return { code, retryable: spec.retryable, description: spec.description };
  });
  return {
    modes,
    fail(code, message, details) {
      const spec = specs[code] as ErrorModeSpec;
      return ApplicationFailure.create({
        type: code,
        message,
        nonRetryable: !spec.retryable,
        ...(details === undefined ? {} : { details: [details] }),
      });
    },
  };
}

/**
 * Points at a position in a one-line rendering of `text`: the surrounding characters and a caret,
 * for messages about expressions and files.
 * @example pointAt('foo(]', 4) // "foo(]\n    ^"
 */
export function pointAt(text: string, index: number, width = 60): string {
  const at = Math.max(0, Math.min(index, text.length));
  const start = Math.max(0, at - Math.floor(width / 2));
  const end = Math.min(text.length, start + width);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  // Newlines and tabs would break the caret alignment; show them as spaces.
  const shown = text.slice(start, end).replace(/[\r\n\t]/g, ' ');
  return `${prefix}${shown}${suffix}\n${' '.repeat(prefix.length + at - start)}^`;
}
