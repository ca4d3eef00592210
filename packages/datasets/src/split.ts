/** A seeded train/test split of paired tensors along their first axis. */
import { describeValue, Rng, takeRows, Tensor } from '@chainrule/core';
import { checkOptions, seeded } from './validate.ts';

/** {@link trainTestSplit}'s options: the test share and where the shuffle's randomness comes from. */
export interface SplitOptions {
  /** Share of rows held out for testing, in (0, 1); the test count is round(n · testFraction). */
  readonly testFraction?: number;
  /** Seed of the shuffle (give this or `rng` when shuffling). */
  readonly seed?: number;
  /** A stream to shuffle with instead of a seed; it advances. */
  readonly rng?: Rng;
  /** Shuffle before splitting (default true); false keeps the first rows for training, in order. */
  readonly shuffle?: boolean;
}

/** The rows of x and y divided into a training and a test set, with the row indices each took. */
export interface Split {
  /** The training rows of x: [n − nTest, …], x's dtype. */
  readonly xTrain: Tensor;
  /** The training rows of y, in the same order as xTrain. */
  readonly yTrain: Tensor;
  /** The test rows of x: [nTest, …]. */
  readonly xTest: Tensor;
  /** The test rows of y, in the same order as xTest. */
  readonly yTest: Tensor;
  /** Which original rows went where, so other arrays (e.g. integer labels) can follow. */
  readonly trainIndex: Int32Array;
  /** The original rows of the test set, in order. */
  readonly testIndex: Int32Array;
}

/**
 * Splits paired tensors by rows (axis 0) into a training and a test set, shuffled with a seed (or
 * in order with `shuffle: false`). x and y keep their dtypes and trailing shapes.
 *
 * @param x - inputs, [n, …].
 * @param y - targets, [n, …]: the same number of rows as x.
 * @throws Error when x or y is not a Tensor, their row counts differ, testFraction is not in (0, 1)
 *   or leaves either set empty, or a shuffle has neither `seed` nor `rng`.
 * @example
 * ```ts
 * import { sampleFunction, trainTestSplit } from '@chainrule/datasets';
 * const { x, y } = sampleFunction('sinc', { n: 500, seed: 0 });
 * const { xTrain, xTest } = trainTestSplit(x, y, { testFraction: 0.2, seed: 1 });
 * xTrain.shape;   // [400, 1]
 * xTest.shape;    // [100, 1]
 * ```
 */
export function trainTestSplit(x: Tensor, y: Tensor, options: SplitOptions = {}): Split {
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    if (!(t instanceof Tensor)) throw new Error(`trainTestSplit: ${name} must be a Tensor, got ${describeValue(t)}${name === 'y' ? ' (to split a list of labels too, pick from it with the trainIndex and testIndex this returns)' : ''}`);
  }
  checkOptions('trainTestSplit', options, '{ testFraction: 0.2, seed: 0 }');
  const { testFraction = 0.2, shuffle = true } = options;
  if (options.rng !== undefined && !(options.rng instanceof Rng)) throw new Error(`trainTestSplit: rng must be an Rng (or pass { seed }), got ${describeValue(options.rng)}`);
  if (typeof shuffle !== 'boolean') throw new Error(`trainTestSplit: shuffle must be true or false, got ${describeValue(shuffle)}`);
  if (x.rank < 1 || y.rank < 1 || x.shape[0] !== y.shape[0]) {
    throw new Error(`trainTestSplit: x [${x.shape.join(',')}] and y [${y.shape.join(',')}] must have the same number of rows (axis 0)`);
  }
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) throw new Error(`trainTestSplit: testFraction must be in (0, 1), got ${describeValue(testFraction)}`);
  const n = x.shape[0]!;
  const nTest = Math.round(n * testFraction);
  if (nTest === 0 || nTest === n) {
    throw new Error(`trainTestSplit: testFraction ${testFraction} of ${n} rows leaves ${n - nTest} rows for training and ${nTest} for testing; both need at least one`);
  }
  let order: Int32Array;
  if (shuffle) {
    const rng = options.rng ?? (options.seed !== undefined ? seeded('trainTestSplit', options.seed) : undefined);
    if (!rng) throw new Error('trainTestSplit: pass { seed } or { rng } so the split is reproducible (or { shuffle: false })');
    order = rng.permutation(n);
  } else {
    order = Int32Array.from({ length: n }, (_, i) => i);
  }
  const trainIndex = order.slice(0, n - nTest);
  const testIndex = order.slice(n - nTest);
  return {
    xTrain: takeRows(x, trainIndex), yTrain: takeRows(y, trainIndex),
    xTest: takeRows(x, testIndex), yTest: takeRows(y, testIndex),
    trainIndex, testIndex,
  };
}
