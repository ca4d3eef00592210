/** Mini-batches: index sets over the samples (shuffled with a seeded Rng), and the rows they pick. */
import { Rng, takeRows, Tensor } from '@chainrule/core';
import { positiveInt } from './names.ts';
import { sampleCount, type Target } from './targets.ts';

/** How to cut samples into batches. */
export interface BatchOptions {
  /** Samples per batch, a positive integer; the last batch holds what is left. */
  readonly batchSize: number;
  /** Visit the samples in a random order drawn from `rng` (default false: in order). */
  readonly shuffle?: boolean;
  /** The stream (or seed) that orders the samples when shuffling. */
  readonly rng?: Rng | number;
}

/**
 * Index sets of batchSize samples out of n; the last one holds whatever is left (never dropped).
 *
 * @throws Error when batchSize is not a positive integer, or shuffle is asked for without rng.
 * @example
 * ```ts
 * import { batchIndices } from '@chainrule/nn';
 * batchIndices(5, { batchSize: 2 }); // [0, 1], [2, 3], [4]
 * ```
 */
export function batchIndices(n: number, options: BatchOptions): Int32Array[] {
  const size = positiveInt('batches', 'batchSize', options.batchSize);
  let order: Int32Array;
  if (options.shuffle) {
    if (options.rng === undefined) throw new Error('batches: shuffle needs { rng } or a seed so the order is reproducible');
    order = (typeof options.rng === 'number' ? new Rng(options.rng) : options.rng).permutation(n);
  } else {
    // A plain loop: Int32Array.from with a mapping function took 3.1 ms for MNIST's 60 000 rows, the loop 1.1 ms.
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += size) out.push(order.subarray(start, Math.min(n, start + size)));
  return out;
}

/** One batch of {@link batches}. */
export interface Batch<Y extends Target> {
  /** Its rows of x, [batch, features]. */
  readonly x: Tensor;
  /** The same rows of y. */
  readonly y: Y;
  /** Which samples they are (row numbers of x). */
  readonly indices: Int32Array;
}

/**
 * Checks that x and y describe the same samples, naming both counts; returns the count.
 *
 * @param where Starts the error message, e.g. the caller's name.
 * @throws Error when x is not a Tensor or the counts differ.
 */
export function checkSameCount(where: string, x: Tensor, y: Target): number {
  if (!(x instanceof Tensor)) throw new Error(`${where}: x must be a Tensor of shape [samples, features]`);
  const n = sampleCount(x);
  const m = sampleCount(y);
  if (n !== m) throw new Error(`${where}: x has ${n} samples but y has ${m}; they must have the same number of rows`);
  return n;
}

/**
 * The batches of (x, y) in order: the rows of x [n, features] and y that {@link batchIndices} picks.
 *
 * @throws Error when x and y have different numbers of samples, or as batchIndices does.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { batches } from '@chainrule/nn';
 * for (const { x, y } of batches(tensor([[1], [2], [3]]), [0, 1, 0], { batchSize: 2, shuffle: true, rng: 1 })) console.log(x.shape, y);
 * ```
 */
export function* batches<Y extends Target>(x: Tensor, y: Y, options: BatchOptions): Generator<Batch<Y extends Tensor ? Tensor : Int32Array>> {
  const n = checkSameCount('batches', x, y);
  for (const indices of batchIndices(n, options)) yield { x: takeRows(x, indices), y: takeRows(y, indices), indices };
}

