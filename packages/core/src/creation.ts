/** Constructors: tensors from nested arrays or typed arrays, and the usual filled ranges. */
import { assertDType, dtypeOf, type DType, type TypedArray } from './dtype.ts';
import { allocate } from './backend/index.ts';
import { checkShape, fmt, sizeOf, type Shape } from './shape.ts';
import { Tensor, type NestedArray } from './tensor.ts';
import { checkAllocatable, checkCount, checkFinite } from './validate.ts';
import { describeValue } from './describe-value.ts';

/** Options of `tensor()`. */
export interface TensorOptions {
  /** The shape to give the values (their count must fill it); default: inferred from the nesting, or [length] for a flat list or typed array. */
  readonly shape?: Shape;
  /** 'float32' or 'float64'; default: a typed array's own type, else 'float32'. */
  readonly dtype?: DType;
  /** A label for the tensor (see `Tensor.name`). */
  readonly name?: string;
}

/**
 * The shape of a nested array, checking it is rectangular; `where` starts the error message.
 *
 * @throws Error when the array is ragged, holds a non-number, or contains itself, giving the path of the bad part.
 * @example
 * ```ts
 * inferShape([[1, 2, 3], [4, 5, 6]]);   // [2, 3]
 * ```
 */
export function inferShape(values: NestedArray, where = 'tensor'): number[] {
  const shape: number[] = [];
  // The first elements give the shape; an array met twice on the way down contains itself and would
  // never end (nothing below can loop then: `check` descends only as deep as this walk went).
  const seen = new Set<NestedArray[]>();
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    if (seen.has(v)) throw new Error(`${where}: the nested array contains itself (at ${'[0]'.repeat(shape.length)}), so it has no finite shape`);
    seen.add(v);
    shape.push(v.length);
    v = v[0] as NestedArray;
  }
  const check = (x: NestedArray, dim: number, path: string) => {
    if (dim === shape.length) {
      if (typeof x !== 'number') throw new Error(`${where}: ragged or non-numeric nested array: element at ${path || 'top'} is ${Array.isArray(x) ? 'an array' : typeof x}, expected a number`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new Error(`${where}: ragged nested array: element at ${path || 'top'} has ${Array.isArray(x) ? `length ${x.length}` : 'no length'}, expected length ${shape[dim]} (inferred shape ${fmt(shape)})`);
    }
    x.forEach((y, i) => check(y, dim + 1, `${path}[${i}]`));
  };
  check(values, 0, '');
  return shape;
}

/**
 * A tensor from nested arrays, a flat list or a typed array (always copied). The shape is the nesting's
 * unless `options.shape` is given; the dtype is float32 unless `options.dtype` says float64 (a
 * Float64Array gives float64 by default).
 *
 * @throws Error when the nesting is ragged, a value is not a number, the values do not fill
 *   `options.shape`, the dtype is unknown, or the array is an integer typed array (pass `Array.from(values)`).
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * const x = tensor([[1, 2], [3, 4]]);                       // [2, 2] float32
 * const y = tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'float64' });
 * ```
 */
