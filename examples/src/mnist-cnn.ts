/**
 * MNIST with a small convolutional network, LeNet's shape with ReLUs and max pooling:
 * conv 5×5 (16 filters) → pool 2 → conv 5×5 (32 filters) → pool 2 → dense 128 → dense 10 (softmax).
 * It trains on 55 000 images, watches 5 000 held out from the training set (what the settings were
 * tuned on), and reports the 10 000 test images once, at the end. The recipe is the MLP example's
 * (Adam with warmup and cosine decay, random shifts of up to 2 pixels).
 */
import { join } from 'node:path';
import { backend, grad, noGrad, slice, Rng, type Tensor } from '@chainrule/core';
import { shiftImages } from '@chainrule/datasets';
import { loadMnist } from '@chainrule/datasets/node';
import {
  confusionMatrix, conv2d, countParams, dense, dropout, evaluate, fit, flatten, maxPool2d, predict, predictedClasses, reshape, sequential,
  type Model, type Params,
} from '@chainrule/nn';
import { saveModel } from '@chainrule/nn/node';
import { confusionChart, digitsChart, gradMap, imagesChart, toDot } from '@chainrule/viz';
import { writeReport, type Figure } from '@chainrule/viz/node';
import { commandLine, flags, listFlag, numberFlag } from './cli.ts';
import { epochTimer, firstImagesLoss, logResults, meanSeconds, type ExampleOptions } from './classifier-run.ts';
import { trainingFigures } from './figures.ts';
import { learningRate, optimizerFor } from './mnist.ts';

export interface CnnConfig {
  /** Filters of each conv block (a conv, ReLU, then 2×2 max pooling). */
  readonly filters: number[];
  readonly kernel: number;
  /** Width of the hidden dense layer. */
  readonly dense: number;
  readonly dropout: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: string;
  readonly lr: number;
  readonly schedule: string;
  readonly shift: number;
  readonly seed: number;
  /** Training images held out for validation. */
  readonly validation: number;
  readonly limit?: number;
  readonly testLimit?: number;
}

export const defaults: CnnConfig = {
  filters: [16, 32], kernel: 5, dense: 128, dropout: 0, epochs: 12, batchSize: 64, optimizer: 'adam', lr: 2e-3, schedule: 'cosine', shift: 2, seed: 1,
  validation: 5000,
};

/** The network: [batch, 784] pixels in, reshaped to one-channel 28×28 images, 10 class probabilities out. */
export function buildCnn(c: Pick<CnnConfig, 'filters' | 'kernel' | 'dense' | 'dropout'>): Model {
  return sequential([
    reshape({ shape: [1, 28, 28] }),
    ...c.filters.flatMap((filters) => [conv2d({ filters, kernel: c.kernel, activation: 'relu' }), maxPool2d({ kernel: 2 })]),
    flatten(),
    dense(c.dense, { activation: 'relu' }),
    ...(c.dropout > 0 ? [dropout({ rate: c.dropout })] : []),
    dense(10, { activation: 'softmax' }),
  ], { inputShape: [784] });
}

export interface CnnRun {
  readonly trainImages: number;
  readonly validationImages: number;
  readonly testAccuracy: number;
  readonly secondsPerEpoch: number[];
  readonly samplesPerSecond: number;
  readonly confusion: number[][];
}

