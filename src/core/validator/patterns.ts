/**
 * Regular expressions the planner wrote, checked against the engine that will run them
 * (PATTERN_UNSUPPORTED): planner-controlled patterns run on a linear-time engine (RE2 syntax,
 * `../linear-regex.ts`), which refuses backreferences and lookaround. Finding that here, rather
 * than when the step runs, gives the planner the chance to rewrite the pattern.
 *
 * Which inputs hold patterns is declared by the handler's input schema, never guessed from
 * names: `"x-weft-syntax": "json-schema"` (every `pattern` and `patternProperties` key of the
 * literal schema) and `"x-weft-syntax": "jsonata"` (every `/regex/flags` literal of the literal
 * expression). Manifests pinned before the keyword existed have none, so their runs validate as
 * they did.
 */
import { pointerToken } from '../diagnostics.js';
import { isSchemaObject } from '../json-schema/index.js';
import type { JsonSchema } from '../json.js';
import { LINEAR_REGEX_HINT, linearRegexProblem } from '../linear-regex.js';
import type { Analysis } from './analysis.js';

/** The schema keyword that marks an input holding patterns, and the syntaxes it names. */
export const SYNTAX_KEYWORD = 'x-weft-syntax';

/** Keywords whose values are data, not schemas: a `pattern` key inside them is not a pattern. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

// Whether an input schema marks any input at all, once per pinned schema: most handlers mark none.
const MARKED = new WeakMap<object, boolean>();

function marksPatterns(schema: JsonSchema): boolean {
  if (!isSchemaObject(schema)) return false;
  let marked = MARKED.get(schema);
  if (marked === undefined) {
    marked = JSON.stringify(schema).includes(`"${SYNTAX_KEYWORD}"`);
    MARKED.set(schema, marked);
  }
  return marked;
}

/** Reports every pattern in a marked literal input that the linear-time engine cannot run. */
export function checkPatterns(a: Analysis): void {
  for (const view of a.steps) {
    const entry = a.usableEntry(view);
    if (!entry || !marksPatterns(entry.inputSchema)) continue;
    const root = entry.inputSchema;
    for (const [key, value] of Object.entries(view.step.inputs)) {
      const at = `${view.at}/inputs/${pointerToken(key)}`;
      visitMarked(root, propertyOf(root, root, key), value, at, (syntax, literal, where) => {
        if (syntax === 'json-schema') checkJsonSchemaPatterns(a, view.step.name, literal, where);
        else if (syntax === 'jsonata' && typeof literal === 'string') checkJsonataRegexes(a, view.step.name, literal, where);
      });
    }
  }
}

type Visit = (syntax: string, literal: unknown, at: string) => void;

/** Walks a literal beside its schema (properties and items only) and calls `visit` at marked nodes. */
function visitMarked(root: JsonSchema, schema: JsonSchema | undefined, value: unknown, at: string, visit: Visit): void {
  const node = resolve(root, schema);
  if (!isSchemaObject(node)) return;
  const syntax = node[SYNTAX_KEYWORD];
  if (typeof syntax === 'string') {
    visit(syntax, value, at);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => visitMarked(root, node['items'] as JsonSchema | undefined, item, `${at}/${i}`, visit));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) visitMarked(root, propertyOf(root, node, key), child, `${at}/${pointerToken(key)}`, visit);
  }
}

function resolve(root: JsonSchema, schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!isSchemaObject(schema)) return schema;
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/') || !isSchemaObject(root)) return schema;
  const defs = root['$defs'];
  return isSchemaObject(defs) ? (defs[ref.slice('#/$defs/'.length)] as JsonSchema | undefined) : undefined;
}

function propertyOf(root: JsonSchema, schema: JsonSchema, key: string): JsonSchema | undefined {
  const node = resolve(root, schema);
  if (!isSchemaObject(node)) return undefined;
  const props = node['properties'];
  return isSchemaObject(props) ? (props[key] as JsonSchema | undefined) : undefined;
}

