/**
 * MNIST with the seed's architecture, 784→128→64→32→10 (ReLU, softmax output, cross-entropy,
 * batch 64), trained on all 60 000 images and tested on the 10 000 held out. The default recipe
 * (Adam with warmup and cosine decay, light random-shift augmentation) is what takes it past the
 * 97.5–97.9% that plain SGD, momentum or Adam reach in 10 epochs.
 */
import { join } from 'node:path';
import { backend, grad, Rng, type Tensor } from '@chainrule/core';
import { shiftImages } from '@chainrule/datasets';
import { loadMnist } from '@chainrule/datasets/node';
import {
  adam, adamW, confusionMatrix, countParams, predictedClasses, cosineDecay, evaluate, exponentialDecay, fit, mlp, predict, rmsprop, sgd,
  stepDecay, warmup, type ActivationName, type LearningRate, type Optimizer,
} from '@chainrule/nn';
import { saveModel } from '@chainrule/nn/node';
import { confusionChart, digitsChart, gradMap, toDot } from '@chainrule/viz';
import { writeReport, type Figure } from '@chainrule/viz/node';
import { commandLine, flags, listFlag, numberFlag } from './cli.ts';
import { epochTimer, firstImagesLoss, logResults, meanSeconds, type ExampleOptions } from './classifier-run.ts';
import { trainingFigures } from './figures.ts';

