/**
 * Checks of arguments at the public boundary, shared by the creation functions and the ops: each names
 * the function and the argument, and says what was given. One check per call, never a loop over data.
 */
import { formatBytes, MAX_ELEMENTS } from './backend/pool.ts';
import type { DType } from './dtype.ts';
import { describeValue } from './describe-value.ts';
import { fmt, type Shape } from './shape.ts';
import { Tensor } from './tensor.ts';

const BYTES_PER: Record<DType, number> = { float32: 4, float64: 8 };

/** Refuses a shape too large for a typed array, saying how many bytes it would need. */
export function checkAllocatable(where: string, shape: Shape, dtype: DType): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n > MAX_ELEMENTS) {
    throw new Error(`${where}: shape ${fmt(shape)} needs ${formatBytes(n * BYTES_PER[dtype])} bytes (${dtype}), more than a typed array can hold (at most ${MAX_ELEMENTS} values)`);
  }
}

/** The Error for a non-tensor where a tensor belongs, with the fix when there is an obvious one. */
export function notATensor(where: string, what: string, x: unknown): Error {
  const hint = Array.isArray(x) || typeof x === 'number' ? '; wrap it with tensor()'
    : ArrayBuffer.isView(x) ? '; wrap it with tensor() (a copy) or fromData()' : '';
  return new Error(`${where}: ${what} is ${describeValue(x)}, not a Tensor${hint}`);
}

export function expectTensor(where: string, what: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw notATensor(where, what, x);
}

/** A finite number (not a string that looks like one, not NaN or ±Infinity). */
export function checkFinite(where: string, what: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${where}: ${what} must be a finite number, got ${describeValue(x)}`);
  return x;
}

/** A count such as linspace's num or eye's n: a non-negative whole number. */
export function checkCount(where: string, what: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
    throw new Error(`${where}: ${what} must be a non-negative whole number, got ${describeValue(x)}`);
  }
  return x;
}

/** A list argument (a shape, a permutation, begin/size): an array, not a single number or a string. */
export function expectList(where: string, what: string, x: unknown): asserts x is readonly unknown[] {
  if (!Array.isArray(x)) throw new Error(`${where}: ${what} must be an array, got ${describeValue(x)}`);
}

/** Every tensor in a list, for the ops that take several (concat, stack). */
export function expectTensors(where: string, what: string, xs: unknown): asserts xs is readonly Tensor[] {
  expectList(where, what, xs);
  xs.forEach((x, i) => { if (!(x instanceof Tensor)) throw notATensor(where, `${what}[${i}]`, x); });
}
