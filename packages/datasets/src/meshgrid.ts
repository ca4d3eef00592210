/** NumPy's meshgrid for two axes. */
import { describeValue, Tensor, fromData, type DType } from '@chainrule/core';
import { checkOptions, checkSize } from './validate.ts';

/** {@link meshgrid}'s options: the output layout and dtype. */
export interface MeshgridOptions {
  /** 'xy' (NumPy's default): outputs are [ny, nx], x varies along columns. 'ij': outputs are [nx, ny]. */
  readonly indexing?: 'xy' | 'ij';
  /** Defaults to the inputs' dtype (float64 for a Float64Array, float32 for plain arrays). */
  readonly dtype?: DType;
}

type Axis = Tensor | ArrayLike<number>;

/** A coordinate vector: a rank-1 tensor, or an array of finite numbers. */
function valuesOf(a: Axis, name: string): ArrayLike<number> {
  if (a instanceof Tensor) {
    if (a.rank !== 1) throw new Error(`meshgrid: ${name} must be 1-d, got shape [${a.shape.join(',')}]`);
    return a.data;
  }
  if (!Array.isArray(a) && !ArrayBuffer.isView(a)) throw new Error(`meshgrid: ${name} must be a 1-d Tensor or an array of numbers, got ${describeValue(a)}`);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`meshgrid: ${name}[${i}] is ${describeValue(v)}; coordinates must be finite numbers`);
  }
  return a;
}

const dtypeOf = (a: Axis): DType => (a instanceof Tensor ? a.dtype : a instanceof Float64Array ? 'float64' : 'float32');

/**
 * Coordinate matrices [X, Y] from coordinate vectors xs and ys, as NumPy's `meshgrid`: X[i, j] and
 * Y[i, j] are the coordinates of grid point (i, j).
 *
 * @param xs - nx coordinates: a rank-1 Tensor or an array of finite numbers.
 * @param ys - ny coordinates, likewise.
 * @returns X and Y, each [ny, nx] ('xy', the default) or [nx, ny] ('ij'); float64 only when both
 *   inputs are float64 (Float64Array or float64 tensors) unless `dtype` says otherwise, else float32.
 * @throws Error when an input is not 1-d or holds a non-finite value, when `indexing` is not 'xy' or
 *   'ij', or when the grid would need more than 2 GiB.
 * @example
 * ```ts
 * import { meshgrid } from '@chainrule/datasets';
 * const [X, Y] = meshgrid([0, 1, 2], [10, 20]);   // each [2, 3]
 * X.data;   // Float32Array [0, 1, 2, 0, 1, 2]
 * Y.data;   // Float32Array [10, 10, 10, 20, 20, 20]
 * ```
 */
export function meshgrid(xs: Axis, ys: Axis, options: MeshgridOptions = {}): [Tensor, Tensor] {
  const [xv, yv] = [valuesOf(xs, 'xs'), valuesOf(ys, 'ys')];
  const [nx, ny] = [xv.length, yv.length];
  checkOptions('meshgrid', options, "{ indexing: 'ij' }");
  const dtype = options.dtype ?? (dtypeOf(xs) === 'float64' && dtypeOf(ys) === 'float64' ? 'float64' : 'float32');
  checkSize('meshgrid', `a ${ny}×${nx} grid`, nx * ny, dtype === 'float64' ? 8 : 4);
  const alloc = () => (dtype === 'float64' ? new Float64Array(nx * ny) : new Float32Array(nx * ny));
  const [X, Y] = [alloc(), alloc()];
  const ij = options.indexing === 'ij';
  if (!ij && options.indexing !== undefined && options.indexing !== 'xy') throw new Error(`meshgrid: indexing must be 'xy' or 'ij', got ${JSON.stringify(options.indexing)}`);
  // 'xy': row i is ys[i], column j is xs[j]; 'ij': row i is xs[i], column j is ys[j].
  for (let r = 0, k = 0; r < (ij ? nx : ny); r++) {
    for (let c = 0; c < (ij ? ny : nx); c++, k++) {
      X[k] = ij ? xv[r]! : xv[c]!;
      Y[k] = ij ? yv[c]! : yv[r]!;
    }
  }
  const shape = ij ? [nx, ny] : [ny, nx];
  return [fromData(X, shape), fromData(Y, shape)];
}
