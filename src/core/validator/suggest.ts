/**
 * "Did you mean" ordering for hints: the choices closest to what was written come first, then
 * the rest in their given order, so that `listChoices` shows the likely fix within its five.
 */

/**
 * Edit distance (insertions, deletions, substitutions) between two strings, or `limit + 1` as
 * soon as it must exceed `limit`: hints only care about near misses, and names can be long.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Orders `choices` for a hint about `written`: close matches first (small edit distance, or one
 * containing the other, case-insensitively), nearest first; then every other choice in order.
 * @example closestFirst('http_get', ['transform', 'http_request', 'validate']) // ['http_request', 'transform', 'validate']
 */
export function closestFirst(written: string, choices: readonly string[]): string[] {
  const w = written.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  const scored: { choice: string; score: number; order: number }[] = [];
  const rest: string[] = [];
  const seen = new Set<string>();
  choices.forEach((choice, order) => {
    if (seen.has(choice)) return;
    seen.add(choice);
    const c = choice.toLowerCase();
    const distance = editDistance(w, c, limit);
    // Containment catches what distance misses: 'http_get' ~ 'http_get_json', 'orders' ~ 'order_list'.
    const contained = w.length >= 3 && (c.includes(w) || w.includes(c));
    const sharedPrefix = commonPrefix(w, c) >= Math.min(4, Math.max(w.length, 1));
    if (distance <= limit) scored.push({ choice, score: distance, order });
    else if (contained || sharedPrefix) scored.push({ choice, score: limit + 1, order });
    else rest.push(choice);
  });
  scored.sort((x, y) => x.score - y.score || x.order - y.order);
  return [...scored.map((s) => s.choice), ...rest];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
