/**
 * MNIST for the page: the subset @chainrule/datasets ships (3000 training and 1000 test digits, pixels in
 * [0, 1]), fetched once per worker. The test digits are the validation set and also the "grid" the model
 * predicts on, so the page can draw test digits with their predicted labels and count a confusion matrix.
 */
import mnistUrl from '@chainrule/datasets/assets/mnist-subset.bin.gz?url';
import { fetchMnistSubset, type MnistSubset } from '@chainrule/datasets';
import { toOneHot, type Target } from '@chainrule/nn';
import type { PlaygroundState } from '../state/state.ts';
import type { RunData } from './data.ts';

const CLASSES = 10;
let subset: Promise<MnistSubset> | undefined;

/** The subset, fetched on first use; a failed fetch is tried again by the next run rather than kept. */
export function loadDigits(): Promise<MnistSubset> {
  subset ??= fetchMnistSubset(new URL(mnistUrl, self.location.href)).catch((e: unknown) => {
    subset = undefined;
    throw e;
  });
  return subset;
}

export function digitsData(state: PlaygroundState, { train, test }: MnistSubset): RunData {
  // mse scores the digit as a one-hot row; cross-entropy takes the labels.
  const target = (labels: Int32Array): Target => (state.loss === 'mse' ? toOneHot(labels, CLASSES) : labels);
  return {
    task: 'digits', inputs: 784, outputs: CLASSES,
    train: { x: train.x, y: target(train.labels) },
    validation: { x: test.x, y: target(test.labels) },
    points: { x: test.x.data as Float32Array, value: Float32Array.from(test.labels) },
    bounds: [],
    gridSize: 0,
    grid: test.x,
  };
}
