/**
 * sin(x)/x on [-15, 15] (several oscillations) with a 7-layer network: six hidden layers and the
 * output. Prints the test MSE on the original scale of y and plots the fit against the truth.
 */
import { functions, sampleFunction } from '@chainrule/datasets';
import { fit1dChart } from '@chainrule/viz';
import { everyKth, regressionFlags, runRegressionExample, type ExampleConfig, type ExampleOptions, type ExampleRun } from './regression.ts';

export const defaults: ExampleConfig = {
  layers: [1, 32, 32, 32, 32, 32, 32, 1], activation: 'tanh', steps: 4000, batchSize: 128, lr: 1e-2, n: 4000, noise: 0, seed: 1,
};

export function runSinc(c: ExampleConfig, o: ExampleOptions): Promise<ExampleRun> {
  return runRegressionExample({ name: 'sinc', title: 'sin(x)/x with a 7-layer network', fn: functions.sinc }, c, o, (r, train) => {
    const grid = sampleFunction(functions.sinc, { grid: 1201 });
    const prediction = Array.from(r.predict(grid.x).data);
    const truth = Array.from(grid.y.data);
    const maxError = truth.reduce((m, t, i) => Math.max(m, Math.abs(prediction[i]! - t)), 0);
    const shown = everyKth(train.x.shape[0]!, 250);
    return {
      metrics: { 'max |error| on [-15, 15]': maxError.toExponential(2) },
      figures: [{
        title: 'Fit against truth',
        spec: fit1dChart({
          x: Array.from(grid.x.data), truth, prediction, title: 'sin(x)/x: network against truth', yTitle: 'y',
          train: { x: shown.map((i) => train.x.data[i]!), y: shown.map((i) => train.y.data[i]!) },
        }),
      }],
    };
  });
}

export async function main(argv: string[]): Promise<void> {
  const { config, options } = regressionFlags('sinc', argv, defaults, 'reports/sinc');
  await runSinc(config, options);
}
