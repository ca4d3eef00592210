/** A function of two inputs: truth, prediction and their difference as three heatmaps side by side. */
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';

export interface SurfaceData {
  /** Grid coordinates along each axis (evenly spaced). */
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Values at (y[i], x[j]), row-major: index i * x.length + j. */
  readonly truth: ArrayLike<number>;
  readonly prediction: ArrayLike<number>;
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
}

export function surfaceChart(d: SurfaceData): ChartSpec {
  const nx = d.x.length, ny = d.y.length;
  if (d.truth.length !== nx * ny || d.prediction.length !== nx * ny) {
    throw new Error(`surfaceChart: expected ${ny}×${nx} = ${nx * ny} values, got truth ${d.truth.length} and prediction ${d.prediction.length}`);
  }
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
