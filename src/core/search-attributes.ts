/**
 * weft's search attributes. `search-attributes.json` beside this file is the one list: the
 * dev server script registers from it, the test environments register from it, and the typed
 * keys below are checked against it by a unit test.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import list from './search-attributes.json' with { type: 'json' };

/** The attribute names and their Temporal CLI type names (`Keyword`, `Int`, ...). */
export const SEARCH_ATTRIBUTE_TYPES: Readonly<Record<string, string>> = list;

/** Typed keys for `upsertSearchAttributes` and `typedSearchAttributes`. */
export const SA = {
  template: defineSearchAttributeKey('WeftTemplate', SearchAttributeType.KEYWORD),
  state: defineSearchAttributeKey('WeftState', SearchAttributeType.KEYWORD),
  planningPhases: defineSearchAttributeKey('WeftPlanningPhases', SearchAttributeType.INT),
  stepsUsed: defineSearchAttributeKey('WeftStepsUsed', SearchAttributeType.INT),
  validationFailures: defineSearchAttributeKey('WeftValidationFailures', SearchAttributeType.INT),
  costUsd: defineSearchAttributeKey('WeftCostUsd', SearchAttributeType.DOUBLE),
  budgetExhausted: defineSearchAttributeKey('WeftBudgetExhausted', SearchAttributeType.BOOL),
  createdBy: defineSearchAttributeKey('WeftCreatedBy', SearchAttributeType.KEYWORD_LIST),
  handlers: defineSearchAttributeKey('WeftHandlers', SearchAttributeType.KEYWORD_LIST),
  fragments: defineSearchAttributeKey('WeftFragments', SearchAttributeType.KEYWORD_LIST),
} as const;

const TYPE_BY_CLI_NAME: Readonly<Record<string, SearchAttributeType>> = {
  Keyword: SearchAttributeType.KEYWORD,
  Text: SearchAttributeType.TEXT,
  Int: SearchAttributeType.INT,
  Double: SearchAttributeType.DOUBLE,
  Bool: SearchAttributeType.BOOL,
  Datetime: SearchAttributeType.DATETIME,
  KeywordList: SearchAttributeType.KEYWORD_LIST,
};

/** The attributes as `{ name: SearchAttributeType }`, the shape `createLocal`/`addSearchAttributes` helpers use. */
export function searchAttributeDefinitions(): Record<string, SearchAttributeType> {
  const out: Record<string, SearchAttributeType> = {};
  for (const [name, cliType] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) {
    const t = TYPE_BY_CLI_NAME[cliType];
    if (t === undefined) throw new TypeError(`search-attributes.json: unknown type '${cliType}' for ${name}.`);
    out[name] = t;
  }
  return out;
}
