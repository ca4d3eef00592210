/** Constructors: tensors from nested arrays or typed arrays, and the usual filled ranges. */
import { assertDType, dtypeOf, type DType, type TypedArray } from './dtype.ts';
import { allocate } from './backend/index.ts';
import { checkShape, fmt, sizeOf, type Shape } from './shape.ts';
import { Tensor, type NestedArray } from './tensor.ts';
import { checkAllocatable, checkCount, checkFinite } from './validate.ts';
import { describeValue } from './describe-value.ts';

export interface TensorOptions {
  readonly shape?: Shape;
  readonly dtype?: DType;
  readonly name?: string;
}

/** Walks a nested array, checking it is rectangular; the error gives the path of the ragged part. */
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

/** A tensor from nested arrays, a flat list or a typed array (the typed array is copied). */
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

/** Wraps a typed array without copying. The caller gives up the array: it must never be written again. */
export function fromData(data: TypedArray, shape: Shape, name?: string): Tensor {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`fromData: data must be a Float32Array or Float64Array, got ${describeValue(data)}${Array.isArray(data) ? '; use tensor() for arrays of numbers' : ''}`);
  }
  checkShape('fromData', shape);
  if (sizeOf(shape) !== data.length) throw new Error(`fromData: ${data.length} values do not fill shape ${fmt(shape)}`);
  return new Tensor(data, shape, undefined, name);
}

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

export function full(shape: Shape, value: number, options: { dtype?: DType; name?: string } = {}): Tensor {
  return filled('full', shape, value, options);
}

export const zeros = (shape: Shape, options: { dtype?: DType; name?: string } = {}): Tensor => filled('zeros', shape, 0, options);
export const ones = (shape: Shape, options: { dtype?: DType; name?: string } = {}): Tensor => filled('ones', shape, 1, options);
export const zerosLike = (x: Tensor): Tensor => full(x.shape, 0, { dtype: x.dtype });
export const onesLike = (x: Tensor): Tensor => full(x.shape, 1, { dtype: x.dtype });

/** Values start, start+step, … below stop (NumPy's arange). `arange(5)` is 0..4. */
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

/** `num` evenly spaced values from start to stop, both included. */
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

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, options: { dtype?: DType } = {}): Tensor {
  checkCount('eye', 'n (rows)', n);
  checkCount('eye', 'm (columns)', m);
  const dtype = assertDType('eye', options.dtype ?? 'float32');
  checkAllocatable('eye', [n, m], dtype);
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new Tensor(data, [n, m]);
}
