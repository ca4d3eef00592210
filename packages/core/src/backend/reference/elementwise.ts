/** Reference elementwise kernels: a scalar function per op and one strided loop. */
import type { TypedArray } from '../../dtype.ts';
import type { BinaryKernel, UnaryKernel } from '../kernels.ts';

const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

export const unaryFns: Record<UnaryKernel, (v: number, alpha: number) => number> = {
  neg: (v) => -v,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid,
  relu: (v) => (v > 0 ? v : 0),
  leakyRelu: (v, alpha) => (v > 0 ? v : alpha * v),
  // log(1 + e^v) without overflow: max(v, 0) + log1p(e^-|v|)
  softplus: (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))),
  sign: (v) => (v > 0 ? 1 : v < 0 ? -1 : 0),
  square: (v) => v * v,
  reciprocal: (v) => 1 / v,
  step: (v) => (v > 0 ? 1 : 0),
};

export const binaryFns: Record<BinaryKernel, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
};

export function unary(op: UnaryKernel, x: TypedArray, out: TypedArray, alpha: number): void {
  const f = unaryFns[op];
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!, alpha);
}

const isContiguous = (strides: readonly number[], shape: readonly number[]) => {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
};
const isScalar = (strides: readonly number[]) => strides.every((s) => s === 0);

export function binary(
  op: BinaryKernel, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[],
  outShape: readonly number[], out: TypedArray,
): void {
  const f = binaryFns[op];
  const n = out.length;
  const aFlat = isContiguous(aStrides, outShape);
  const bFlat = isContiguous(bStrides, outShape);
  if (aFlat && bFlat) for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
  else if (aFlat && isScalar(bStrides)) for (let i = 0, v = b[0]!; i < n; i++) out[i] = f(a[i]!, v);
  else if (bFlat && isScalar(aStrides)) for (let i = 0, v = a[0]!; i < n; i++) out[i] = f(v, b[i]!);
  else {
    const rank = outShape.length;
    const idx = new Array<number>(rank).fill(0);
    let ia = 0, ib = 0;
    for (let i = 0; i < n; i++) {
      out[i] = f(a[ia]!, b[ib]!);
      for (let d = rank - 1; d >= 0; d--) {
        ia += aStrides[d]!; ib += bStrides[d]!;
        if (++idx[d]! < outShape[d]!) break;
        ia -= aStrides[d]! * outShape[d]!; ib -= bStrides[d]! * outShape[d]!;
        idx[d] = 0;
      }
    }
  }
}

export function select(
  cond: TypedArray, cStrides: readonly number[], a: TypedArray, aStrides: readonly number[],
  b: TypedArray, bStrides: readonly number[], outShape: readonly number[], out: TypedArray,
): void {
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let ic = 0, ia = 0, ib = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = cond[ic] !== 0 ? a[ia]! : b[ib]!;
    for (let d = rank - 1; d >= 0; d--) {
      ic += cStrides[d]!; ia += aStrides[d]!; ib += bStrides[d]!;
      if (++idx[d]! < outShape[d]!) break;
      ic -= cStrides[d]! * outShape[d]!; ia -= aStrides[d]! * outShape[d]!; ib -= bStrides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

export function clip(x: TypedArray, lo: number, hi: number, out: TypedArray): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.min(Math.max(x[i]!, lo), hi);
}
