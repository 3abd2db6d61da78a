/** JSON values as they travel through fragments, step inputs and step outputs. */
export type JsonPrimitive = string | number | boolean | null;
/** Any JSON value. */
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * A JSON Schema document (draft 2020-12 subset, as produced by `z.toJSONSchema`).
 * Kept structural so that pinned manifests stay plain data.
 */
export type JsonSchema = boolean | { [keyword: string]: unknown };

/** True when `value` is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
