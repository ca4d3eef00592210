/**
 * The boundary of fit, evaluate and predict: everything they are given is checked once, before the
 * first step, and a problem is named in the user's words (the argument or option, the sample and
 * feature, the layer or parameter, both shapes). Nothing here runs per step.
 */
import { describeValue, Rng, type Tensor } from '@chainrule/core';
import { monitoredKey } from './early-stopping.ts';
import type { FitOptions } from './fit-types.ts';
import { getLoss, type Loss } from './losses.ts';
import { getMetric } from './metrics.ts';
import type { Model } from './model.ts';
import { positiveInt } from './names.ts';
import { getOptimizer, type Optimizer } from './optimizers/index.ts';
import type { Params } from './params.ts';
import type { Target } from './targets.ts';
import { checkX, checkY, dataNames } from './validate-data.ts';
import { splitValidation, validationCount } from './validation-split.ts';
import { checkAgainstSpec, checkFiniteParams, checkOptState } from './validate-state.ts';

export function checkModel(where: string, model: unknown): asserts model is Model {
  const m = model as Partial<Model> | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.layers) || !m.paramShapes || typeof m.apply !== 'function') {
    throw new Error(`${where}: model must be a Model made by mlp(…) or sequential(…), got ${describeValue(model)}`);
  }
}

function checkDataObject(where: string, data: unknown, what = 'data'): asserts data is { x: unknown; y: unknown } {
  if (!data || typeof data !== 'object' || !('x' in data) || !('y' in data)) {
    throw new Error(`${where}: ${what} must be { x, y } (x a [samples, features] Tensor, y its targets), got ${describeValue(data)}`);
  }
}

function checkOptionsObject(where: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new Error(`${where}: options must be an object, got ${describeValue(options)}`);
}

function checkMetrics(where: string, metrics: unknown): readonly string[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) throw new Error(`${where}: metrics must be a list of names such as ['accuracy'], got ${describeValue(metrics)}`);
  metrics.forEach(getMetric);
  return metrics;
}

/** The shuffling stream, with a bad seed reported as fit's option. */
export function seedRng(where: string, seed: unknown): Rng {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${describeValue(seed)}`);
  try {
    return new Rng(seed);
  } catch (e) {
    throw new Error(`${where}: seed ${seed} is not usable: ${(e as Error).message}`);
  }
}

export interface CheckedFit {
  /** The training rows: all of data's, or what validationSplit left. */
  readonly data: { readonly x: Tensor; readonly y: Target };
  readonly validation?: { readonly x: Tensor; readonly y: Target };
  readonly n: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly rng: Rng;
}

/** Everything fit is given, in the order a user reads the call; returns what fit needs resolved. */
export function checkFit(model: Model, params: Params, data: { x: unknown; y: Target }, options: FitOptions): CheckedFit {
  const where = 'fit';
  checkModel(where, model);
  checkAgainstSpec(where, model, params);
  checkFiniteParams(where, params);
  if (!options || typeof options !== 'object') throw new Error(`fit: options must be an object with at least { loss }, e.g. { loss: 'mse' }, got ${describeValue(options)}`);
  if (options.state !== undefined) checkLayerState(where, model, options.state);
  if (options.loss === undefined) throw new Error("fit: options.loss is missing; give one of 'mse', 'mae', 'crossEntropy', 'binaryCrossEntropy' or a function (pred, target) => Tensor");
  const loss = getLoss(options.loss);
  checkDataObject(where, data);
  const n = checkX(model, data.x, dataNames(where));
  checkY(model, loss, data.y, n, dataNames(where));
  if (options.validation !== undefined) {
    checkDataObject(where, options.validation, 'validation');
    const names = dataNames(where, 'validation ');
    checkY(model, loss, options.validation.y, checkX(model, options.validation.x, names), names);
  }
  const seed = options.seed ?? 0;
  const epochs = options.epochs ?? 1;
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a whole number ≥ 0, got ${describeValue(epochs)}`);
  const batchSize = positiveInt(where, 'batchSize', options.batchSize ?? 32);
  const rng = seedRng(where, seed);
  const fraction = checkValidationSplit(options, n);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new Error(`fit: shuffle must be true or false, got ${describeValue(options.shuffle)}`);
  if (options.transform !== undefined && typeof options.transform !== 'function') throw new Error(`fit: transform must be a function (x: Tensor) => Tensor, got ${describeValue(options.transform)}`);
  if (options.monitor !== undefined && options.monitor !== false && (options.monitor === null || typeof options.monitor !== 'object')) {
    throw new Error(`fit: monitor must be monitor options ({ explodingFactor, … }) or false, got ${describeValue(options.monitor)}`);
  }
  checkCallbacks(options.callbacks);
  const metrics = checkMetrics(where, options.metrics);
  checkEarlyStopping(options, metrics);
  const optimizer = getOptimizer(options.optimizer ?? 'adam');
  if (options.optState !== undefined) checkOptState(where, optimizer, options.optState, params);
  const given = data as { x: Tensor; y: Target };
  if (fraction === undefined) return { data: given, validation: options.validation, n, epochs, batchSize, loss, optimizer, rng };
  const { train, validation } = splitValidation(given, n, fraction, seed);
  return { data: train, validation, n: n - validationCount(n, fraction), epochs, batchSize, loss, optimizer, rng };
}

