/**
 * Indices for gather and scatterAdd, checked in the op itself (so `op.run` with raw attributes is covered
 * too): an Int32Array whose every entry lies on the axis. An index past the end would read outside the
 * tensor and compute with NaN. One pass over the indices, which the kernel makes anyway.
 */
import { describeValue } from '../describe-value.ts';

export function checkIndices(op: string, indices: unknown, axis: number, len: number): asserts indices is Int32Array {
  if (!(indices instanceof Int32Array)) throw new Error(`${op}: indices must be an Int32Array, got ${describeValue(indices)}`);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (v < 0 || v >= len) throw new Error(`${op}: index ${v} at position ${i} is out of range for axis ${axis} of size ${len}`);
  }
}
