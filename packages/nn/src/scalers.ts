/**
 * Column scalers. `fit` returns a fitted scaler (a value, nothing is mutated); transform and
 * inverseTransform work on [n, features] tensors. A constant column scales by 1, never by 0.
 */
import { describeValue, fromData, Tensor } from '@chainrule/core';
import { checkFinite } from './validate-data.ts';

function columns(where: string, x: Tensor): [number, number] {
  if (!(x instanceof Tensor)) throw new Error(`${where}: x must be a [samples, features] Tensor, got ${describeValue(x)}`);
  if (x.rank !== 2) throw new Error(`${where}: expected a [samples, features] tensor, got [${x.shape.join(',')}]`);
  return [x.shape[0]!, x.shape[1]!];
}

/** What a scaler is fitted on: some samples, all finite (one NaN would make its whole column NaN). */
function fittable(where: string, x: Tensor): [number, number] {
  const [n, d] = columns(where, x);
  if (n === 0) throw new Error(`${where}: x has no samples (shape [${x.shape.join(',')}]); there is nothing to fit on`);
  checkFinite(where, 'x', x);
  return [n, d];
}

/** y[i, j] = (x[i, j] − shift[j]) / scale[j], or the inverse. */
function affine(where: string, x: Tensor, shift: Float64Array, scale: Float64Array, inverse: boolean): Tensor {
  const [n, d] = columns(where, x);
  if (d !== shift.length) throw new Error(`${where}: the scaler was fitted on ${shift.length} features, x has ${d}`);
  const out = new (x.data.constructor as Float32ArrayConstructor)(x.size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j]!;
      out[i * d + j] = inverse ? v * scale[j]! + shift[j]! : (v - shift[j]!) / scale[j]!;
    }
  }
  return fromData(out, x.shape);
}

/** A fitted column scaler: y = (x − shift) / scale per column. */
abstract class ColumnScaler {
  constructor(
    /** Subtracted from each column (one entry per feature). */
    readonly shift: Float64Array,
    /** Each column is then divided by this (one entry per feature, never 0). */
    readonly scale: Float64Array,
  ) {}
  /** The class name, which starts its errors. */
  protected abstract get label(): string;
  /**
   * Scales x [n, features] column by column: (x − shift) / scale; returns [n, features] in x's dtype.
   *
   * @throws Error when x is not a rank-2 tensor with as many columns as the scaler was fitted on.
   */
  transform(x: Tensor): Tensor { return affine(`${this.label}.transform`, x, this.shift, this.scale, false); }
  /**
   * Undoes `transform`: x · scale + shift per column (e.g. predictions back to the target's units).
   *
   * @throws Error when x is not a rank-2 tensor with as many columns as the scaler was fitted on.
   */
  inverseTransform(x: Tensor): Tensor { return affine(`${this.label}.inverseTransform`, x, this.shift, this.scale, true); }
}

/**
 * Standardises columns to mean 0 and standard deviation 1, fitted on training data and applied to
 * any data alike.
 *
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { StandardScaler } from '@chainrule/nn';
 * const scaler = StandardScaler.fit(tensor([[1, 10], [3, 30]]));
 * scaler.transform(tensor([[2, 20]])); // [[0, 0]]; scaler.mean is [2, 20], scaler.std [1, 10]
 * ```
 */
export class StandardScaler extends ColumnScaler {
  /** 'StandardScaler', which starts its errors. */
  protected get label() { return 'StandardScaler'; }
  /**
   * A scaler to mean 0 and (population) standard deviation 1 per column of x [n, features]; a
   * constant column gets std 1.
   *
   * @throws Error when x is not a rank-2 tensor, has no rows, or holds NaN or ±Inf (naming where).
   */
  static fit(x: Tensor): StandardScaler {
    const [n, d] = fittable('StandardScaler.fit', x);
    const mean = new Float64Array(d);
    const std = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x.data[i * d + j]! / n;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j]! += (x.data[i * d + j]! - mean[j]!) ** 2 / n;
    for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
    return new StandardScaler(mean, std);
  }
  /** Each column's mean (the shift). */
  get mean(): Float64Array { return this.shift; }
  /** Each column's population standard deviation, 1 for a constant column (the scale). */
  get std(): Float64Array { return this.scale; }
}

/**
 * Scales columns to [0, 1] by the minimum and range seen when fitting (data outside that range maps
 * outside [0, 1]).
 *
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { MinMaxScaler } from '@chainrule/nn';
 * const scaler = MinMaxScaler.fit(tensor([[0, -1], [10, 1]]));
 * scaler.transform(tensor([[5, 0]])); // [[0.5, 0.5]]
 * ```
 */
export class MinMaxScaler extends ColumnScaler {
  /** 'MinMaxScaler', which starts its errors. */
  protected get label() { return 'MinMaxScaler'; }
  /**
   * A scaler taking each column of x [n, features] to [0, 1]; a constant column gets range 1.
   *
   * @throws Error when x is not a rank-2 tensor, has no rows, or holds NaN or ±Inf (naming where).
   */
  static fit(x: Tensor): MinMaxScaler {
    const [n, d] = fittable('MinMaxScaler.fit', x);
    const lo = new Float64Array(d).fill(Infinity);
    const hi = new Float64Array(d).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const v = x.data[i * d + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    return new MinMaxScaler(lo, hi.map((h, j) => (h - lo[j]!) || 1));
  }
  /** Each column's minimum (the shift). */
  get min(): Float64Array { return this.shift; }
  /** Each column's max − min, 1 for a constant column (the scale). */
  get range(): Float64Array { return this.scale; }
}
