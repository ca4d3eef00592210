/**
 * The data fit, evaluate and predict are given, checked once before any work: x is a
 * [samples, ...model.inputShape] tensor of the model's dtype with only finite values, and y has x's samples
 * and the form its loss compares with the output. Errors name the argument as the user passed it
 * ('x', 'validation y'), the sample and feature, and the layer.
 */
import { describeValue, firstNonFinite, formatShape, sameShape, sumOfSquares, Tensor, type TypedArray } from '@chainrule/core';
import { isBuiltinLoss, type Loss } from './losses.ts';
import type { Model } from './model.ts';
import { sampleCount, type Target } from './targets.ts';

/** How the checks name what they look at: `fit: validation x has …`. */
export interface DataNames {
  readonly where: string;
  readonly x: string;
  readonly y: string;
}
export const dataNames = (where: string, prefix = ''): DataNames => ({ where, x: `${prefix}x`, y: `${prefix}y` });

const firstLayer = (model: Model) => `layer '${model.layers[0]!.name}'`;
const lastLayer = (model: Model) => `layer '${model.layers[model.layers.length - 1]!.name}'`;

/**
 * Data tensors already found finite: tensors are immutable, so a data set passed to fit epoch after epoch
 * (or to fit, then evaluate) is scanned once.
 */
const knownFinite = new WeakSet<Tensor>();

/** Values screened per call of the kernel set's sum of squares: a quarter megabyte, so wasm copies in little at a time. */
const SCREEN_CHUNK = 1 << 16;

/**
 * The flat index of the first NaN or ±Inf in `data`, or -1. A whole data set is scanned (47 M values for
 * MNIST), so the kernel set's Σx² screens it: the sum is finite exactly when every value is, unless
 * float64 squares overflow, and only a chunk whose sum is not finite is searched value by value.
 */
function firstNonFiniteValue(data: TypedArray): number {
  for (let start = 0; start < data.length; start += SCREEN_CHUNK) {
    const chunk = data.subarray(start, Math.min(data.length, start + SCREEN_CHUNK));
    if (Number.isFinite(sumOfSquares(new Tensor(chunk, [chunk.length])))) continue;
    const i = firstNonFinite(chunk);
    if (i >= 0) return start + i;
  }
  return -1;
}

/** Names the first NaN or ±Inf of a data tensor by sample and column (`part`: 'feature' for x). */
export function checkFinite(where: string, name: string, t: Tensor, part = 'feature'): void {
  if (knownFinite.has(t)) return;
  const i = firstNonFiniteValue(t.data);
  if (i < 0) { knownFinite.add(t); return; }
  const width = t.rank > 1 ? t.size / t.shape[0]! : 1;
  const at = t.rank > 1 ? `sample ${Math.floor(i / width)}, ${part} ${i % width}` : `sample ${i}`;
  throw new Error(`${where}: ${name} has ${t.data[i]} at ${at}`);
}

/** x: a [samples, ...model.inputShape] tensor in the model's dtype with finite values; returns the sample count. */
export function checkX(model: Model, x: unknown, names: DataNames, options: { allowEmpty?: boolean } = {}): number {
  const { where } = names;
  const want = `[samples, ${model.inputShape.join(', ')}]`;
  if (!(x instanceof Tensor)) throw new Error(`${where}: ${names.x} must be a Tensor of shape ${want}, got ${describeValue(x)}`);
  if (x.rank !== model.inputShape.length + 1) throw new Error(`${where}: ${names.x} has shape ${formatShape(x.shape)}; ${firstLayer(model)} expects ${want}`);
  if (model.inputShape.length === 1 && x.shape[1] !== model.inputs) {
    throw new Error(`${where}: ${names.x} has ${x.shape[1]} features; ${firstLayer(model)} expects ${model.inputs} (${names.x} has shape ${formatShape(x.shape)})`);
  }
  if (!sameShape(x.shape.slice(1), model.inputShape)) throw new Error(`${where}: ${names.x} has shape ${formatShape(x.shape)}; ${firstLayer(model)} expects ${want}`);
  if (x.dtype !== model.dtype) throw new Error(`${where}: ${names.x} is ${x.dtype} but the model is ${model.dtype}; cast it with .cast('${model.dtype}')`);
  if (x.shape[0] === 0 && !options.allowEmpty) throw new Error(`${where}: ${names.x} has no samples (shape ${formatShape(x.shape)}); there is nothing to ${where === 'fit' && names.x === 'x' ? 'train on' : 'score'}`);
  checkFinite(where, names.x, x);
  return x.shape[0]!;
}