/** validationSplit: a fraction in (0, 1), not beside validation, leaving rows on both sides; returns it. */
function checkValidationSplit(options: FitOptions, rows: number): number | undefined {
  const fraction = options.validationSplit;
  if (fraction === undefined) return undefined;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new Error(`fit: validationSplit must be a fraction strictly between 0 and 1 (the share of training rows held out for validation), got ${describeValue(fraction)}`);
  }
  if (options.validation !== undefined) throw new Error('fit: give validation or validationSplit, not both (validationSplit holds out part of the training rows as the validation set)');
  const held = validationCount(rows, fraction);
  if (held === 0) throw new Error(`fit: validationSplit ${fraction} of ${rows} training rows holds out no rows for validation; use a larger fraction or more data`);
  if (held === rows) throw new Error(`fit: validationSplit ${fraction} of ${rows} training rows leaves no rows to train on; use a smaller fraction or more data`);
  return fraction;
}

function checkCallbacks(callbacks: FitOptions['callbacks']): void {
  if (callbacks === undefined) return;
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  list.forEach((cb, i) => {
    const name = Array.isArray(callbacks) ? `callbacks[${i}]` : 'callbacks';
    if (!cb || typeof cb !== 'object') throw new Error(`fit: ${name} must be an object { onStep?, onEpochEnd? }, got ${describeValue(cb)}`);
    for (const key of ['onStep', 'onEpochEnd'] as const) {
      if (cb[key] !== undefined && typeof cb[key] !== 'function') throw new Error(`fit: ${name}.${key} must be a function, got ${describeValue(cb[key])}`);
    }
  });
}

/** What early stopping watches must be computed: found now, not at the end of the first epoch. */
function checkEarlyStopping(options: FitOptions, metrics: readonly string[]): void {
  const early = options.earlyStopping;
  if (early === undefined || early === false) return;
  if (early !== true && (early === null || typeof early !== 'object')) throw new Error(`fit: earlyStopping must be true, false or { monitor, patience, minDelta, restoreBest }, got ${describeValue(early)}`);
  const o = early === true ? {} : early;
  const validation = options.validation !== undefined || options.validationSplit !== undefined;
  const key = monitoredKey(o, validation);
  const isVal = /^val[A-Z]/.test(key);
  const metric = isVal ? key[3]!.toLowerCase() + key.slice(4) : key;
  if (isVal && !validation) throw new Error(`fit: earlyStopping monitors '${key}' but no validation data was given`);
  if (metric !== 'loss' && !metrics.includes(metric)) {
    throw new Error(`fit: earlyStopping monitors '${key}', which is not computed; valid: 'loss', 'valLoss', or a metric passed in { metrics } (prefixed 'val' for validation)`);
  }
  if (o.patience !== undefined && (typeof o.patience !== 'number' || !Number.isInteger(o.patience) || o.patience < 0)) {
    throw new Error(`fit: earlyStopping.patience must be a whole number ≥ 0, got ${describeValue(o.patience)}`);
  }
  if (o.minDelta !== undefined && !(typeof o.minDelta === 'number' && o.minDelta >= 0)) throw new Error(`fit: earlyStopping.minDelta must be a number ≥ 0, got ${describeValue(o.minDelta)}`);
  if (o.restoreBest !== undefined && typeof o.restoreBest !== 'boolean') throw new Error(`fit: earlyStopping.restoreBest must be true or false, got ${describeValue(o.restoreBest)}`);
}

/** evaluate's arguments; returns the sample count (at least one: a score of nothing is not a score). */
export function checkEvaluate(model: Model, params: Params, data: { x: unknown; y: Target }, options: { loss?: unknown; metrics?: unknown; batchSize?: unknown; state?: unknown }): number {
  const where = 'evaluate';
  checkModel(where, model);
  checkAgainstSpec(where, model, params);
  checkOptionsObject(where, options);
  checkLayerState(where, model, options.state);
  const loss = options.loss === undefined ? undefined : getLoss(options.loss as Loss);
  checkMetrics(where, options.metrics);
  if (options.batchSize !== undefined) positiveInt(where, 'batchSize', options.batchSize);
  checkDataObject(where, data);
  const n = checkX(model, data.x, dataNames(where));
  checkY(model, loss, data.y, n, dataNames(where));
  return n;
}

/** predict's arguments; x may have no rows (the result then has none either). */
export function checkPredict(model: Model, params: Params, x: unknown, options: { batchSize?: unknown; state?: unknown }): number {
  const where = 'predict';
  checkModel(where, model);
  checkAgainstSpec(where, model, params);
  checkOptionsObject(where, options);
  checkLayerState(where, model, options.state);
  if (options.batchSize !== undefined) positiveInt(where, 'batchSize', options.batchSize);
  return checkX(model, x, dataNames(where), { allowEmpty: true });
}

/**
 * The layer state given to evaluate or predict (or fit's `state`): required when the model keeps any
 * (scoring with untrained running statistics would be silently wrong), and shaped as the model says.
 */
export function checkLayerState(where: string, model: Model, state: unknown): void {
  if (state === undefined) {
    if (model.stateShapes.size === 0) return;
    throw new Error(`${where}: the model keeps layer state (${model.stateShapes.keySeq().join(', ')}); pass { state } (FitResult.state, a loaded checkpoint's state, or model.initState() before training)`);
  }
  checkAgainstSpec(`${where}: state`, model, state as Params, { shapes: model.stateShapes, what: 'layer state', make: 'model.initState()' });
}