export interface MnistConfig {
  readonly layers: number[];
  readonly hidden: ActivationName[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: string;
  readonly lr: number;
  readonly schedule: string;
  readonly shift: number;
  readonly seed: number;
  readonly limit?: number;
  readonly testLimit?: number;
}

export const defaults: MnistConfig = {
  layers: [784, 128, 64, 32, 10], hidden: ['relu'], epochs: 10, batchSize: 64, optimizer: 'adam', lr: 2e-3,
  schedule: 'cosine', shift: 2, seed: 1,
};

/** The peak rate under the chosen schedule (cosine: half an epoch of warmup, then decay to 1% by the last step). */
export function learningRate(c: Pick<MnistConfig, 'epochs' | 'lr' | 'schedule'>, stepsPerEpoch: number): LearningRate {
  const total = c.epochs * stepsPerEpoch;
  switch (c.schedule) {
    case 'constant': return c.lr;
    case 'cosine': return warmup(cosineDecay(c.lr, { decaySteps: total, alpha: 0.01 }), { steps: Math.ceil(stepsPerEpoch / 2) });
    case 'step': return stepDecay(c.lr, { every: stepsPerEpoch * 3, factor: 0.3 });
    case 'exponential': return exponentialDecay(c.lr, { rate: 0.8, decaySteps: stepsPerEpoch });
    default: throw new Error(`unknown --schedule '${c.schedule}'; choose constant, cosine, step or exponential`);
  }
}

export function optimizerFor(c: Pick<MnistConfig, 'optimizer'>, lr: LearningRate): Optimizer {
  switch (c.optimizer) {
    case 'adam': return adam({ lr });
    case 'adamW': return adamW({ lr, weightDecay: 1e-4 });
    case 'sgd': return sgd({ lr, momentum: 0.9, nesterov: true });
    case 'rmsprop': return rmsprop({ lr });
    default: throw new Error(`unknown --optimizer '${c.optimizer}'; choose adam, adamW, sgd or rmsprop`);
  }
}

export interface MnistRun {
  readonly trainImages: number;
  readonly testAccuracy: number;
  readonly secondsPerEpoch: number[];
  readonly samplesPerSecond: number;
  readonly confusion: number[][];
}

export function trainMnist(c: MnistConfig, log: (line: string) => void = console.log) {
  const train = loadMnist({ split: 'train', limit: c.limit });
  const test = loadMnist({ split: 'test', limit: c.testLimit });
  const model = mlp(c.layers, { hidden: c.hidden.length === 1 ? c.hidden[0] : c.hidden, output: 'softmax' });
  log(model.summary());
  log(`kernels: ${backend()}; ${train.n} training and ${test.n} test images`);
  const stepsPerEpoch = Math.ceil(train.n / c.batchSize);
  const lr = learningRate(c, stepsPerEpoch);
  const rng = new Rng(c.seed + 1000);
  const { seconds, callbacks } = epochTimer();
  const result = fit(model, model.init(c.seed), { x: train.x, y: train.labels }, {
    loss: 'crossEntropy', optimizer: optimizerFor(c, lr), epochs: c.epochs, batchSize: c.batchSize, seed: c.seed,
    // Declared pure (it keeps nothing it is given or makes), so fit reuses each batch's buffers.
    transform: c.shift > 0 ? Object.assign((x: Tensor) => shiftImages(x, { maxShift: c.shift, rng }), { pure: true }) : undefined,
    validation: { x: test.x, y: test.labels }, metrics: ['accuracy'], log,
    callbacks,
  });
  const probs = predict(model, result.params, test.x);
  const testAccuracy = evaluate(model, result.params, { x: test.x, y: test.labels }, { metrics: ['accuracy'] }).metrics.accuracy!;
  const trainSeconds = seconds.reduce((a, b) => a + b, 0);
  return {
    model, params: result.params, history: result.history, test, probs,
    run: { trainImages: train.n, testAccuracy, secondsPerEpoch: seconds, samplesPerSecond: (train.n * seconds.length) / trainSeconds, confusion: confusionMatrix(probs, test.labels, { classes: 10 }) } as MnistRun,
  };
}

export type MnistOptions = ExampleOptions;

/** Trains, prints the results, saves the model and writes the report: everything `pnpm example mnist` does. */
export async function runMnist(c: MnistConfig, o: MnistOptions) {
  const log = o.log ?? console.log;
  const started = performance.now();
  const { model, params, run, history, test, probs } = trainMnist(c, log);
  logResults(run, log);
  const modelFile = join(o.out, 'mnist.safetensors');
  saveModel(modelFile, model, params);
  log(`model saved to ${modelFile}`);

  // The report: training curves, the confusion matrix, digits with mistakes marked, the model's graph.
  const predicted = Array.from(predictedClasses(probs));
  const labels = Array.from(test.labels);
  const mistakes = labels.flatMap((t, i) => (t !== predicted[i] ? [i] : [])).slice(0, 20);
  const shown = [...Array.from({ length: Math.min(20, test.n) }, (_, i) => i), ...mistakes];
  const batch = Math.min(8, test.n);
  const loss = firstImagesLoss(model, params, test, batch);
  const figures: Figure[] = [
    ...trainingFigures(history),
    { title: 'Confusion matrix (test set)', spec: confusionChart({ matrix: run.confusion, title: 'Confusion matrix (test set)' }) },
    {
      title: 'Test digits: the first 20, then mistakes', wide: true,
      spec: digitsChart({ images: shown.map((i) => test.x.data.subarray(i * 784, (i + 1) * 784)), labels: shown.map((i) => labels[i]!), predictions: shown.map((i) => predicted[i]!), columns: 10, title: 'Test digits (red: mistakes)' }),
    },
    { title: 'The model and its loss, one node per layer', graph: toDot(loss, { collapse: true, grads: gradMap(params, grad(loss, params)), title: `MLP ${c.layers.join('-')} with cross-entropy loss (batch of ${batch})` }) },
  ];
  // Unset options (limit, testLimit) are left out: the image counts below say what was used.
  const settings = Object.fromEntries(Object.entries({ ...c, layers: c.layers.join(','), hidden: c.hidden.join(',') }).filter(([, v]) => v !== undefined));
  const report = await writeReport(o.out, {
    title: `MNIST: ${c.layers.join('→')}`,
    command: o.command,
    settings: { ...settings, 'training images': run.trainImages, 'test images': test.n, kernels: backend(), parameters: countParams(params) },
    metrics: {
      'test accuracy': `${(run.testAccuracy * 100).toFixed(2)}%`,
      'seconds per epoch (mean)': meanSeconds(run),
      'samples per second': Math.round(run.samplesPerSecond),
      'total seconds': ((performance.now() - started) / 1000).toFixed(1),
    },
    figures,
  });
  log(`report written to ${report.index}`);
  return { run, history, modelFile, report };
}

/** The config and options `pnpm example mnist [flags]` runs with; bad values fail naming the flag. */
export function mnistFlags(argv: string[]): { config: MnistConfig; options: MnistOptions } {
  const f = flags('mnist', argv, {
    layers: { type: 'string', default: defaults.layers.join(','), description: 'layer widths, input first' },
    activations: { type: 'string', default: defaults.hidden.join(','), description: 'hidden activation, or one per hidden layer' },
    epochs: { type: 'string', default: String(defaults.epochs), description: 'passes over the training set' },
    'batch-size': { type: 'string', default: String(defaults.batchSize), description: 'samples per step' },
    optimizer: { type: 'string', default: defaults.optimizer, description: 'adam, adamW, sgd (Nesterov momentum) or rmsprop' },
    lr: { type: 'string', default: String(defaults.lr), description: 'peak learning rate' },
    schedule: { type: 'string', default: defaults.schedule, description: 'constant, cosine (with warmup), step or exponential' },
    shift: { type: 'string', default: String(defaults.shift), description: 'random-shift augmentation in pixels (0 = off)' },
    seed: { type: 'string', default: String(defaults.seed), description: 'seed for initialisation, shuffling and augmentation' },
    limit: { type: 'string', default: '', description: 'use only the first N training images' },
    'test-limit': { type: 'string', default: '', description: 'use only the first N test images' },
    out: { type: 'string', default: 'reports/mnist', description: 'folder for the model and the report' },
  });
  const config: MnistConfig = {
    layers: listFlag(f.layers).map((v) => numberFlag('mnist', 'layers', v, { min: 1, integer: true })),
    hidden: listFlag(f.activations) as ActivationName[],
    epochs: numberFlag('mnist', 'epochs', f.epochs, { min: 1, integer: true }),
    batchSize: numberFlag('mnist', 'batch-size', f['batch-size'], { min: 1, integer: true }),
    optimizer: f.optimizer, lr: numberFlag('mnist', 'lr', f.lr, { min: 0 }), schedule: f.schedule,
    shift: numberFlag('mnist', 'shift', f.shift, { min: 0, integer: true }),
    seed: numberFlag('mnist', 'seed', f.seed, { integer: true }),
    // Left out when not given, rather than set to undefined: the config is shown in the report.
    ...(f.limit ? { limit: numberFlag('mnist', 'limit', f.limit, { min: 1, integer: true }) } : {}),
    ...(f['test-limit'] ? { testLimit: numberFlag('mnist', 'test-limit', f['test-limit'], { min: 1, integer: true }) } : {}),
  };
  return { config, options: { out: f.out, command: commandLine('mnist', argv) } };
}

export async function main(argv: string[]): Promise<void> {
  const { config, options } = mnistFlags(argv);
  await runMnist(config, options);
}