/** y: n targets of a kind the loss takes, with finite values (and, for built-in losses, the right shape and range). */
export function checkY(model: Model, loss: Loss | undefined, y: unknown, n: number, names: DataNames): void {
  const { where } = names;
  if (!(y instanceof Tensor || y instanceof Int32Array || Array.isArray(y))) {
    throw new Error(`${where}: ${names.y} must be a Tensor or a list of integer labels, got ${describeValue(y)}`);
  }
  const m = sampleCount(y);
  if (m !== n) throw new Error(`${where}: ${names.x} has ${n} samples but ${names.y} has ${m}; they must have the same number of rows`);
  if (y instanceof Tensor) checkFinite(where, names.y, y, 'column');
  else checkLabelValues(y, names);
  if (!loss || !isBuiltinLoss(loss)) return; // a custom loss decides for itself what it takes
  if (loss.name === 'crossEntropy') checkClassTarget(model, y, names);
  else checkFloatTarget(model, loss.name, y, n, names);
}

function checkLabelValues(labels: ArrayLike<unknown>, names: DataNames): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${names.where}: ${names.y} has ${describeValue(v)} at sample ${i}; labels must be integers`);
  }
}

/** crossEntropy: integer labels in 0..k-1 ([n] or [n,1]), or one-hot / probability rows [n, k]. */
function checkClassTarget(model: Model, y: Target, names: DataNames): void {
  const k = model.outputs;
  if (y instanceof Tensor && y.rank === 2 && y.shape[1] === k && k > 1) return;
  if (y instanceof Tensor && !(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) {
    throw new Error(`${names.where}: ${names.y} has shape ${formatShape(y.shape)}; crossEntropy takes class labels [${y.shape[0] ?? 1}] or one-hot rows [${y.shape[0] ?? 1},${k}] for the ${k} outputs of ${lastLayer(model)}`);
  }
  const values: ArrayLike<number> = y instanceof Tensor ? y.data : y;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) throw new Error(`${names.where}: ${names.y} label ${v} of sample ${i} is not an integer; crossEntropy takes class labels 0..${k - 1}`);
    if (v < 0 || v >= k) {
      throw new Error(`${names.where}: ${names.y} label ${v} of sample ${i} is out of range for the ${k} classes of ${lastLayer(model)} (valid labels 0..${k - 1})`);
    }
  }
}

/** mse, mae, binaryCrossEntropy: a tensor shaped like the output ([n] too for one output); BCE targets in [0, 1]. */
function checkFloatTarget(model: Model, loss: string, y: Target, n: number, names: DataNames): void {
  const k = model.outputs;
  if (!(y instanceof Tensor)) {
    throw new Error(`${names.where}: ${loss} compares ${names.y} with the output [${n},${k}] of ${lastLayer(model)}, so ${names.y} must be a Tensor of that shape, not a list of labels`);
  }
  const matches = (y.rank === 2 && y.shape[1] === k) || (y.rank === 1 && k === 1);
  if (!matches) throw new Error(`${names.where}: ${names.y} has shape ${formatShape(y.shape)} but ${lastLayer(model)} outputs [${n},${k}]; ${loss} needs them to match`);
  if (loss !== 'binaryCrossEntropy') return;
  const d = y.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < 0 || d[i]! > 1) {
      throw new Error(`${names.where}: binaryCrossEntropy takes targets in [0, 1]; ${names.y} has ${d[i]} at sample ${Math.floor(i / k)}, column ${i % k}`);
    }
  }
}
