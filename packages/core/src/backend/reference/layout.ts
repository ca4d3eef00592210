/** Reference data-movement kernels: strided copy, gather/scatter along an axis, row selection, concat. */
import type { TypedArray } from '../../dtype.ts';

export function copyStrided(x: TypedArray, offset: number, strides: readonly number[], outShape: readonly number[], out: TypedArray): void {
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = offset;
  for (let i = 0; i < out.length; i++) {
    out[i] = x[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      src += strides[d]!;
      if (++idx[d]! < outShape[d]!) break;
      src -= strides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

export function pad(x: TypedArray, shape: readonly number[], before: readonly number[], outShape: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  const oStrides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) { oStrides[d] = s; s *= outShape[d]!; }
  let dst = before.reduce((acc, b, d) => acc + b * oStrides[d]!, 0);
  const idx = new Array<number>(rank).fill(0);
  out.fill(0);
  for (let i = 0; i < x.length; i++) {
    out[dst] = x[i]!;
    for (let d = rank - 1; d >= 0; d--) {
      dst += oStrides[d]!;
      if (++idx[d]! < shape[d]!) break;
      dst -= oStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function gather(x: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void {
  const m = indices.length / (outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * m + j) * inner + i;
        out[at] = x[(o * len + indices[at]!) * inner + i]!;
      }
    }
  }
}

export function takeRows(x: TypedArray, rowLength: number, rows: Int32Array, out: TypedArray): void {
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i]! * rowLength;
    out.set(x.subarray(from, from + rowLength), i * rowLength);
  }
}

export function scatterAdd(g: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void {
  const m = indices.length / (outer * inner);
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * m + j) * inner + i;
        const dst = (o * len + indices[at]!) * inner + i;
        out[dst] = out[dst]! + g[at]!;
      }
    }
  }
}

export function concat(parts: readonly TypedArray[], blocks: readonly number[], outer: number, out: TypedArray): void {
  let dst = 0;
  for (let o = 0; o < outer; o++) {
    for (let p = 0; p < parts.length; p++) {
      const block = blocks[p]!;
      out.set(parts[p]!.subarray(o * block, (o + 1) * block), dst);
      dst += block;
    }
  }
}
