/**
 * Relevance of handlers to a problem: a deterministic keyword score, no embeddings, no model.
 * Terms are lower-cased words of three letters or more, stop words dropped, lightly stemmed
 * ("validates", "validation", "validating" → "validat"). A term the problem shares with a
 * handler's name counts 3, with its description 1, each weighted by how rare the term is in the
 * catalog (a word every handler mentions says little); a category the problem points at (its name
 * or one of {@link CATEGORY_KEYWORDS}) adds 2 to each of its handlers, and 8 more to its
 * primitives — handlers named only by the category's keywords (`transform`, `validate`,
 * `aggregate` for data) — so a data problem gets the data primitives' schemas first, as the
 * essay's category-based inclusion has it.
 */
import type { HandlerManifestEntry } from '../core/manifest.js';

/** Words that point a problem at a built-in category (the essay's category-based inclusion). */
export const CATEGORY_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  data: ['data', 'json', 'schema', 'record', 'row', 'field', 'validate', 'transform', 'filter', 'map', 'csv', 'table', 'dedupe', 'normalize', 'join', 'aggregate', 'count', 'sum', 'group', 'sort', 'parse', 'clean', 'reshape'],
  api: ['api', 'http', 'endpoint', 'request', 'url', 'rest', 'webhook', 'fetch', 'auth', 'token', 'oauth', 'graphql', 'service'],
  control: ['decide', 'decision', 'branch', 'route', 'approve', 'approval', 'gate', 'condition', 'review', 'rule', 'threshold', 'escalate'],
  io: ['file', 'write', 'read', 'store', 'save', 'persist', 'upload', 'download', 'export', 'import', 'report', 'send', 'emit', 'email', 'notify', 'publish', 'queue', 'bucket'],
  llm: ['summarize', 'summary', 'classify', 'extract', 'translate', 'llm', 'prompt', 'text', 'sentiment', 'generate', 'language'],
};

const STOP_WORDS = new Set(
  'the and for with from into onto that this these those then than them they their there what when where which while who why how all any each every some such are was were been being has have had does did doing not nor but its our your you use using against about above after before below between over under again only own same can will just should could would may might must shall per via also out off let get'.split(' '),
);

const SUFFIXES = ['ions', 'ion', 'ings', 'ing', 'ers', 'ed', 'es', 's', 'e'];

function stem(word: string): string {
  for (const suffix of SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 4) return word.slice(0, -suffix.length);
  }
  return word;
}

/** The distinct stemmed terms of a text (snake_case names split into words). */
export function termsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word.length >= 3 && !STOP_WORDS.has(word)) out.add(stem(word));
  }
  return out;
}

/** The categories (of `categories`) whose name or keywords the text mentions, in the given order. */
export function categoriesPointedAt(categories: readonly string[], text: string): string[] {
  const terms = termsOf(text);
  return categories.filter((c) => [...keywordTerms(c)].some((t) => terms.has(t)));
}

const NAME_WEIGHT = 3;
const DESCRIPTION_WEIGHT = 1;
const CATEGORY_WEIGHT = 2;
const PRIMITIVE_WEIGHT = 8;

const keywordTerms = (category: string) => new Set([category, ...(CATEGORY_KEYWORDS[category] ?? [])].flatMap((k) => [...termsOf(k)]));

/**
 * Each handler's relevance to `text`, by name: 0 when nothing is shared. Scores compare within
 * one call only (term rarity is measured over `entries`).
 */
export function relevanceScores(entries: readonly HandlerManifestEntry[], text: string): Map<string, number> {
  const problem = termsOf(text);
  const pointed = new Set(categoriesPointedAt([...new Set(entries.map((e) => e.category))], text));
  const fields = entries.map((e) => ({ entry: e, name: termsOf(e.name), description: termsOf(e.description) }));
  const df = new Map<string, number>();
  for (const f of fields) for (const t of new Set([...f.name, ...f.description])) if (problem.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + entries.length / (df.get(t) ?? 1));
  const keywords = new Map([...pointed].map((c) => [c, keywordTerms(c)]));
  const scores = new Map<string, number>();
  for (const f of fields) {
    const categoryTerms = keywords.get(f.entry.category);
    let score = 0;
    if (categoryTerms !== undefined) {
      score += CATEGORY_WEIGHT;
      if (f.name.size > 0 && [...f.name].every((t) => categoryTerms.has(t))) score += PRIMITIVE_WEIGHT;
    }
    for (const t of problem) {
      if (f.name.has(t)) score += NAME_WEIGHT * idf(t);
      else if (f.description.has(t)) score += DESCRIPTION_WEIGHT * idf(t);
    }
    scores.set(f.entry.name, score);
  }
  return scores;
}