export function trainCnn(c: CnnConfig, log: (line: string) => void = console.log) {
  const train = loadMnist({ split: 'train', limit: c.limit });
  const test = loadMnist({ split: 'test', limit: c.testLimit });
  if (c.validation >= train.n) throw new Error(`mnist-cnn: --validation ${c.validation} holds out every one of the ${train.n} training images; give fewer`);
  const model = buildCnn(c);
  log(model.summary());
  const trainImages = train.n - c.validation;
  log(`kernels: ${backend()}; ${trainImages} training, ${c.validation} validation and ${test.n} test images`);
  const stepsPerEpoch = Math.ceil(trainImages / c.batchSize);
  const rng = new Rng(c.seed + 1000);
  const { seconds, callbacks } = epochTimer();
  const result = fit(model, model.init(c.seed), { x: train.x, y: train.labels }, {
    loss: 'crossEntropy', optimizer: optimizerFor(c, learningRate(c, stepsPerEpoch)), epochs: c.epochs, batchSize: c.batchSize, seed: c.seed,
    // Declared pure (it keeps nothing it is given or makes), so fit reuses each batch's buffers.
    transform: c.shift > 0 ? Object.assign((x: Tensor) => shiftImages(x, { maxShift: c.shift, rng }), { pure: true }) : undefined,
    ...(c.validation > 0 ? { validationSplit: c.validation / train.n } : {}),
    metrics: ['accuracy'], log,
    callbacks,
  });
  // The test set, once.
  const probs = predict(model, result.params, test.x);
  const testAccuracy = evaluate(model, result.params, { x: test.x, y: test.labels }, { metrics: ['accuracy'] }).metrics.accuracy!;
  const trainSeconds = seconds.reduce((a, b) => a + b, 0);
  return {
    model, params: result.params, history: result.history, test, probs,
    run: {
      trainImages, validationImages: c.validation, testAccuracy, secondsPerEpoch: seconds, samplesPerSecond: (trainImages * seconds.length) / trainSeconds,
      confusion: confusionMatrix(probs, test.labels, { classes: 10 }),
    } as CnnRun,
  };
}

/** What the first conv layer sees in one image: its filters, and that image's feature maps after the ReLU. */
function firstLayerFigures(model: Model, params: Params, image: Tensor, label: number): Figure[] {
  const conv = model.layers.find((l) => l.kind === 'conv2d')!;
  const w = params.get(`${conv.name}/w`)!;
  const [filters, , kh, kw] = w.shape as [number, number, number, number];
  const maps = noGrad(() => {
    let h = image;
    for (const layer of model.layers.slice(0, model.layers.indexOf(conv) + 1)) h = layer.apply(params, model.initState(), h).y;
    return h;
  });
  const [, , mh, mw] = maps.shape as [number, number, number, number];
  const captions = Array.from({ length: filters }, (_, i) => `filter ${i}`);
  return [
    { title: `The first layer's ${filters} filters (${kh}×${kw})`, spec: imagesChart({ images: w, height: kh, width: kw, captions, title: `${conv.name}: filters`, scale: 'each' }) },
    {
      title: `One test digit (a ${label}) through those filters`, wide: true,
      spec: imagesChart({ images: maps, height: mh, width: mw, captions, title: `${conv.name}: feature maps of a ${label} (after ReLU)`, subtitle: `${mh}×${mw} each; darker is stronger` }),
    },
  ];
}

export type CnnOptions = ExampleOptions;

/** Trains, prints the results, saves the model and writes the report: everything `pnpm example mnist-cnn` does. */
export async function runCnn(c: CnnConfig, o: CnnOptions) {
  const log = o.log ?? console.log;
  const started = performance.now();
  const { model, params, run, history, test, probs } = trainCnn(c, log);
  logResults(run, log, 1);
  const modelFile = join(o.out, 'mnist-cnn.safetensors');
  saveModel(modelFile, model, params);
  log(`model saved to ${modelFile}`);

  const predicted = Array.from(predictedClasses(probs));
  const labels = Array.from(test.labels);
  const mistakes = labels.flatMap((t, i) => (t !== predicted[i] ? [i] : [])).slice(0, 30);
  const batch = Math.min(8, test.n);
  const loss = firstImagesLoss(model, params, test, batch);
  const figures: Figure[] = [
    ...trainingFigures(history),
    ...firstLayerFigures(model, params, noGrad(() => slice(test.x, [0, 0], [1, 784])), labels[0]!),
    { title: 'Confusion matrix (test set)', spec: confusionChart({ matrix: run.confusion, title: 'Confusion matrix (test set)' }) },
    {
      title: `Test digits the network gets wrong (the first ${mistakes.length})`, wide: true,
      spec: digitsChart({ images: mistakes.map((i) => test.x.data.subarray(i * 784, (i + 1) * 784)), labels: mistakes.map((i) => labels[i]!), predictions: mistakes.map((i) => predicted[i]!), columns: 10, title: 'Mistakes on the test set' }),
    },
    { title: 'The model and its loss, one node per layer', graph: toDot(loss, { collapse: true, grads: gradMap(params, grad(loss, params)), title: `CNN with cross-entropy loss (batch of ${batch})` }) },
  ];
  const settings = Object.fromEntries(Object.entries({ ...c, filters: c.filters.join(',') }).filter(([, v]) => v !== undefined));
  const report = await writeReport(o.out, {
    title: `MNIST: a CNN (${c.filters.join(', ')} filters of ${c.kernel}×${c.kernel}, dense ${c.dense})`,
    command: o.command,
    settings: { ...settings, 'training images': run.trainImages, 'validation images': run.validationImages, 'test images': test.n, kernels: backend(), parameters: countParams(params) },
    metrics: {
      'test accuracy': `${(run.testAccuracy * 100).toFixed(2)}%`,
      'seconds per epoch (mean)': meanSeconds(run, 1),
      'samples per second': Math.round(run.samplesPerSecond),
      'total seconds': ((performance.now() - started) / 1000).toFixed(1),
    },
    figures,
  });
  log(`report written to ${report.index}`);
  return { run, history, modelFile, report };
}

