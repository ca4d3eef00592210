/**
 * The WebAssembly sets' takeRows: the reference copy (a copy through wasm memory would cost more than it
 * saves), after a pass that starts every row's cache and TLB misses at once.
 */
import type { TypedArray } from '../../dtype.ts';
import { takeRows as copyRows } from '../reference/layout.ts';

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
function touchRows(x: TypedArray, rows: Int32Array, rowLength: number): void {
  if (rowLength === 0) return;
  const step = PAGE_BYTES / x.BYTES_PER_ELEMENT;
  let sum = 0;
  for (let i = 0; i < rows.length; i++) {
    const start = rows[i]! * rowLength, end = start + rowLength;
    for (let at = start; at < end; at += step) sum += x[at]!;
    sum += x[end - 1]!;
  }
  touched += sum;
}

export function takeRows(x: TypedArray, rowLength: number, rows: Int32Array, out: TypedArray): void {
  touchRows(x, rows, rowLength);
  copyRows(x, rowLength, rows, out);
}
