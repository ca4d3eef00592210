/**
 * The shared recipe of the function-fitting examples: standardise x and y, fit an MLP with Adam
 * and a cosine-decayed learning rate, and report the test MSE on the original scale of y.
 */
import { noGrad, type Tensor } from '@chainrule/core';
import { adam, cosineDecay, fit, meanSquaredError, mlp, predict, StandardScaler, warmup, type ActivationName, type Model, type Params, type History } from '@chainrule/nn';

export interface RegressionConfig {
  readonly layers: number[];
  readonly activation: ActivationName;
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

export interface RegressionResult {
  readonly model: Model;
  readonly params: Params;
  readonly history: History;
  readonly testMse: number;
  readonly trainMse: number;
  /** Predictions on any x, on the original scale of y. */
  readonly predict: (x: Tensor) => Tensor;
}

export function fitRegression(c: RegressionConfig, train: { x: Tensor; y: Tensor }, test: { x: Tensor; y: Tensor }): RegressionResult {
  const xs = StandardScaler.fit(train.x);
  const ys = StandardScaler.fit(train.y);
  const model = mlp(c.layers, { hidden: c.activation, output: 'linear' });
  const n = train.x.shape[0]!;
  const batchSize = Math.min(c.batchSize, n);
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const epochs = Math.max(1, Math.round(c.steps / stepsPerEpoch));
  const lr = warmup(cosineDecay(c.lr, { decaySteps: epochs * stepsPerEpoch, alpha: 0.001 }), { steps: Math.min(100, stepsPerEpoch * epochs / 20) });
  const { params, history } = fit(model, model.init(c.seed), { x: xs.transform(train.x), y: ys.transform(train.y) }, {
    loss: 'mse', optimizer: adam({ lr }), epochs, batchSize, seed: c.seed, progress: false,
  });
  const predictY = (x: Tensor) => noGrad(() => ys.inverseTransform(predict(model, params, xs.transform(x))));
  return {
    model, params, history, predict: predictY,
    testMse: meanSquaredError(predictY(test.x), test.y),
    trainMse: meanSquaredError(predictY(train.x), train.y),
  };
}
