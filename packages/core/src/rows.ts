/**
 * Row selection, the one place batches and splits are cut from: a leaf copy of the chosen rows
 * (axis 0) of a tensor, or the chosen entries of a list of integer labels. Batches carry no graph,
 * so this is not an op (`gather` is the differentiable one).
 */
import { allocate, kernels } from './backend/index.ts';
import type { Labels } from './labels.ts';
import { checkedTensor, Tensor } from './tensor.ts';

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
  const shape = t.shape, n = shape[0];
  if (n === undefined) throw new Error('takeRows: a scalar has no rows');
  const row = t.size / Math.max(n, 1);
  checkRows(index, n, 'a tensor', 'rows');
  const out = allocate(t.dtype, index.length * row, 'overwritten');
  kernels().takeRows(t.data, row, index, out);
  // The data fills the shape by construction: the constructor's check is not done again.
  return checkedTensor(out, batchShape(index.length, shape), undefined);
}

/** [count, ...shape.slice(1)], built without the slice and the spread (a call per training step). */
function batchShape(count: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  out[0] = count;
  for (let d = 1; d < shape.length; d++) out[d] = shape[d]!;
  return out;
}

function takeEntries(labels: Labels, index: Int32Array): Int32Array {
  checkRows(index, labels.length, 'a label list', 'labels');
  const out = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = labels[index[i]!]!;
  return out;
}

/** Every entry of `rows` in [0, n); else an error naming the first that is not and its position. */
function checkRows(rows: Int32Array, n: number, what: string, unit: string): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!(r >= 0 && r < n)) throw new Error(`takeRows: row ${r} (at position ${i}) is out of range for ${what} of ${n} ${unit}`);
  }
}