function report(a: Analysis, step: string, at: string, what: string, source: string, problem: string): void {
  a.report(
    'PATTERN_UNSUPPORTED',
    at,
    `Step '${step}' ${what} /${source}/, which the linear-time regex engine cannot run: ${problem}.`,
    LINEAR_REGEX_HINT,
  );
}

/** Every `pattern` and `patternProperties` key of a JSON Schema literal (data keywords skipped). */
function checkJsonSchemaPatterns(a: Analysis, step: string, schema: unknown, at: string): void {
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => checkJsonSchemaPatterns(a, step, item, `${at}/${i}`));
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    const where = `${at}/${pointerToken(key)}`;
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'pattern' && typeof value === 'string' && !value.includes('${')) {
      const problem = linearRegexProblem(value, 'u');
      if (problem) report(a, step, where, 'gives the schema pattern', value, problem);
      continue;
    }
    if (key === 'patternProperties' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [source, sub] of Object.entries(value as Record<string, unknown>)) {
        const problem = source.includes('${') ? null : linearRegexProblem(source, 'u');
        if (problem) report(a, step, `${where}/${pointerToken(source)}`, 'gives the patternProperties key', source, problem);
        checkJsonSchemaPatterns(a, step, sub, `${where}/${pointerToken(source)}`);
      }
      continue;
    }
    checkJsonSchemaPatterns(a, step, value, where);
  }
}

/** Every `/regex/flags` literal of a JSONata expression. */
function checkJsonataRegexes(a: Analysis, step: string, expression: string, at: string): void {
  if (expression.includes('${')) return; // built at run time from references: checked when it runs
  for (const { source, flags } of jsonataRegexLiterals(expression)) {
    const problem = linearRegexProblem(source, flags);
    if (problem) report(a, step, at, 'uses the JSONata regex', source, problem);
  }
}

/**
 * The regex literals of a JSONata expression, found as JSONata's tokenizer finds them: a `/`
 * where an operand is expected (not after a name, number, string, `)`, `]` or `}`) starts one,
 * which ends at the next unescaped `/` outside brackets; `i` and `m` flags follow. Strings,
 * backquoted names and comments are skipped. An expression that does not parse may yield
 * fewer literals; the step's own compile reports its syntax.
 */
export function jsonataRegexLiterals(expression: string): { source: string; flags: string }[] {
  const found: { source: string; flags: string }[] = [];
  let operandBefore = false;
  let i = 0;
  const n = expression.length;
  while (i < n) {
    const c = expression[i]!;
    if (c === '/' && expression[i + 1] === '*') {
      const end = expression.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && expression[j] !== c) j += expression[j] === '\\' ? 2 : 1;
      i = j + 1;
      operandBefore = true;
      continue;
    }
    if (c === '/' && !operandBefore) {
      let j = i + 1;
      let depth = 0;
      while (j < n) {
        const d = expression[j]!;
        if (d === '\\') {
          j += 2;
          continue;
        }
        if (d === '/' && depth === 0) break;
        if (d === '(' || d === '[' || d === '{') depth++;
        else if (d === ')' || d === ']' || d === '}') depth--;
        j++;
      }
      if (j >= n) return found;
      let k = j + 1;
      while (k < n && (expression[k] === 'i' || expression[k] === 'm')) k++;
      found.push({ source: expression.slice(i + 1, j), flags: expression.slice(j + 1, k) });
      i = k;
      operandBefore = true;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[A-Za-z0-9_$.]/.test(c)) {
      // names, variables, numbers; `and`, `or`, `in` are operators after which an operand comes
      let j = i;
      while (j < n && /[A-Za-z0-9_$.]/.test(expression[j]!)) j++;
      const word = expression.slice(i, j);
      operandBefore = !(word === 'and' || word === 'or' || word === 'in');
      i = j;
      continue;
    }
    operandBefore = c === ')' || c === ']' || c === '}';
    i++;
  }
  return found;
}
