/**
 * The shared recipe of the function-fitting examples (exp, sinc, surface): sample the function,
 * split it, standardise x and y, fit an MLP with Adam and a warmed-up, cosine-decayed learning
 * rate, report the test MSE on the original scale of y, and write the report.
 */
import { backend, noGrad, type Tensor } from '@chainrule/core';
import { sampleFunction, trainTestSplit, type SyntheticFunction } from '@chainrule/datasets';
import {
  adam, checkActivation, cosineDecay, countParams, fit, meanSquaredError, mlp, predict, StandardScaler, warmup,
  type ActivationName, type History, type Model, type Params,
} from '@chainrule/nn';
import { writeReport, type Figure, type WrittenReport } from '@chainrule/viz/node';
import { commandLine, flags, listFlag, numberFlag } from './cli.ts';
import { trainingFigures } from './figures.ts';

export interface RegressionConfig {
  readonly layers: readonly number[];
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
  const lr = warmup(cosineDecay(c.lr, { decaySteps: epochs * stepsPerEpoch, alpha: 0.001 }), { steps: Math.max(1, Math.round(Math.min(100, (stepsPerEpoch * epochs) / 20))) });
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

/** A function-fitting example's settings: the network and its training, and the data sampled. */
export interface ExampleConfig extends RegressionConfig {
  /** Points sampled uniformly at random; a fifth are held out for the test MSE. */
  readonly n: number;
  /** Standard deviation of Gaussian noise on the training targets (the test targets stay exact). */
  readonly noise: number;
}

export interface ExampleOptions {
  /** Report folder. */
  readonly out: string;
  /** Also write PNGs beside the SVGs. */
  readonly png?: boolean;
  /** The command line shown in the report. */
  readonly command?: string;
  readonly log?: (line: string) => void;
}

export interface ExampleRun extends RegressionResult {
  readonly seconds: number;
  readonly report: WrittenReport;
}

/** Parses the flags every function-fitting example shares; defaults come from the example. */
export function regressionFlags(example: string, argv: string[], d: ExampleConfig, out: string): { config: ExampleConfig; options: ExampleOptions } {
  const f = flags(example, argv, {
    layers: { type: 'string', default: d.layers.join(','), description: 'layer widths, input first, output last' },
    activation: { type: 'string', default: d.activation, description: 'hidden activation: tanh, relu, gelu, sigmoid, leakyRelu' },
    steps: { type: 'string', default: String(d.steps), description: 'training steps (mini-batches)' },
    'batch-size': { type: 'string', default: String(d.batchSize), description: 'samples per step' },
    lr: { type: 'string', default: String(d.lr), description: 'peak learning rate (Adam, warmup then cosine decay)' },
    n: { type: 'string', default: String(d.n), description: 'points sampled (a fifth held out for testing)' },
    noise: { type: 'string', default: String(d.noise), description: 'Gaussian noise on the training targets (standard deviation)' },
    seed: { type: 'string', default: String(d.seed), description: 'seed for data, initialisation and shuffling' },
    out: { type: 'string', default: out, description: 'report folder' },
    png: { type: 'boolean', default: false, description: 'also write a PNG of every figure' },
  });
  const int = (name: string, v: string, min = 1) => numberFlag(example, name, v, { min, integer: true });
  const config: ExampleConfig = {
    layers: listFlag(f.layers).map((v) => int('layers', v)),
    activation: checkActivation(f.activation),
    steps: int('steps', f.steps),
    batchSize: int('batch-size', f['batch-size']),
    lr: numberFlag(example, 'lr', f.lr, { min: 0 }),
    n: int('n', f.n, 10),
    noise: numberFlag(example, 'noise', f.noise, { min: 0 }),
    seed: numberFlag(example, 'seed', f.seed, { integer: true }),
  };
  if (config.layers.length < 2) throw new Error(`${example}: --layers needs at least an input and an output width, got '${f.layers}'`);
  return { config, options: { out: f.out, png: f.png, command: commandLine(example, argv) } };
}

/**
 * Samples `fn`, fits it, prints the MSEs and writes a report with the example's own figures
 * (made from the fitted model) followed by the training figures.
 */
export async function runRegressionExample(
  example: { readonly name: string; readonly title: string; readonly fn: SyntheticFunction },
  c: ExampleConfig, o: ExampleOptions,
  figures: (r: RegressionResult, train: { x: Tensor; y: Tensor }) => { figures: Figure[]; metrics?: Record<string, unknown> },
): Promise<ExampleRun> {
  const log = o.log ?? console.log;
  const { fn } = example;
  if (c.layers[0] !== fn.inputs || c.layers.at(-1) !== 1) {
    throw new Error(`${example.name}: --layers must start with ${fn.inputs} (inputs) and end with 1 (output), got ${c.layers.join(',')}`);
  }
  const data = sampleFunction(fn, { n: c.n, seed: c.seed });
  const split = trainTestSplit(data.x, data.y, { testFraction: 0.2, seed: c.seed + 1 });
  // Noise goes on the training targets only, so the test MSE measures the distance to the true function.
  const yTrain = c.noise > 0 ? noisy(split.yTrain, c.noise, c.seed + 2) : split.yTrain;
  const train = { x: split.xTrain, y: yTrain };
  log(`${example.title}: ${c.layers.join('→')} (${c.activation}), ${c.steps} steps, batch ${c.batchSize}, lr ${c.lr}; ` +
    `${split.xTrain.shape[0]} training and ${split.xTest.shape[0]} test points on ${fn.domain.map(([a, b]) => `[${fmtNum(a)}, ${fmtNum(b)}]`).join(' × ')}; kernels ${backend()}`);
  const started = performance.now();
  const r = fitRegression(c, train, { x: split.xTest, y: split.yTest });
  const seconds = (performance.now() - started) / 1000;
  log(`test MSE ${r.testMse.toExponential(3)} (train ${r.trainMse.toExponential(3)}), original scale of y; ${seconds.toFixed(1)} s`);
  const own = figures(r, train);
  const report = await writeReport(o.out, {
    title: example.title,
    command: o.command,
    settings: { ...c, layers: c.layers.join(','), function: fn.name, domain: fn.domain.map(([a, b]) => `[${fmtNum(a)}, ${fmtNum(b)}]`).join(' × '), optimizer: 'adam, warmup + cosine decay', kernels: backend(), parameters: countParams(r.params) },
    metrics: { 'test MSE': r.testMse.toExponential(3), 'train MSE': r.trainMse.toExponential(3), ...own.metrics, 'training seconds': seconds.toFixed(1) },
    figures: [...own.figures, ...trainingFigures(r.history, { perStep: true })],
    png: o.png,
  });
  log(`report written to ${report.index}`);
  return { ...r, seconds, report };
}

const fmtNum = (v: number): string => (Math.abs(v - Math.PI) < 1e-12 ? 'π' : Math.abs(v + Math.PI) < 1e-12 ? '-π' : String(v));

function noisy(y: Tensor, sd: number, seed: number): Tensor {
  const e = sampleFunction(() => 0, { n: y.shape[0]!, range: [0, 1], noise: sd, seed, dtype: y.dtype }).y;
  return noGrad(() => y.add(e));
}

/** Every k-th row index so that about `max` remain (for scatter plots of training points). */
export const everyKth = (n: number, max: number): number[] => {
  const k = Math.max(1, Math.ceil(n / max));
  return Array.from({ length: Math.ceil(n / k) }, (_, i) => i * k);
};
