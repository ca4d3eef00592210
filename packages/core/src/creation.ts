/** Constructors: tensors from nested arrays or typed arrays, and the usual filled ranges. */
import { allocate, assertDType, dtypeOf, type DType, type TypedArray } from './dtype.ts';
import { checkShape, fmt, sizeOf, type Shape } from './shape.ts';
import { Tensor, type NestedArray } from './tensor.ts';

export interface TensorOptions {
  readonly shape?: Shape;
  readonly dtype?: DType;
  readonly name?: string;
}

/** Walks a nested array, checking it is rectangular; the error gives the path of the ragged part. */
function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedArray;
  }
  const check = (x: NestedArray, dim: number, path: string) => {
    if (dim === shape.length) {
      if (typeof x !== 'number') throw new Error(`tensor: ragged or non-numeric nested array: element at ${path || 'top'} is ${Array.isArray(x) ? 'an array' : typeof x}, expected a number`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new Error(`tensor: ragged nested array: element at ${path || 'top'} has ${Array.isArray(x) ? `length ${x.length}` : 'no length'}, expected length ${shape[dim]} (inferred shape ${fmt(shape)})`);
    }
    x.forEach((y, i) => check(y, dim + 1, `${path}[${i}]`));
  };
  check(values, 0, '');
  return shape;
}

/** A tensor from nested arrays, a flat list or a typed array (the typed array is copied). */
export function tensor(values: NestedArray | TypedArray | readonly number[], options: TensorOptions = {}): Tensor {
  const isTyped = values instanceof Float32Array || values instanceof Float64Array;
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
  if (sizeOf(shape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} needed)`);
  }
  const data = allocate(dtype, flat.length);
  data.set(flat);
  return new Tensor(data, shape, undefined, options.name);
}

/** Wraps a typed array without copying. The caller gives up the array: it must never be written again. */
export function fromData(data: TypedArray, shape: Shape, name?: string): Tensor {
  checkShape('fromData', shape);
  if (sizeOf(shape) !== data.length) throw new Error(`fromData: ${data.length} values do not fill shape ${fmt(shape)}`);
  return new Tensor(data, shape, undefined, name);
}

export const scalar = (value: number, dtype: DType = 'float32'): Tensor => full([], value, { dtype });

/** `where` is the function the user called, so a bad shape in zeros() is reported as zeros'. */
function filled(where: string, shape: Shape, value: number, options: { dtype?: DType; name?: string }): Tensor {
  checkShape(where, shape);
  const data = allocate(assertDType(where, options.dtype ?? 'float32'), sizeOf(shape));
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
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(options.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** `num` evenly spaced values from start to stop, both included. */
export function linspace(start: number, stop: number, num: number, options: { dtype?: DType } = {}): Tensor {
  checkShape('linspace', [num]);
  const data = allocate(options.dtype ?? 'float32', num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return new Tensor(data, [num]);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, options: { dtype?: DType } = {}): Tensor {
  checkShape('eye', [n, m]);
  const data = allocate(options.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new Tensor(data, [n, m]);
}
