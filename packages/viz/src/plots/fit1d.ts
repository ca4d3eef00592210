/** A 1-D function learned by a network: the truth, the prediction and (optionally) the training points. */
import { schema, type ChartSpec } from './spec.ts';
import { config, size } from './theme.ts';

export interface Fit1dData {
  readonly x: readonly number[];
  readonly truth: readonly number[];
  readonly prediction: readonly number[];
  readonly train?: { readonly x: readonly number[]; readonly y: readonly number[] };
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
}

export function fit1dChart(d: Fit1dData): ChartSpec {
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
