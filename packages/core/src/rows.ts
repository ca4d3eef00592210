/**
 * Row selection, the one place batches and splits are cut from: a leaf copy of the chosen rows
 * (axis 0) of a tensor. Batches carry no graph, so this is not an op (`gather` is the differentiable one).
 */
import { allocate } from './backend/index.ts';
import { Tensor } from './tensor.ts';

export function takeRows(t: Tensor, index: Int32Array): Tensor {
  const n = t.shape[0];
  if (n === undefined) throw new Error('takeRows: a scalar has no rows');
  const row = t.size / Math.max(n, 1);
  const out = allocate(t.dtype, index.length * row, 'overwritten');
  for (let i = 0; i < index.length; i++) {
    const r = index[i]!;
    if (!(r >= 0 && r < n)) throw new Error(`takeRows: row ${r} (at position ${i}) is out of range for a tensor of ${n} rows`);
    out.set(t.data.subarray(r * row, (r + 1) * row), i * row);
  }
  return new Tensor(out, [index.length, ...t.shape.slice(1)]);
}
