/** What the two MNIST examples share around training: epoch timing, the printed results, the graph's loss. */
import { noGrad, slice, type Tensor } from '@chainrule/core';
import { objective, type Callbacks, type Model, type Params } from '@chainrule/nn';

/** Seconds per epoch, measured by fit's onEpochEnd callback (validation included). */
export function epochTimer(): { seconds: number[]; callbacks: Callbacks } {
  const seconds: number[] = [];
  let started = performance.now();
  return {
    seconds,
    callbacks: {
      onEpochEnd: () => {
        const now = performance.now();
        seconds.push((now - started) / 1000);
        started = now;
      },
    },
  };
}

/** Where an MNIST example writes and how it logs (`pnpm example mnist` and `mnist-cnn` alike). */
export interface ExampleOptions {
  /** Folder for the model and the report. */
  readonly out: string;
  /** The command line shown in the report. */
  readonly command?: string;
  readonly log?: (line: string) => void;
}

/** What a classifier's run reports. */
export interface ClassifierRun {
  readonly testAccuracy: number;
  readonly secondsPerEpoch: number[];
  readonly samplesPerSecond: number;
  readonly confusion: number[][];
}

/** Prints the test accuracy, the seconds of each epoch (to `decimals`) and the confusion matrix. */
export function logResults(run: ClassifierRun, log: (line: string) => void, decimals = 2): void {
  log(`test accuracy ${(run.testAccuracy * 100).toFixed(2)}%`);
  log(`seconds per epoch ${run.secondsPerEpoch.map((s) => s.toFixed(decimals)).join(' ')}; ${Math.round(run.samplesPerSecond)} samples/s`);
  log('confusion matrix (rows: true digit, columns: predicted)');
  run.confusion.forEach((row, i) => log(`${i}: ${row.map((v) => String(v).padStart(5)).join('')}`));
}

/** The mean of the seconds per epoch, for the report. */
export const meanSeconds = (run: ClassifierRun, decimals = 2): string =>
  (run.secondsPerEpoch.reduce((a, b) => a + b, 0) / run.secondsPerEpoch.length).toFixed(decimals);

/** The cross-entropy of the first `batch` test images, on the tape: the graph the reports draw. */
export function firstImagesLoss(model: Model, params: Params, test: { x: Tensor; labels: Int32Array }, batch: number): Tensor {
  const x = noGrad(() => slice(test.x, [0, 0], [batch, test.x.shape[1]!])); // a fresh input, not a view of the test set
  return objective(model, 'crossEntropy')(params, x, test.labels.subarray(0, batch)).loss;
}
