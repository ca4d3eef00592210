/**
 * What the chart functions accept, checked before a spec is built, named by chart and argument.
 * Every sequence of numbers may be an array, a typed array, an Immutable List (a History's
 * `loss`) or any iterable, or a Tensor (its data): each is turned into a plain array here, once.
 */
import { describeValue, Tensor } from '@chainrule/core';
import { isPlainObject } from '../check/describe.ts';

const isIterable = (x: unknown): x is Iterable<unknown> =>
  typeof x === 'object' && x !== null && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';

/** A Map or an Immutable keyed collection: iterating it gives [key, value] pairs, not numbers. */
export const isKeyed = (x: unknown): boolean =>
  x instanceof Map || (typeof x === 'object' && x !== null && !!(x as Record<string, unknown>)['@@__IMMUTABLE_KEYED__@@']);

/** The chart function's data argument must be an object; anything else fails on its first field. */
export function checkData(where: string, d: unknown, example: string): asserts d is Record<string, unknown> {
  if (!isPlainObject(d)) throw new Error(`${where}: expected an object such as ${example}, got ${describeValue(d)}`);
}

export interface NumbersOptions {
  /** Refuse NaN and ±Infinity (charts whose colour scale or line would be wrong with them). */
  readonly finite?: boolean;
  /** Refuse an empty sequence (default true: a chart of nothing is a mistake upstream). */
  readonly nonEmpty?: boolean;
}

/** A sequence of numbers as a plain array, or an error naming the chart, the argument and the entry. */
export function numbers(where: string, what: string, value: unknown, o: NumbersOptions = {}): number[] {
  let out: unknown[];
  if (value instanceof Tensor) out = Array.from(value.data);
  else if (Array.isArray(value)) out = value;
  else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) out = Array.from(value as unknown as ArrayLike<number>);
  else if (isIterable(value) && !isKeyed(value)) out = [...value];
  else {
    throw new Error(`${where}: ${what} must be numbers (an array, a typed array, an Immutable List or a Tensor), got ${describeValue(value)}`);
  }
  if ((o.nonEmpty ?? true) && out.length === 0) throw new Error(`${where}: ${what} is empty; there is nothing to draw`);
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (typeof v !== 'number') throw new Error(`${where}: ${what}[${i}] is ${describeValue(v)}, not a number`);
    if (o.finite && !Number.isFinite(v)) throw new Error(`${where}: ${what}[${i}] is ${v}; this chart cannot draw NaN or Infinity`);
  }
  return out as number[];
}

/** Two sequences that pair up entry by entry. */
export function sameLength(where: string, a: { name: string; values: readonly unknown[] }, b: { name: string; values: readonly unknown[] }): void {
  if (a.values.length !== b.values.length) {
    throw new Error(`${where}: ${a.name} has ${a.values.length} values but ${b.name} has ${b.values.length}; they pair up one to one`);
  }
}

export function optionalString(where: string, what: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new Error(`${where}: ${what} must be a string, got ${describeValue(value)}`);
  return value;
}

export function optionalBoolean(where: string, what: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new Error(`${where}: ${what} must be true or false, got ${describeValue(value)}`);
  return value;
}

/** A whole number ≥ 1 (an image side, a column count), if given. */
export function optionalCount(where: string, what: string, value: unknown): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    throw new Error(`${where}: ${what} must be a whole number ≥ 1, got ${describeValue(value)}`);
  }
  return value;
}

/** A sequence of anything (array, List, iterable but not a string or a map) as an array. */
export function list(where: string, what: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isIterable(value) && !isKeyed(value)) return [...value];
  throw new Error(`${where}: ${what} must be an array (or an Immutable List), got ${describeValue(value)}`);
}

/** Rows of a matrix: an array (or List, or iterable) of rows, or a rank-2 Tensor. */
export function rows(where: string, what: string, value: unknown): unknown[] {
  if (value instanceof Tensor) {
    if (value.rank !== 2) throw new Error(`${where}: ${what} must be a matrix; the Tensor given has shape [${value.shape.join(', ')}]`);
    const [n, m] = value.shape as [number, number];
    return Array.from({ length: n }, (_, i) => Array.from(value.data.subarray(i * m, (i + 1) * m)));
  }
  if (!Array.isArray(value) && !(isIterable(value) && !isKeyed(value))) {
    throw new Error(`${where}: ${what} must be an array of rows (or a List of rows, or a rank-2 Tensor), got ${describeValue(value)}`);
  }
  return list(where, what, value);
}
