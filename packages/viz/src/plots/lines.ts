/**
 * Line charts over epochs or steps: loss, metrics, learning rate, gradient norms. Every sequence
 * may be an array, a typed array or an Immutable List (a History's fields as they are).
 */
import { describeValue, type Tensor } from '@chainrule/core';
import { isPlainObject } from '../check/describe.ts';
import { schema, type ChartSpec } from './spec.ts';
import { config, size } from './theme.ts';
import { checkData, isKeyed, numbers, optionalBoolean, optionalString, sameLength } from './validate.ts';

/** A sequence of numbers as the chart functions take it (a Tensor gives its data, flattened). */
export type Numbers = readonly number[] | ArrayLike<number> | Iterable<number> | Tensor;

/** One line of a {@link lineChart}. */
export interface Series {
  /** The name in the legend (series names should differ). */
  readonly name: string;
  /** The values, one per x; NaN and Infinity are left out (and counted in the subtitle). */
  readonly y: Numbers;
  /** x values; default 1, 2, 3, … (epochs and steps count from 1). */
  readonly x?: Numbers;
}

/** {@link lineChart}'s arguments: the titles and the series. */
export interface LineChartOptions {
  /** Chart title. */
  readonly title: string;
  /** A line under the title. */
  readonly subtitle?: string;
  /** x axis title, e.g. 'epoch'. */
  readonly xTitle: string;
  /** y axis title, e.g. 'loss'. */
  readonly yTitle: string;
  /** Title of the legend (shown only with two or more series). Default 'series'. */
  readonly legendTitle?: string;
  /** The lines to draw, at least one. */
  readonly series: readonly Series[];
  /** A log y axis; values ≤ 0 are then left out. Default false. */
  readonly logY?: boolean;
  /** Mark each point. Default: when there are at most 30 points per series. */
  readonly points?: boolean;
}

interface Checked { readonly name: string; readonly y: number[]; readonly x?: number[] }

/** One series checked: y numbers (NaN allowed: a diverged run is still worth a look), x finite and as long as y. */
function series(where: string, name: string, yName: string, y: unknown, x: unknown, xName: string): Checked {
  const ys = numbers(where, yName, y);
  if (x === undefined) return { name, y: ys };
  const xs = numbers(where, xName, x, { finite: true });
  sameLength(where, { name: xName, values: xs }, { name: yName, values: ys });
  return { name, y: ys, x: xs };
}

type Drawn = Omit<LineChartOptions, 'series'> & { readonly series: readonly Checked[] };

