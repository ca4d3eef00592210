/**
 * f(x) = e^x on [-2, 2] with one hidden layer and 3000 iterations, as in the seed project.
 * Prints the test MSE on the original scale of y and writes a report with the fit against the
 * truth and the training curves.
 */
import { functions, sampleFunction } from '@chainrule/datasets';
import { fit1dChart } from '@chainrule/viz';
import { everyKth, regressionFlags, runRegressionExample, type ExampleConfig, type ExampleOptions, type ExampleRun } from './regression.ts';

export const defaults: ExampleConfig = {
  layers: [1, 16, 1], activation: 'tanh', steps: 3000, batchSize: 256, lr: 0.1, n: 2000, noise: 0, seed: 1,
};

export function runExp(c: ExampleConfig, o: ExampleOptions): Promise<ExampleRun> {
  return runRegressionExample({ name: 'exp', title: 'f(x) = e^x with one hidden layer', fn: functions.exp }, c, o, (r, train) => {
    const grid = sampleFunction(functions.exp, { grid: 401 });
    const prediction = Array.from(r.predict(grid.x).data);
    const truth = Array.from(grid.y.data);
    const maxError = truth.reduce((m, t, i) => Math.max(m, Math.abs(prediction[i]! - t)), 0);
    const shown = everyKth(train.x.shape[0]!, 150);
    return {
      metrics: { 'max |error| on [-2, 2]': maxError.toExponential(2) },
      figures: [{
        title: 'Fit against truth',
        spec: fit1dChart({
          x: Array.from(grid.x.data), truth, prediction, title: 'e^x: network against truth', yTitle: 'y',
          train: { x: shown.map((i) => train.x.data[i]!), y: shown.map((i) => train.y.data[i]!) },
        }),
      }],
    };
  });
}

export async function main(argv: string[]): Promise<void> {
  const { config, options } = regressionFlags('exp', argv, defaults, 'reports/exp');
  await runExp(config, options);
}
