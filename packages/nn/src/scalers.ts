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

abstract class ColumnScaler {
  constructor(readonly shift: Float64Array, readonly scale: Float64Array) {}
  protected abstract get label(): string;
  transform(x: Tensor): Tensor { return affine(`${this.label}.transform`, x, this.shift, this.scale, false); }
  inverseTransform(x: Tensor): Tensor { return affine(`${this.label}.inverseTransform`, x, this.shift, this.scale, true); }
}

export class StandardScaler extends ColumnScaler {
  protected get label() { return 'StandardScaler'; }
  /** Mean 0 and (population) standard deviation 1 per column. */
  static fit(x: Tensor): StandardScaler {
    const [n, d] = fittable('StandardScaler.fit', x);
    const mean = new Float64Array(d);
    const std = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x.data[i * d + j]! / n;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j]! += (x.data[i * d + j]! - mean[j]!) ** 2 / n;
    for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
    return new StandardScaler(mean, std);
  }
  get mean(): Float64Array { return this.shift; }
  get std(): Float64Array { return this.scale; }
}

export class MinMaxScaler extends ColumnScaler {
  protected get label() { return 'MinMaxScaler'; }
  /** Each column to [0, 1]. */
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
  get min(): Float64Array { return this.shift; }
  get range(): Float64Array { return this.scale; }
}
