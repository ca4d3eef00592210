/** Mini-batches: index sets over the samples (shuffled with a seeded Rng), and the rows they pick. */
import { Rng, takeRows, Tensor } from '@chainrule/core';
import { positiveInt } from './names.ts';
import { sampleCount, type Target } from './targets.ts';

export interface BatchOptions {
  readonly batchSize: number;
  readonly shuffle?: boolean;
  /** The stream (or seed) that orders the samples when shuffling. */
  readonly rng?: Rng | number;
}

/** Index sets of batchSize samples; the last one holds whatever is left (never dropped). */
export function batchIndices(n: number, options: BatchOptions): Int32Array[] {
  const size = positiveInt('batches', 'batchSize', options.batchSize);
  let order: Int32Array;
  if (options.shuffle) {
    if (options.rng === undefined) throw new Error('batches: shuffle needs { rng } or a seed so the order is reproducible');
    order = (typeof options.rng === 'number' ? new Rng(options.rng) : options.rng).permutation(n);
  } else order = Int32Array.from({ length: n }, (_, i) => i);
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += size) out.push(order.subarray(start, Math.min(n, start + size)));
  return out;
}

export interface Batch<Y extends Target> {
  readonly x: Tensor;
  readonly y: Y;
  readonly indices: Int32Array;
}

/** Checks that x and y describe the same samples, naming both counts. */
export function checkSameCount(where: string, x: Tensor, y: Target): number {
  if (!(x instanceof Tensor)) throw new Error(`${where}: x must be a Tensor of shape [samples, features]`);
  const n = sampleCount(x);
  const m = sampleCount(y);
  if (n !== m) throw new Error(`${where}: x has ${n} samples but y has ${m}; they must have the same number of rows`);
  return n;
}

/** The batches of (x, y) in order: `for (const { x, y } of batches(x, y, { batchSize: 32, shuffle: true, rng: 1 }))`. */
export function* batches<Y extends Target>(x: Tensor, y: Y, options: BatchOptions): Generator<Batch<Y extends Tensor ? Tensor : Int32Array>> {
  const n = checkSameCount('batches', x, y);
  for (const indices of batchIndices(n, options)) yield { x: takeRows(x, indices), y: takeRows(y, indices), indices };
}
