/**
 * Schema issues as one line for a message, the same everywhere: activities, workflow code (this
 * module is sandbox-safe) and composed handlers.
 */

/** What is read of an issue: zod's, or any with a path and a message. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * Formats issues as "path: message; ..." — at most `max`, then "and N more".
 * @example formatIssues(parsed.error) // "rows.0.id: Invalid input: expected string; (root): Unrecognized key: \"x\""
 */
export function formatIssues(error: { readonly issues: readonly IssueLike[] }, max = 5): string {
  const issues = error.issues.map((i) => `${i.path.length === 0 ? '(root)' : i.path.map(String).join('.')}: ${i.message}`);
  const shown = issues.slice(0, max).join('; ');
  return issues.length > max ? `${shown}; and ${issues.length - max} more` : shown;
}
