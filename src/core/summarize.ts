/**
 * Result summarization for the planner: small results verbatim, larger ones as a structured
 * summary (keys, types, counts, samples). Pure, so what the planner was shown replays exactly.
 */
import { isBlobRef } from './blob.js';
import { isJsonObject, jsonByteLength, type JsonValue } from './json.js';
import type { SummarizationSettings } from './plan.js';

/** A shape description of a JSON value. */
export type Shape =
  | { readonly type: 'null' | 'boolean' | 'string' | 'number' }
  | { readonly type: 'array'; readonly length: number; readonly items: Shape | null; readonly min?: number; readonly max?: number }
  | { readonly type: 'object'; readonly keys: number; readonly properties: Readonly<Record<string, Shape>>; readonly omittedKeys: number };

/** What the planner is shown of one step's result. */
export type ResultView =
  | { readonly step: string; readonly mode: 'verbatim'; readonly bytes: number; readonly value: JsonValue }
  | {
      readonly step: string;
      readonly mode: 'structured';
      readonly bytes: number;
      readonly shape: Shape;
      /** A few sample values, each cut to a small size. */
      readonly samples: readonly JsonValue[];
    }
  | {
      readonly step: string;
      /** An LLM summary made by a visible `summarize` step. */
      readonly mode: 'summary';
      readonly bytes: number;
      /** The step that made the summary. */
      readonly summarizedBy: string;
      readonly summary: string;
      readonly shape: Shape;
    }
  | {
      readonly step: string;
      /** Kept in the blob store: the planner sees where, how big, its shape and a sample. */
      readonly mode: 'reference';
      readonly bytes: number;
      readonly ref: string;
      readonly shape: Shape;
      readonly samples: readonly JsonValue[];
    };

/** Defaults from the design: under 1 KB verbatim, 1–10 KB structured. */
export const DEFAULT_SUMMARIZATION: SummarizationSettings = { verbatimBytes: 1024, structuredBytes: 10 * 1024, referenceBytes: 100 * 1024 };

const MAX_KEYS = 25;
const MAX_DEPTH = 4;
const SAMPLE_COUNT = 2;
const SAMPLE_BYTES = 300;

/** Summarizes one result by its size. */
export function viewResult(step: string, value: JsonValue, settings: SummarizationSettings = DEFAULT_SUMMARIZATION): ResultView {
  if (isBlobRef(value)) {
    return value.bytes >= settings.referenceBytes
      ? { step, mode: 'reference', bytes: value.bytes, ref: value.$weft_blob, shape: value.shape, samples: value.sample }
      : { step, mode: 'structured', bytes: value.bytes, shape: value.shape, samples: value.sample };
  }
  const bytes = jsonByteLength(value);
  if (bytes < settings.verbatimBytes) return { step, mode: 'verbatim', bytes, value };
  return { step, mode: 'structured', bytes, shape: shapeOf(value, 0), samples: samplesOf(value) };
}

/** Describes a value's shape to a bounded depth. */
export function shapeOf(value: JsonValue, depth: number): Shape {
  if (value === null) return { type: 'null' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'number') return { type: 'number' };
  if (Array.isArray(value)) {
    const first = value[0];
    const items = first === undefined || depth >= MAX_DEPTH ? null : shapeOf(first, depth + 1);
    const nums = value.filter((v): v is number => typeof v === 'number');
    if (value.length > 0 && nums.length === value.length) {
      return { type: 'array', length: value.length, items, min: Math.min(...nums), max: Math.max(...nums) };
    }
    return { type: 'array', length: value.length, items };
  }
  const keys = Object.keys(value);
  const properties: Record<string, Shape> = {};
  if (depth < MAX_DEPTH) {
    for (const k of keys.slice(0, MAX_KEYS)) properties[k] = shapeOf(value[k] as JsonValue, depth + 1);
  }
  return { type: 'object', keys: keys.length, properties, omittedKeys: Math.max(0, keys.length - Object.keys(properties).length) };
}

/** A few small samples of a value's rows (arrays, or arrays inside an object). */
export function samplesOf(value: JsonValue): JsonValue[] {
  const arrays: JsonValue[][] = [];
  if (Array.isArray(value)) arrays.push(value);
  else if (isJsonObject(value)) for (const v of Object.values(value)) if (Array.isArray(v)) arrays.push(v);
  const out: JsonValue[] = [];
  for (const arr of arrays) {
    for (const item of arr.slice(0, SAMPLE_COUNT)) out.push(cut(item));
    if (out.length >= SAMPLE_COUNT * 2) break;
  }
  return out;
}

/** Keeps a sample small: values over the sample size become their shape's type name. */
function cut(value: JsonValue): JsonValue {
  if (jsonByteLength(value) <= SAMPLE_BYTES) return value;
  if (isJsonObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = jsonByteLength(v) <= 80 ? v : `<${shapeOf(v, MAX_DEPTH).type}>`;
      // Many small members add up: stop before the sample outgrows its size.
      if (jsonByteLength(out) > SAMPLE_BYTES) {
        delete out[k];
        break;
      }
    }
    return out;
  }
  return `<${shapeOf(value, MAX_DEPTH).type}, ${jsonByteLength(value)} bytes>`;
}
