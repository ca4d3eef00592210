/**
 * sin(x) + cos(y) on [-π, π]² with two hidden layers of 96 neurons. Prints the test MSE on the
 * original scale and draws truth, prediction and error as heatmaps on a grid.
 */
import { functions, sampleFunction } from '@chainrule/datasets';
import { surfaceChart } from '@chainrule/viz';
import { regressionFlags, runRegressionExample, type ExampleConfig, type ExampleOptions, type ExampleRun } from './regression.ts';

export const defaults: ExampleConfig = {
  layers: [2, 96, 96, 1], activation: 'tanh', steps: 4000, batchSize: 128, lr: 1e-2, n: 4000, noise: 0, seed: 1,
};

/** Points per axis of the grid the heatmaps are drawn on. */
export const GRID = 41;

export function runSurface(c: ExampleConfig, o: ExampleOptions & { grid?: number }): Promise<ExampleRun> {
  return runRegressionExample({ name: 'surface', title: 'sin(x) + cos(y) on [-π, π]²', fn: functions.sinPlusCos }, c, o, (r) => {
    const k = o.grid ?? GRID;
    const grid = sampleFunction(functions.sinPlusCos, { grid: k });
    const prediction = r.predict(grid.x).data;
    const truth = grid.y.data;
    let maxError = 0, sq = 0;
    for (let i = 0; i < truth.length; i++) {
      const e = prediction[i]! - truth[i]!;
      maxError = Math.max(maxError, Math.abs(e));
      sq += e * e;
    }
    // Grid points vary in x fastest, so row i of the grid is y = axis[i].
    const axis = Array.from({ length: k }, (_, i) => grid.x.data[2 * i]!);
    return {
      metrics: { [`grid MSE (${k}×${k})`]: (sq / truth.length).toExponential(3), 'max |error| on the grid': maxError.toExponential(2) },
      figures: [{
        title: 'Truth, prediction and error', wide: true,
        spec: surfaceChart({ x: axis, y: axis, truth, prediction, title: 'sin(x) + cos(y): truth, prediction and error', xTitle: 'x', yTitle: 'y' }),
      }],
    };
  });
}

export async function main(argv: string[]): Promise<void> {
  const { config, options } = regressionFlags('surface', argv, defaults, 'reports/surface');
  await runSurface(config, options);
}
