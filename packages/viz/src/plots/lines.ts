/** Line charts over epochs or steps: loss, metrics, learning rate, gradient norms. */
import { schema, type ChartSpec } from './spec.ts';
import { config, size } from './theme.ts';

export interface Series {
  readonly name: string;
  readonly y: readonly number[];
  /** x values; default 1, 2, 3, … (epochs and steps count from 1). */
  readonly x?: readonly number[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly legendTitle?: string;
  readonly series: readonly Series[];
  readonly logY?: boolean;
  readonly points?: boolean;
}

export function lineChart(o: LineChartOptions): ChartSpec {
  const values = o.series.flatMap((s) => s.y.map((y, i) => ({ x: s.x?.[i] ?? i + 1, y, series: s.name })))
    // A log axis cannot show zero or negative values (and NaN/Inf has no place on any axis).
    .filter((d) => Number.isFinite(d.y) && (!o.logY || d.y > 0));
  return {
    $schema: schema,
    config,
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    ...size,
    data: { values },
    mark: { type: 'line', point: o.points ?? values.length / Math.max(1, o.series.length) <= 30, strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xTitle, axis: { tickMinStep: 1 } },
      y: { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log' } : { zero: false } },
      // One series needs no legend: the axis title says what it is.
      color: { field: 'series', type: 'nominal', title: o.legendTitle ?? 'series', sort: o.series.map((s) => s.name), ...(o.series.length === 1 ? { legend: null } : {}) },
    },
  };
}

export interface Curves {
  readonly train: readonly number[];
  readonly validation?: readonly number[];
  readonly x?: readonly number[];
}

const splits = (c: Curves): Series[] => [
  { name: 'train', y: c.train, x: c.x },
  ...(c.validation ? [{ name: 'validation', y: c.validation, x: c.x }] : []),
];

/** Training and validation loss per epoch (or per step with xTitle: 'step'). */
export const lossChart = (c: Curves & { title?: string; xTitle?: string; logY?: boolean }): ChartSpec =>
  lineChart({ title: c.title ?? 'Loss', xTitle: c.xTitle ?? 'epoch', yTitle: 'loss', legendTitle: 'split', series: splits(c), logY: c.logY });

/** A metric such as accuracy per epoch, train and validation. */
export const metricChart = (c: Curves & { name: string; title?: string; xTitle?: string }): ChartSpec =>
  lineChart({ title: c.title ?? c.name[0]!.toUpperCase() + c.name.slice(1), xTitle: c.xTitle ?? 'epoch', yTitle: c.name, legendTitle: 'split', series: splits(c) });

/** The learning rate the schedule gave at each optimiser step. */
export const learningRateChart = (o: { lr: readonly number[]; steps?: readonly number[]; title?: string; logY?: boolean }): ChartSpec =>
  lineChart({ title: o.title ?? 'Learning rate', xTitle: 'step', yTitle: 'learning rate', legendTitle: 'schedule', series: [{ name: 'lr', y: o.lr, x: o.steps }], logY: o.logY, points: false });

/**
 * The gradient norm of each layer per step on a log axis: the picture of vanishing (falling
 * decades apart) and exploding (rising without bound) gradients.
 */
export const gradientNormChart = (o: { norms: Readonly<Record<string, readonly number[]>>; steps?: readonly number[]; title?: string }): ChartSpec =>
  lineChart({
    title: o.title ?? 'Gradient norm per layer',
    subtitle: 'log scale: layers drifting decades apart mean vanishing or exploding gradients',
    xTitle: 'step', yTitle: 'gradient L2 norm', legendTitle: 'layer', logY: true, points: false,
    series: Object.entries(o.norms).map(([name, y]) => ({ name, y, x: o.steps })),
  });
