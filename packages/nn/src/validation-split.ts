/**
 * fit's `validationSplit` (Keras's `validation_split`): a seeded fraction of the training rows is held
 * out for validation. Unlike Keras, which takes the last rows, the rows are drawn at random, so data
 * sorted by class still gives a fair validation set.
 */
import { Rng, takeRows, type Tensor } from '@chainrule/core';
import type { Target } from './targets.ts';

type Data = { readonly x: Tensor; readonly y: Target };

/** How many of n rows a fraction holds out: round(n · fraction). */
export const validationCount = (n: number, fraction: number): number => Math.round(n * fraction);

/**
 * Splits data into training and validation rows. The rows come from their own stream of fit's seed:
 * the shuffling stream jumped 2 · 2^64 draws ahead (fit's augmentation stream is 2^64 ahead), so the
 * split shares no draws with shuffling or augmentation, and the same seed always holds out the same
 * rows, in a resumed run too. Both parts keep the rows' original order.
 */
export function splitValidation(data: Data, n: number, fraction: number, seed: number): { train: Data; validation: Data } {
  const stream = new Rng(seed);
  stream.split(); // each split jumps this stream 2^64 draws ahead: past the shuffling, then the augmentation
  stream.split();
  const order = stream.permutation(n);
  const held = validationCount(n, fraction);
  const validationRows = order.subarray(0, held).sort();
  const trainRows = order.subarray(held).sort();
  return {
    train: { x: takeRows(data.x, trainRows), y: takeRows(data.y, trainRows) },
    validation: { x: takeRows(data.x, validationRows), y: takeRows(data.y, validationRows) },
  };
}
