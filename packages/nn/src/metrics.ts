/**
 * Metrics: plain numbers computed outside the graph. Classification metrics take scores
 * (probabilities or logits, [n, k]) or a single column of probabilities thresholded at 0.5.
 */
import { describeValue, Tensor } from '@chainrule/core';
import { lookup } from './names.ts';
import { toLabels, type Target } from './targets.ts';

/** Predicted class per row: argmax for k > 1 columns, `score > threshold` for one column. */
export function predictedClasses(pred: Tensor, threshold = 0.5): Int32Array {
  const n = pred.rank === 0 ? 1 : pred.shape[0]!;
  const k = pred.rank <= 1 ? 1 : pred.size / n;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) { out[i] = pred.data[i]! > threshold ? 1 : 0; continue; }
    let best = 0;
    for (let j = 1; j < k; j++) if (pred.data[i * k + j]! > pred.data[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** True classes from labels, one-hot rows, or a 0/1 column. */
export function trueClasses(target: Target): Int32Array {
  if (target instanceof Tensor && target.rank === 2 && target.shape[1]! > 1) return predictedClasses(target);
  if (target instanceof Tensor) return Int32Array.from(target.data, (v) => Math.round(v));
  return toLabels('metrics', target);
}

/** A score needs predictions as a tensor and at least one sample: a score of nothing would read as 0. */
function checkScored(where: string, pred: unknown, target: unknown): asserts pred is Tensor {
  if (!(pred instanceof Tensor)) throw new Error(`${where}: predictions must be a Tensor, got ${describeValue(pred)}`);
  if (!(target instanceof Tensor || target instanceof Int32Array || Array.isArray(target))) throw new Error(`${where}: targets must be a Tensor or a list of labels, got ${describeValue(target)}`);
  if (pred.size === 0) throw new Error(`${where}: there are no predictions to score (shape [${pred.shape.join(',')}])`);
}

function pair(where: string, pred: Tensor, target: Target, threshold?: number): [Int32Array, Int32Array] {
  checkScored(where, pred, target);
  const p = predictedClasses(pred, threshold);
  const t = trueClasses(target);
  if (p.length !== t.length) throw new Error(`${where}: ${p.length} predictions for ${t.length} targets`);
  return [p, t];
}

/**
 * The fraction of rows whose predicted class is the true class. pred: scores [n, k] (argmax per row)
 * or one column of probabilities [n] / [n, 1] (class 1 above `threshold`, default 0.5); target:
 * labels, one-hot rows or a 0/1 column.
 *
 * @throws Error when there are no predictions or the counts differ.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { accuracy } from '@chainrule/nn';
 * accuracy(tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), [0, 1, 1]); // 2/3
 * ```
 */
export function accuracy(pred: Tensor, target: Target, options: { threshold?: number } = {}): number {
  const [p, t] = pair('accuracy', pred, target, options.threshold);
  let hits = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hits++;
  return p.length ? hits / p.length : 0;
}

/**
 * counts[trueClass][predictedClass], over `classes` classes (default: the score columns, or enough
 * for the largest label). pred and target as for {@link accuracy}.
 *
 * @throws Error when there are no predictions, the counts differ, or a label is out of range.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { confusionMatrix } from '@chainrule/nn';
 * confusionMatrix(tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), [0, 1, 1]); // [[1, 0], [1, 1]]
 * ```
 */
export function confusionMatrix(pred: Tensor, target: Target, options: { classes?: number; threshold?: number } = {}): number[][] {
  const [p, t] = pair('confusionMatrix', pred, target, options.threshold);
  const k = options.classes ?? Math.max(pred.rank === 2 && pred.shape[1]! > 1 ? pred.shape[1]! : 2, ...t.map((v) => v + 1));
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < p.length; i++) {
    if (t[i]! < 0 || t[i]! >= k) throw new Error(`confusionMatrix: label ${t[i]} at position ${i} is out of range for ${k} classes`);
    m[t[i]!]![p[i]!]!++;
  }
  return m;
}

function values(where: string, pred: Tensor, target: Target): [ArrayLike<number>, ArrayLike<number>] {
  checkScored(where, pred, target);
  const t = target instanceof Tensor ? target.data : target;
  if (t.length !== pred.size) throw new Error(`${where}: ${pred.size} predictions for ${t.length} targets`);
  return [pred.data, t];
}

/**
 * The mean of (pred − target)² over every element, as a number (the metric 'mse'; the loss is {@link mse}).
 *
 * @throws Error when there are no predictions or the element counts differ.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { meanSquaredError } from '@chainrule/nn';
 * meanSquaredError(tensor([[1], [3]]), tensor([[0], [1]])); // 2.5
 * ```
 */
export function meanSquaredError(pred: Tensor, target: Target): number {
  const [p, t] = values('mse', pred, target);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - t[i]!) ** 2;
  return s / Math.max(p.length, 1);
}

/**
 * The mean of |pred − target| over every element, as a number (the metric 'mae').
 *
 * @throws Error when there are no predictions or the element counts differ.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { meanAbsoluteError } from '@chainrule/nn';
 * meanAbsoluteError(tensor([[1], [3]]), tensor([[0], [1]])); // 1.5
 * ```
 */
export function meanAbsoluteError(pred: Tensor, target: Target): number {
  const [p, t] = values('mae', pred, target);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - t[i]!);
  return s / Math.max(p.length, 1);
}

/**
 * Coefficient of determination, 1 − SS_res/SS_tot over all outputs (1 is perfect; a constant target gives 0 unless fitted exactly).
 *
 * @throws Error when there are no predictions or the element counts differ.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { r2 } from '@chainrule/nn';
 * r2(tensor([1, 2, 3]), tensor([1, 2, 4])); // 1 − 1/4.667 ≈ 0.786
 * ```
 */
export function r2(pred: Tensor, target: Target): number {
  const [p, t] = values('r2', pred, target);
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i]!;
  mean /= Math.max(t.length, 1);
  let res = 0;
  let tot = 0;
  for (let i = 0; i < p.length; i++) {
    res += (p[i]! - t[i]!) ** 2;
    tot += (t[i]! - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/** A metric: predictions and targets to a number. */
export type Metric = (pred: Tensor, target: Target) => number;
const METRICS = {
  /** {@link accuracy}: the fraction of rows classified right. */
  accuracy: accuracy as Metric,
  /** {@link meanSquaredError}: mean of (pred − target)². */
  mse: meanSquaredError,
  /** {@link meanAbsoluteError}: mean of |pred − target|. */
  mae: meanAbsoluteError,
  /** {@link r2}: the coefficient of determination. */
  r2
} as const;
/** The metrics fit and evaluate take by name: 'accuracy', 'mse', 'mae', 'r2'. */
export type MetricName = keyof typeof METRICS;
/** Every {@link MetricName}. */
export const metricNames = Object.keys(METRICS) as MetricName[];
/**
 * The metric a name stands for.
 *
 * @throws Error for an unknown name, listing the valid ones.
 */
export const getMetric = (name: MetricName): Metric => lookup('metric', METRICS, name);

/**
 * The metrics under their short names: metrics.accuracy, metrics.mse, metrics.mae, metrics.r2, metrics.confusionMatrix.
 *
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { metrics } from '@chainrule/nn';
 * metrics.mae(tensor([1, 2]), tensor([1, 4])); // 1
 * ```
 */
export const metrics = {
  ...METRICS,
  /** {@link confusionMatrix}: counts[trueClass][predictedClass]. */
  confusionMatrix
};
