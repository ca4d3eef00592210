/** Config checks for the built-in layers: messages without a prefix, defineLayer adds the layer's name. */
import { describeValue } from '@chainrule/core';

/** No option the layer does not know (a typo such as `unit` would otherwise be ignored). */
export function onlyKnown(options: Readonly<Record<string, unknown>>, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => options[k] !== undefined && !known.includes(k));
  if (unknown.length) throw new Error(`unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; valid options: ${[...known, 'name', 'trainable'].map((k) => `'${k}'`).join(', ')}`);
}

export function positiveInteger(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${describeValue(v)}`);
  return v;
}

export function boolean(what: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${what} must be true or false, got ${describeValue(v)}`);
  return v;
}

/** A finite number in [min, max) (max excluded: a dropout rate of 1 drops everything). */
export function inRange(what: string, v: unknown, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= min && v < max)) throw new Error(`${what} must be a number in [${min}, ${max}), got ${describeValue(v)}`);
  return v;
}

/** A shape of positive integers. */
export function shapeOf(what: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${what} must be a non-empty list of positive integers (one sample's shape, no batch axis), got ${describeValue(v)}`);
  }
  return [...v];
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
