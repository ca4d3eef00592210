/** Reference reductions: sum/max/min over any set of axes, softmax and logsumexp along one axis. */
import type { TypedArray } from '../../dtype.ts';
import type { ReduceKernel } from '../kernels.ts';
import { outStrides } from '../wasm/plan.ts';

const identity: Record<ReduceKernel, number> = { sum: 0, max: -Infinity, min: Infinity };

export function reduce(op: ReduceKernel, x: TypedArray, shape: readonly number[], axes: readonly number[], out: TypedArray): void {
  out.fill(identity[op]);
  const rank = shape.length;
  // Output strides for the kept dims, 0 for the reduced ones: each input element adds into one output.
  const oStrides = outStrides(shape, axes);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (op === 'sum') out[o] = out[o]! + v;
    else if (op === 'max') { if (v > out[o]! || Number.isNaN(v)) out[o] = v; }
    else if (v < out[o]! || Number.isNaN(v)) out[o] = v;
    for (let d = rank - 1; d >= 0; d--) {
      o += oStrides[d]!;
      if (++idx[d]! < shape[d]!) break;
      o -= oStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function logsumexp(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let j = 0; j < len; j++) m = Math.max(m, x[base + j * inner]!);
      if (!Number.isFinite(m)) { out[o * inner + i] = m; continue; }
      let s = 0;
      for (let j = 0; j < len; j++) s += Math.exp(x[base + j * inner]! - m);
      out[o * inner + i] = m + Math.log(s);
    }
  }
}

export function softmax(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let j = 0; j < len; j++) m = Math.max(m, x[base + j * inner]!);
      let s = 0;
      for (let j = 0; j < len; j++) s += Math.exp(x[base + j * inner]! - m);
      const logS = Math.log(s);
      for (let j = 0; j < len; j++) {
        const z = x[base + j * inner]! - m;
        out[base + j * inner] = log ? z - logS : Math.exp(z) / s;
      }
    }
  }
}

/** Σ x[i]², accumulated in float64 (gradient norms). */
export function sumSquares(x: TypedArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}
