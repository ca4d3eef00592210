/**
 * Row selection, the one place batches and splits are cut from: a leaf copy of the chosen rows
 * (axis 0) of a tensor, or the chosen entries of a list of integer labels. Batches carry no graph,
 * so this is not an op (`gather` is the differentiable one).
 */
import { allocate, kernels } from './backend/index.ts';
import type { Labels } from './labels.ts';
import { Tensor } from './tensor.ts';

/**
 * The rows `index` (along axis 0, in that order, repeats allowed) of a tensor, as a new leaf tensor of
 * shape [index.length, ...rest] and the same dtype; of a label list, as an Int32Array.
 *
 * @throws Error when `t` is a scalar, or an index is out of range, giving it and its position.
 * @example
 * ```ts
 * import { takeRows, tensor } from '@chainrule/core';
 * const x = tensor([[1, 2], [3, 4], [5, 6]]);
 * takeRows(x, Int32Array.of(2, 0)).toArray();   // [[5, 6], [1, 2]]
 * ```
 */
export function takeRows<T extends Tensor | Labels>(t: T, index: Int32Array): T extends Tensor ? Tensor : Int32Array;
export function takeRows(t: Tensor | Labels, index: Int32Array): Tensor | Int32Array {
  if (!(t instanceof Tensor)) return takeEntries(t, index);
  const n = t.shape[0];
  if (n === undefined) throw new Error('takeRows: a scalar has no rows');
  const row = t.size / Math.max(n, 1);
  for (let i = 0; i < index.length; i++) checkRow(index, i, n, 'a tensor', 'rows');
  const out = allocate(t.dtype, index.length * row, 'overwritten');
  kernels().takeRows(t.data, row, index, out);
  return new Tensor(out, [index.length, ...t.shape.slice(1)]);
}

function takeEntries(labels: Labels, index: Int32Array): Int32Array {
  const out = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = labels[checkRow(index, i, labels.length, 'a label list', 'labels')]!;
  return out;
}

function checkRow(index: Int32Array, i: number, n: number, what: string, unit: string): number {
  const r = index[i]!;
  if (!(r >= 0 && r < n)) throw new Error(`takeRows: row ${r} (at position ${i}) is out of range for ${what} of ${n} ${unit}`);
  return r;
}
