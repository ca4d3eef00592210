/** A function of two inputs: truth, prediction and their difference as three heatmaps side by side. */
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';
import type { Numbers } from './lines.ts';
import { checkData, numbers, optionalString } from './validate.ts';

/** {@link surfaceChart}'s data: a grid's axes and the true and predicted values on it. */
export interface SurfaceData {
  /** Grid coordinates along each axis (evenly spaced). */
  readonly x: Numbers;
  /** Grid coordinates along the second axis (evenly spaced). */
  readonly y: Numbers;
  /** Values at (y[i], x[j]), row-major: index i * x.length + j (a Tensor of shape [ny·nx, 1] or [ny, nx] too). */
  readonly truth: Numbers;
  /** The model's values at the same points, in the same order as truth. */
  readonly prediction: Numbers;
  /** Chart title. Default 'Surface: truth, prediction and error'. */
  readonly title?: string;
  /** Title of the first input's axis. Default 'x1'. */
  readonly xTitle?: string;
  /** Title of the second input's axis. Default 'x2'. */
  readonly yTitle?: string;
}

/** A grid of nx × ny values per panel, all finite: one NaN would make the shared colour scale NaN. */
function checked(d: unknown) {
  const where = 'surfaceChart';
  checkData(where, d, '{ x, y, truth, prediction }');
  for (const k of ['title', 'xTitle', 'yTitle']) optionalString(where, k, d[k]);
  const finite = { finite: true };
  const x = numbers(where, 'x', d.x, finite);
  const y = numbers(where, 'y', d.y, finite);
  const truth = numbers(where, 'truth', d.truth, finite);
  const prediction = numbers(where, 'prediction', d.prediction, finite);
  const n = x.length * y.length;
  if (truth.length !== n || prediction.length !== n) {
    throw new Error(`${where}: expected ${y.length}×${x.length} = ${n} values (y.length × x.length), got truth ${truth.length} and prediction ${prediction.length}`);
  }
  return { x, y, truth, prediction };
}

/**
 * A function of two inputs: truth, prediction and their difference as three heatmaps side by side.
 * Truth and prediction share one colour scale; the error's scale is centred on 0.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when truth or prediction does not hold y.length × x.length values, or anything
 *   holds NaN or Infinity or is empty.
 * @example
 * ```ts
 * import { surfaceChart } from '@chainrule/viz';
 * const x = [0, 1, 2], y = [0, 1];
 * const truth = [0, 1, 2, 1, 2, 3];   // x + y, row by row of y
 * const spec = surfaceChart({ x, y, truth, prediction: truth.map((v) => v + 0.1) });
 * ```
 */
export function surfaceChart(data: SurfaceData): ChartSpec {
  const d = { ...data, ...checked(data) };
  const nx = d.x.length, ny = d.y.length;
  const half = (v: readonly number[]) => (v.length > 1 ? (v[v.length - 1]! - v[0]!) / (v.length - 1) / 2 : 0.5);
  // Cells overlap a little: exactly touching rectangles leave hairline seams when anti-aliased.
  const [hx, hy] = [half(d.x) * 1.08, half(d.y) * 1.08];
  const cells = (values: (k: number) => number) => {
    const out: { x: number; x2: number; y: number; y2: number; v: number }[] = [];
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < nx; j++) out.push({ x: d.x[j]! - hx, x2: d.x[j]! + hx, y: d.y[i]! - hy, y2: d.y[i]! + hy, v: values(i * nx + j) });
    }
    return out;
  };
  let lo = Infinity, hi = -Infinity, err = 0;
  for (let k = 0; k < nx * ny; k++) {
    lo = Math.min(lo, d.truth[k]!, d.prediction[k]!);
    hi = Math.max(hi, d.truth[k]!, d.prediction[k]!);
    err = Math.max(err, Math.abs(d.prediction[k]! - d.truth[k]!));
  }
  const panel = (title: string, values: (k: number) => number, color: Record<string, unknown>) => ({
    title, width: 230, height: 230,
    data: { values: cells(values) },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: d.xTitle ?? 'x1', scale: { nice: false, zero: false }, axis: { tickCount: 5 } },
      x2: { field: 'x2' },
      y: { field: 'y', type: 'quantitative', title: d.yTitle ?? 'x2', scale: { nice: false, zero: false }, axis: { tickCount: 5 } },
      y2: { field: 'y2' },
      color: { field: 'v', type: 'quantitative', ...color },
    },
  });
  // Truth and prediction share one colour scale so equal colours mean equal values; the error is centred on 0.
  const shared = { scale: { scheme: 'viridis', domain: [lo, hi] }, legend: { title: 'value', orient: 'bottom', gradientLength: 200 } };
  return {
    $schema: schema, config, title: d.title ?? 'Surface: truth, prediction and error',
    hconcat: [
      panel('truth', (k) => d.truth[k]!, shared),
      panel('prediction', (k) => d.prediction[k]!, shared),
      panel('error (prediction − truth)', (k) => d.prediction[k]! - d.truth[k]!, {
        scale: { scheme: 'redblue', reverse: true, domain: [-(err || 1), err || 1], domainMid: 0 },
        legend: { title: 'error', orient: 'bottom', gradientLength: 200 },
      }),
    ],
    spacing: 24,
    resolve: { scale: { color: 'independent' } },
  };
}
