/** A seeded train/test split of paired tensors along their first axis. */
import { describeValue, Rng, takeRows, Tensor } from '@chainrule/core';
import { checkOptions, seeded } from './validate.ts';

export interface SplitOptions {
  /** Share of rows held out for testing, in (0, 1); the test count is round(n · testFraction). */
  readonly testFraction?: number;
  readonly seed?: number;
  readonly rng?: Rng;
  /** Shuffle before splitting (default true); false keeps the first rows for training, in order. */
  readonly shuffle?: boolean;
}

export interface Split {
  readonly xTrain: Tensor;
  readonly yTrain: Tensor;
  readonly xTest: Tensor;
  readonly yTest: Tensor;
  /** Which original rows went where, so other arrays (e.g. integer labels) can follow. */
  readonly trainIndex: Int32Array;
  readonly testIndex: Int32Array;
}

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