/** The config and options `pnpm example mnist-cnn [flags]` runs with; bad values fail naming the flag. */
export function cnnFlags(argv: string[]): { config: CnnConfig; options: CnnOptions } {
  const name = 'mnist-cnn';
  const f = flags(name, argv, {
    filters: { type: 'string', default: defaults.filters.join(','), description: 'filters of each conv + pool block' },
    kernel: { type: 'string', default: String(defaults.kernel), description: 'conv kernel size' },
    dense: { type: 'string', default: String(defaults.dense), description: 'width of the hidden dense layer' },
    dropout: { type: 'string', default: String(defaults.dropout), description: 'dropout rate before the output layer (0 = none)' },
    epochs: { type: 'string', default: String(defaults.epochs), description: 'passes over the training set' },
    'batch-size': { type: 'string', default: String(defaults.batchSize), description: 'samples per step' },
    optimizer: { type: 'string', default: defaults.optimizer, description: 'adam, adamW, sgd (Nesterov momentum) or rmsprop' },
    lr: { type: 'string', default: String(defaults.lr), description: 'peak learning rate' },
    schedule: { type: 'string', default: defaults.schedule, description: 'constant, cosine (with warmup), step or exponential' },
    shift: { type: 'string', default: String(defaults.shift), description: 'random-shift augmentation in pixels (0 = off)' },
    seed: { type: 'string', default: String(defaults.seed), description: 'seed for initialisation, shuffling and augmentation' },
    validation: { type: 'string', default: String(defaults.validation), description: 'training images held out to validate on (0 = none)' },
    limit: { type: 'string', default: '', description: 'use only the first N training images' },
    'test-limit': { type: 'string', default: '', description: 'use only the first N test images' },
    out: { type: 'string', default: 'reports/mnist-cnn', description: 'folder for the model and the report' },
  });
  const count = (flag: string, v: string, min = 1) => numberFlag(name, flag, v, { min, integer: true });
  const config: CnnConfig = {
    filters: listFlag(f.filters).map((v) => count('filters', v)), kernel: count('kernel', f.kernel), dense: count('dense', f.dense),
    dropout: numberFlag(name, 'dropout', f.dropout, { min: 0 }),
    epochs: count('epochs', f.epochs), batchSize: count('batch-size', f['batch-size']),
    optimizer: f.optimizer, lr: numberFlag(name, 'lr', f.lr, { min: 0 }), schedule: f.schedule,
    shift: count('shift', f.shift, 0), seed: numberFlag(name, 'seed', f.seed, { integer: true }), validation: count('validation', f.validation, 0),
    ...(f.limit ? { limit: count('limit', f.limit) } : {}),
    ...(f['test-limit'] ? { testLimit: count('test-limit', f['test-limit']) } : {}),
  };
  if (config.dropout >= 1) throw new Error(`${name}: --dropout must be below 1, got '${f.dropout}'`);
  if (config.filters.length === 0) throw new Error(`${name}: --filters needs at least one block, such as 16,32`);
  return { config, options: { out: f.out, command: commandLine(name, argv) } };
}

export async function main(argv: string[]): Promise<void> {
  const { config, options } = cnnFlags(argv);
  await runCnn(config, options);
}
