/**
 * A type-level printer: renders a type as a short string literal, so that a composition error can
 * say what a step expects and what it gets. Objects nest two levels deep, then print as `{…}`;
 * any JSON value prints as `JSON`.
 * @example type S = DescribeType<{ id: string; tags?: string[] }> // "{ id: string; tags?: string[] }"
 */
import type { JsonValue } from '../../src/core/json.js';

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
// The last member of a union: overloads built from it resolve to their last signature.
type LastOf<U> = UnionToIntersection<U extends unknown ? () => U : never> extends () => infer L ? L : never;
type UnionToTuple<U, L = LastOf<U>> = [U] extends [never] ? [] : [...UnionToTuple<Exclude<U, L>>, L];
type Join<T extends readonly string[], Sep extends string> = T extends readonly [infer H extends string]
  ? H
  : T extends readonly [infer H extends string, ...infer R extends string[]]
    ? `${H}${Sep}${Join<R, Sep>}`
    : '';

type IsAny<T> = 0 extends 1 & T ? true : false;
type MaxDepth = 2;

/** `T` as a string literal type (see the module comment). */
export type DescribeType<T, Depth extends unknown[] = []> =
  IsAny<T> extends true
    ? 'any'
    : unknown extends T
      ? 'unknown'
      : [T] extends [never]
        ? 'never'
        : [T] extends [JsonValue]
          ? [JsonValue] extends [T]
            ? 'JSON'
            : DescribeUnion<T, Depth>
          : DescribeUnion<T, Depth>;

type DescribeUnion<T, Depth extends unknown[]> = boolean extends T
  ? [Exclude<T, boolean>] extends [never]
    ? 'boolean'
    : `${DescribeMembers<UnionToTuple<Exclude<T, boolean>>, Depth>} | boolean`
  : DescribeMembers<UnionToTuple<T>, Depth>;

type DescribeMembers<Members extends readonly unknown[], Depth extends unknown[]> = Join<
  { [K in keyof Members]: DescribeMember<Members[K], Depth> },
  ' | '
>;

type DescribeMember<T, Depth extends unknown[]> = T extends string
  ? string extends T
    ? 'string'
    : `"${T}"`
  : T extends number
    ? number extends T
      ? 'number'
      : `${T}`
    : T extends boolean
      ? `${T}`
      : T extends null
        ? 'null'
        : T extends undefined
          ? 'undefined'
          : T extends bigint
            ? 'bigint'
            : T extends (...args: never[]) => unknown
              ? 'function'
              : T extends readonly (infer E)[]
                ? DescribeArray<E, Depth>
                : DescribeObject<T, Depth>;

type DescribeArray<E, Depth extends unknown[]> = Depth['length'] extends MaxDepth
  ? '[…]'
  : DescribeType<E, [...Depth, 1]> extends infer S extends string
    ? S extends `${string} | ${string}`
      ? `(${S})[]`
      : `${S}[]`
    : never;

type DescribeObject<T, Depth extends unknown[]> = Depth['length'] extends MaxDepth
  ? '{…}'
  : string extends keyof T
    ? `{ [key: string]: ${DescribeType<T[keyof T & string], [...Depth, 1]>} }`
    : [keyof T] extends [never]
      ? '{}'
      : `{ ${Join<DescribeEntries<T, UnionToTuple<keyof T & string>, Depth>, '; '>} }`;

type DescribeEntries<T, Keys extends readonly unknown[], Depth extends unknown[]> = {
  [I in keyof Keys]: Keys[I] extends infer K extends keyof T & string
    ? Partial<Pick<T, K>> extends Pick<T, K>
      ? `${K}?: ${DescribeType<Exclude<T[K], undefined>, [...Depth, 1]>}`
      : `${K}: ${DescribeType<T[K], [...Depth, 1]>}`
    : never;
};
