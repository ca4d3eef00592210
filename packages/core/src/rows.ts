/**
 * Row selection, the one place batches and splits are cut from: a leaf copy of the chosen rows
 * (axis 0) of a tensor, or the chosen entries of a list of integer labels. Batches carry no graph,
 * so this is not an op (`gather` is the differentiable one).
 */
import { allocate } from './backend/index.ts';
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
  touchRows(t.data, index, row);
  const out = allocate(t.dtype, index.length * row, 'overwritten');
  for (let i = 0; i < index.length; i++) {
    const r = index[i]!;
    out.set(t.data.subarray(r * row, (r + 1) * row), i * row);
  }
  return new Tensor(out, [index.length, ...t.shape.slice(1)]);
}

/** Where touchRows leaves what it read, so that the reads are not optimised away. */
let touched = 0;
/** touchRows reads one value this many bytes apart: a page. */
const PAGE_BYTES = 4096;

/**
 * Reads one value from every page of each chosen row before they are copied; nothing changes. A shuffled
 * batch's rows lie scattered over the whole data set (188 MB for MNIST), and a copy waits on each row's
 * cache and TLB misses in turn; these reads do not depend on one another, so the CPU overlaps their
 * misses. Measured on the project's VM: ~25 ms less per MNIST epoch of 938 shuffled batches.
 */
function touchRows(data: ArrayLike<number> & { readonly BYTES_PER_ELEMENT: number }, index: Int32Array, row: number): void {
  if (row === 0) return;
  const step = PAGE_BYTES / data.BYTES_PER_ELEMENT;
  let sum = 0;
  for (let i = 0; i < index.length; i++) {
    const start = index[i]! * row, end = start + row;
    for (let at = start; at < end; at += step) sum += data[at]!;
    sum += data[end - 1]!;
  }
  touched += sum;
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