function draw(where: string, o: Drawn): ChartSpec {
  const all = o.series.flatMap((s) => s.y.map((y, i) => ({ x: s.x?.[i] ?? i + 1, y, series: s.name })));
  // A log axis cannot show zero or negative values (and NaN/Inf has no place on any axis).
  const values = all.filter((d) => Number.isFinite(d.y) && (!o.logY || d.y > 0));
  if (values.length === 0) {
    throw new Error(`${where}: none of the ${all.length} values can be drawn: each is NaN or Infinity${o.logY ? ' or ≤ 0 on the log axis' : ''}`);
  }
  const dropped = all.length - values.length;
  const note = dropped ? `${dropped} of ${all.length} values not shown (NaN, Infinity${o.logY ? ' or ≤ 0 on the log axis' : ''})` : undefined;
  const subtitle = [o.subtitle, note].filter(Boolean) as string[];
  return {
    $schema: schema,
    config,
    title: subtitle.length ? { text: o.title, subtitle } : o.title,
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

/** The title options every chart function shares, checked as strings and booleans. */
function texts(where: string, o: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of keys) optionalString(where, k, o[k]);
  optionalBoolean(where, 'logY', o.logY);
  optionalBoolean(where, 'points', o.points);
}

/**
 * A line chart of any series against x (default 1, 2, 3, …), for what the specific charts do not cover.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when a title is missing, series is empty, a series has no name, y is empty or not
 *   numbers, x is not as long as y or holds NaN, or no value at all can be drawn.
 * @example
 * ```ts
 * import { lineChart, chartSvg } from '@chainrule/viz';
 * const svg = await chartSvg(lineChart({
 *   title: 'Batch size', xTitle: 'epoch', yTitle: 'loss',
 *   series: [{ name: 'batch 32', y: [1, 0.6, 0.4] }, { name: 'batch 256', y: [1.1, 0.8, 0.7] }],
 * }));
 * ```
 */
export function lineChart(o: LineChartOptions): ChartSpec {
  const where = 'lineChart';
  checkData(where, o, "{ title, xTitle, yTitle, series: [{ name, y }] }");
  texts(where, o, ['title', 'subtitle', 'xTitle', 'yTitle', 'legendTitle']);
  for (const k of ['title', 'xTitle', 'yTitle'] as const) if (o[k] === undefined) throw new Error(`${where}: ${k} is missing`);
  if (!Array.isArray(o.series) || o.series.length === 0) throw new Error(`${where}: series must be a non-empty array of { name, y }, got ${describeValue(o.series)}`);
  const checked = o.series.map((s: unknown, i) => {
    if (!isPlainObject(s)) throw new Error(`${where}: series[${i}] must be an object { name, y, x? }, got ${describeValue(s)}`);
    if (typeof s.name !== 'string') throw new Error(`${where}: series[${i}].name must be a string, got ${describeValue(s.name)}`);
    return series(where, s.name, `series[${i}].y`, s.y, s.x, `series[${i}].x`);
  });
  return draw(where, { ...o, series: checked });
}

/** A training curve and, optionally, its validation curve, as {@link lossChart} and {@link metricChart} take them. */
export interface Curves {
  /** One value per epoch (or step), e.g. `history.loss`. */
  readonly train: Numbers;
  /** The validation values, e.g. `history.valLoss`; the same length as train when x is given. */
  readonly validation?: Numbers;
  /** x values for both curves; default 1, 2, 3, …. */
  readonly x?: Numbers;
}

/** Train and validation curves; with x given, each must be as long as x. */
function splits(where: string, c: Record<string, unknown>): Checked[] {
  const out = [series(where, 'train', 'train', c.train, c.x, 'x')];
  if (c.validation !== undefined) out.push(series(where, 'validation', 'validation', c.validation, c.x, 'x'));
  return out;
}

const curvesExample = '{ train: history.loss, validation: history.valLoss }';

/**
 * Training and validation loss per epoch (or per step with xTitle: 'step'). Title 'Loss' by default;
 * `logY` for losses spanning decades.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when train is missing or empty, a curve is not numbers, x's length differs from a
 *   curve's, or every value is NaN or Infinity.
 * @example
 * ```ts
 * import { lossChart } from '@chainrule/viz';
 * const spec = lossChart({ train: [1.2, 0.8, 0.6], validation: [1.3, 0.9, 0.8] });
 * // after nn's fit: lossChart({ train: history.loss, validation: history.valLoss })
 * ```
 */
export function lossChart(c: Curves & { title?: string; xTitle?: string; logY?: boolean }): ChartSpec {
  const where = 'lossChart';
  checkData(where, c, curvesExample);
  texts(where, c, ['title', 'xTitle']);
  return draw(where, { title: c.title ?? 'Loss', xTitle: c.xTitle ?? 'epoch', yTitle: 'loss', legendTitle: 'split', series: splits(where, c), logY: c.logY });
}

/**
 * A metric such as accuracy per epoch, train and validation; `name` is the y axis title (and,
 * capitalised, the chart's default title).
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when name is not a non-empty string, or as {@link lossChart} for the curves.
 * @example
 * ```ts
 * import { metricChart } from '@chainrule/viz';
 * const spec = metricChart({ name: 'accuracy', train: [0.8, 0.9, 0.95], validation: [0.78, 0.88, 0.9] });
 * ```
 */
export function metricChart(c: Curves & { name: string; title?: string; xTitle?: string }): ChartSpec {
  const where = 'metricChart';
  checkData(where, c, "{ name: 'accuracy', train: history.metrics.get('accuracy') }");
  texts(where, c, ['title', 'xTitle']);
  if (typeof c.name !== 'string' || c.name === '') throw new Error(`${where}: name must be the metric's name, such as 'accuracy', got ${describeValue(c.name)}`);
  return draw(where, { title: c.title ?? c.name[0]!.toUpperCase() + c.name.slice(1), xTitle: c.xTitle ?? 'epoch', yTitle: c.name, legendTitle: 'split', series: splits(where, c) });
}

/**
 * The learning rate the schedule gave at each optimiser step (`history.stepLr`), against `steps`
 * (default 1, 2, 3, …).
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when lr is empty or not numbers, or steps differs from it in length.
 * @example
 * ```ts
 * import { learningRateChart } from '@chainrule/viz';
 * const lr = Array.from({ length: 100 }, (_, i) => 0.1 * 0.5 ** Math.floor(i / 25));
 * const spec = learningRateChart({ lr, logY: true });
 * ```
 */
export function learningRateChart(o: { lr: Numbers; steps?: Numbers; title?: string; logY?: boolean }): ChartSpec {
  const where = 'learningRateChart';
  checkData(where, o, '{ lr: history.stepLr }');
  texts(where, o, ['title']);
  return draw(where, { title: o.title ?? 'Learning rate', xTitle: 'step', yTitle: 'learning rate', legendTitle: 'schedule', series: [series(where, 'lr', 'lr', o.lr, o.steps, 'steps')], logY: o.logY, points: false });
}

/** Layer name → norms: a plain object, a Map, or an Immutable OrderedMap (a History's stepGradNorms). */
export type NormsByLayer = Readonly<Record<string, Numbers>> | ReadonlyMap<string, Numbers> | Iterable<[string, Numbers]>;

function layerEntries(where: string, norms: unknown): [string, unknown][] {
  if (isPlainObject(norms)) return Object.entries(norms);
  if (isKeyed(norms)) return [...(norms as Iterable<[string, unknown]>)];
  throw new Error(`${where}: norms must map each layer name to its norms (an object, a Map or history.stepGradNorms), got ${describeValue(norms)}`);
}

/**
 * The gradient norm of each layer per step on a log axis: the picture of vanishing (falling
 * decades apart) and exploding (rising without bound) gradients.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when norms is not a mapping of layer names to numbers or has no layers, or a layer's
 *   norms are not numbers or differ from steps in length.
 * @example
 * ```ts
 * import { gradientNormChart } from '@chainrule/viz';
 * const spec = gradientNormChart({ norms: { dense0: [1, 0.5, 0.2], dense1: [0.1, 0.01, 0.001] } });
 * // after nn's fit with the gradient monitor on: gradientNormChart({ norms: history.stepGradNorms })
 * ```
 */
export function gradientNormChart(o: { norms: NormsByLayer; steps?: Numbers; title?: string }): ChartSpec {
  const where = 'gradientNormChart';
  checkData(where, o, '{ norms: history.stepGradNorms }');
  texts(where, o, ['title']);
  const entries = layerEntries(where, o.norms);
  if (entries.length === 0) throw new Error(`${where}: norms has no layers; was the gradient monitor on?`);
  return draw(where, {
    title: o.title ?? 'Gradient norm per layer',
    subtitle: 'log scale: layers drifting decades apart mean vanishing or exploding gradients',
    xTitle: 'step', yTitle: 'gradient L2 norm', legendTitle: 'layer', logY: true, points: false,
    series: entries.map(([name, y]) => series(where, String(name), `norms['${name}']`, y, o.steps, 'steps')),
  });
}
