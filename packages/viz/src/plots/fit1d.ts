/** A 1-D function learned by a network: the truth, the prediction and (optionally) the training points. */
import { schema, type ChartSpec } from './spec.ts';
import { config, size } from './theme.ts';
import type { Numbers } from './lines.ts';
import { checkData, numbers, optionalString, sameLength } from './validate.ts';

/** {@link fit1dChart}'s data: the curves on a shared x, and optionally the training points. */
export interface Fit1dData {
  /** Where the curves are evaluated, in drawing order (sorted, usually evenly spaced). */
  readonly x: Numbers;
  /** The true function at each x (drawn dashed). */
  readonly truth: Numbers;
  /** The model's output at each x (drawn solid); a Tensor of shape [n, 1] works as it is. */
  readonly prediction: Numbers;
  /** The training points, drawn as dots. */
  readonly train?: {
    /** The points' inputs. */
    readonly x: Numbers;
    /** The points' targets, one per input. */
    readonly y: Numbers;
  };
  /** Chart title. Default 'Fit against truth'. */
  readonly title?: string;
  /** x axis title. Default 'x'. */
  readonly xTitle?: string;
  /** y axis title. Default 'y'. */
  readonly yTitle?: string;
}

/** x, truth and prediction pair up point by point, and a line cannot pass through NaN: all are checked. */
function checked(d: unknown) {
  const where = 'fit1dChart';
  checkData(where, d, '{ x, truth, prediction }');
  for (const k of ['title', 'xTitle', 'yTitle']) optionalString(where, k, d[k]);
  const finite = { finite: true };
  const x = numbers(where, 'x', d.x, finite);
  const truth = numbers(where, 'truth', d.truth, finite);
  const prediction = numbers(where, 'prediction', d.prediction, finite);
  sameLength(where, { name: 'x', values: x }, { name: 'truth', values: truth });
  sameLength(where, { name: 'x', values: x }, { name: 'prediction', values: prediction });
  if (d.train === undefined) return { x, truth, prediction, train: undefined };
  checkData(`${where}: train`, d.train, '{ x: trainX, y: trainY }');
  const train = { x: numbers(where, 'train.x', d.train.x, finite), y: numbers(where, 'train.y', d.train.y, finite) };
  sameLength(where, { name: 'train.x', values: train.x }, { name: 'train.y', values: train.y });
  return { x, truth, prediction, train };
}

/**
 * A function of one input learned by a model: the truth dashed, the prediction solid, and the
 * training points as dots.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when x, truth and prediction differ in length, train.x and train.y differ in length,
 *   or any of them holds NaN or Infinity or is empty.
 * @example
 * ```ts
 * import { sampleFunction } from '@chainrule/datasets';
 * import { fit1dChart } from '@chainrule/viz';
 * const grid = sampleFunction('sinc', { grid: 200 });
 * const spec = fit1dChart({ x: grid.x, truth: grid.y, prediction: grid.y.mul(0.9) });
 * ```
 */
export function fit1dChart(data: Fit1dData): ChartSpec {
  const d = { ...data, ...checked(data) };
  const curve = (name: string, ys: readonly number[]) => d.x.map((x, i) => ({ x, y: ys[i]!, series: name }));
  const lines = [...curve('truth', d.truth), ...curve('prediction', d.prediction)];
  const points = d.train ? d.train.x.map((x, i) => ({ x, y: d.train!.y[i]!, series: 'training data' })) : [];
  const domain = ['truth', 'prediction', ...(d.train ? ['training data'] : [])];
  const color = { field: 'series', type: 'nominal', title: 'series', scale: { domain, range: ['#444444', '#1f77b4', '#ff7f0e'] } };
  // No nice rounding: the x range is the function's domain, and rounding [-15, 15] out to [-20, 20] wastes a quarter of the plot.
  const x = { field: 'x', type: 'quantitative', title: d.xTitle ?? 'x', scale: { nice: false } };
  const y = { field: 'y', type: 'quantitative', title: d.yTitle ?? 'y', scale: { zero: false } };
  return {
    $schema: schema, config, title: d.title ?? 'Fit against truth', ...size,
    layer: [
      ...(points.length ? [{ data: { values: points }, mark: { type: 'point', size: 18, opacity: 0.55, filled: true }, encoding: { x, y, color } }] : []),
      // Truth dashed, prediction solid: two layers, so the legend is made from colour alone.
      ...(['truth', 'prediction'] as const).map((name) => ({
        data: { values: lines.filter((l) => l.series === name) },
        mark: { type: 'line', strokeWidth: 2, ...(name === 'truth' ? { strokeDash: [6, 3] } : {}) },
        encoding: { x, y, color },
      })),
    ],
  };
}