export function tensor(values: NestedArray | TypedArray | readonly number[], options: TensorOptions = {}): Tensor {
  const isTyped = values instanceof Float32Array || values instanceof Float64Array;
  if (!isTyped && ArrayBuffer.isView(values)) {
    throw new Error(`tensor: got ${describeValue(values)}; pass a Float32Array, a Float64Array, or numbers (Array.from(values) for integer arrays)`);
  }
  const dtype = assertDType('tensor', options.dtype ?? (isTyped ? dtypeOf(values) : 'float32'));
  let flat: ArrayLike<number>;
  let shape: Shape;
  if (isTyped) {
    flat = values;
    shape = options.shape ?? [values.length];
  } else {
    const inferred = inferShape(values as NestedArray);
    flat = Array.isArray(values) ? (values as NestedArray[]).flat(Infinity as 1) as number[] : [values as number];
    shape = options.shape ?? inferred;
  }
  checkShape('tensor', shape);
  checkAllocatable('tensor', shape, dtype);
  if (sizeOf(shape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} needed)`);
  }
  const data = allocate(dtype, flat.length);
  data.set(flat);
  return new Tensor(data, shape, undefined, options.name);
}

/**
 * Wraps a typed array as a tensor of `shape` without copying; its type gives the dtype. The caller gives
 * up the array: it must never be written again.
 *
 * @throws Error when `data` is not a Float32Array or Float64Array, or its length does not fill `shape`.
 * @example
 * ```ts
 * import { fromData } from '@chainrule/core';
 * const x = fromData(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * ```
 */
export function fromData(data: TypedArray, shape: Shape, name?: string): Tensor {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`fromData: data must be a Float32Array or Float64Array, got ${describeValue(data)}${Array.isArray(data) ? '; use tensor() for arrays of numbers' : ''}`);
  }
  checkShape('fromData', shape);
  if (sizeOf(shape) !== data.length) throw new Error(`fromData: ${data.length} values do not fill shape ${fmt(shape)}`);
  return new Tensor(data, shape, undefined, name);
}

/**
 * A rank-0 tensor (shape []) holding `value`.
 *
 * @example
 * ```ts
 * import { scalar } from '@chainrule/core';
 * scalar(2.5).shape;   // []
 * ```
 */
export const scalar = (value: number, dtype: DType = 'float32'): Tensor => full([], value, { dtype });

/** `where` is the function the user called, so a bad shape in zeros() is reported as zeros'. */
function filled(where: string, shape: Shape, value: number, options: { dtype?: DType; name?: string }): Tensor {
  checkShape(where, shape);
  const dtype = assertDType(where, options.dtype ?? 'float32');
  if (typeof value !== 'number') throw new Error(`${where}: the fill value must be a number, got ${describeValue(value)}`);
  checkAllocatable(where, shape, dtype);
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, undefined, options.name);
}

/**
 * A tensor of `shape` with every value `value` (float32 unless `options.dtype` says float64).
 *
 * @throws Error when a dimension is not a non-negative integer, `value` is not a number, or the shape is too large to allocate.
 * @example
 * ```ts
 * import { full } from '@chainrule/core';
 * full([2, 3], 0.5).toArray();   // [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
 * ```
 */
export function full(shape: Shape, value: number, options: { dtype?: DType; name?: string } = {}): Tensor {
  return filled('full', shape, value, options);
}

/**
 * A tensor of `shape` filled with 0 (float32 unless `options.dtype` says float64).
 *
 * @throws Error when a dimension is not a non-negative integer, naming it.
 * @example
 * ```ts
 * import { zeros } from '@chainrule/core';
 * const b = zeros([10], { name: 'dense0/b' });
 * ```
 */
export const zeros = (shape: Shape, options: { dtype?: DType; name?: string } = {}): Tensor => filled('zeros', shape, 0, options);
/**
 * A tensor of `shape` filled with 1 (float32 unless `options.dtype` says float64).
 *
 * @throws Error when a dimension is not a non-negative integer, naming it.
 * @example
 * ```ts
 * import { ones } from '@chainrule/core';
 * ones([2, 2], { dtype: 'float64' });
 * ```
 */
export const ones = (shape: Shape, options: { dtype?: DType; name?: string } = {}): Tensor => filled('ones', shape, 1, options);
/**
 * Zeros with the shape and dtype of `x` (a leaf: no graph link to `x`).
 *
 * @example
 * ```ts
 * import { tensor, zerosLike } from '@chainrule/core';
 * zerosLike(tensor([[1, 2], [3, 4]])).toArray();   // [[0, 0], [0, 0]]
 * ```
 */
export const zerosLike = (x: Tensor): Tensor => full(x.shape, 0, { dtype: x.dtype });
/**
 * Ones with the shape and dtype of `x` (a leaf: no graph link to `x`).
 *
 * @example
 * ```ts
 * import { onesLike, randn } from '@chainrule/core';
 * onesLike(randn([3], { seed: 0 })).toArray();   // [1, 1, 1]
 * ```
 */
export const onesLike = (x: Tensor): Tensor => full(x.shape, 1, { dtype: x.dtype });

/**
 * The values start, start+step, … below `stop` (above it for a negative step), as a rank-1 tensor (NumPy's
 * arange). With one argument it counts from 0: `arange(5)` is 0..4.
 *
 * @throws Error when start, stop or step is not a finite number, or step is 0.
 * @example
 * ```ts
 * import { arange } from '@chainrule/core';
 * arange(5).toArray();            // [0, 1, 2, 3, 4]
 * arange(1, 2, 0.25).toArray();   // [1, 1.25, 1.5, 1.75]
 * ```
 */
export function arange(start: number, stop?: number, step = 1, options: { dtype?: DType } = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  checkFinite('arange', 'start', start);
  checkFinite('arange', 'stop', stop);
  checkFinite('arange', 'step', step);
  if (step === 0) throw new Error('arange: step must be non-zero');
  const dtype = assertDType('arange', options.dtype ?? 'float32');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkAllocatable('arange', [n], dtype);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/**
 * `num` evenly spaced values from start to stop, both included, as a rank-1 tensor of shape [num].
 *
 * @throws Error when start or stop is not a finite number, or num is not a non-negative whole number.
 * @example
 * ```ts
 * import { linspace } from '@chainrule/core';
 * linspace(0, 1, 5).toArray();   // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num: number, options: { dtype?: DType } = {}): Tensor {
  checkFinite('linspace', 'start', start);
  checkFinite('linspace', 'stop', stop);
  checkCount('linspace', 'num (the number of values)', num);
  const dtype = assertDType('linspace', options.dtype ?? 'float32');
  checkAllocatable('linspace', [num], dtype);
  const data = allocate(dtype, num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return new Tensor(data, [num]);
}

/**
 * The identity matrix of shape [n, m] (m defaults to n): ones on the main diagonal, zeros elsewhere.
 *
 * @throws Error when n or m is not a non-negative whole number.
 * @example
 * ```ts
 * import { eye } from '@chainrule/core';
 * eye(2).toArray();   // [[1, 0], [0, 1]]
 * ```
 */
export function eye(n: number, m = n, options: { dtype?: DType } = {}): Tensor {
  checkCount('eye', 'n (rows)', n);
  checkCount('eye', 'm (columns)', m);
  const dtype = assertDType('eye', options.dtype ?? 'float32');
  checkAllocatable('eye', [n, m], dtype);
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new Tensor(data, [n, m]);
}
