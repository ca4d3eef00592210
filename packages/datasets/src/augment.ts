/** Image augmentation: random translations, the cheapest augmentation that helps MNIST. */
import { defineOp, describeValue, Rng, Tensor } from '@chainrule/core';
import { checkOptions, wholeNumber } from './validate.ts';

/** {@link shiftImages}'s options: how far to shift, the random stream, and the image size. */
export interface ShiftOptions {
  /** Largest shift in pixels along each axis; each image gets its own dx, dy in [-maxShift, maxShift]. */
  readonly maxShift: number;
  /** The stream the offsets are drawn from (two draws per image), so a run is reproducible. */
  readonly rng: Rng;
  /** Image width in pixels. Default 28 (MNIST). */
  readonly width?: number;
  /** Image height in pixels. Default 28 (MNIST). */
  readonly height?: number;
}

/**
 * Shifts each row of x (an [n, height·width] batch of images) by a random offset, filling with zeros.
 * Each image moves by its own whole-pixel dx, dy; pixels moved past the edge are dropped.
 *
 * @param x - images as rows: [n, height·width], float32 or float64.
 * @returns a new tensor of x's shape and dtype. It is not differentiated (it moves data).
 * @throws Error when x is not a Tensor of shape [n, height·width], when rng is not an Rng, or when
 *   maxShift, width or height is not a whole number (maxShift ≥ 0, the sizes ≥ 1).
 * @example
 * ```ts
 * import { Rng } from '@chainrule/core';
 * import { shiftImages } from '@chainrule/datasets';
 * import { loadMnist } from '@chainrule/datasets/node';
 * const { x } = loadMnist({ split: 'train', limit: 256 });
 * const moved = shiftImages(x, { maxShift: 2, rng: new Rng(0) });   // [256, 784]
 * ```
 */
export function shiftImages(x: Tensor, options: ShiftOptions): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`shiftImages: x must be an [n, height·width] Tensor of images, got ${describeValue(x)}`);
  checkOptions('shiftImages', options, '{ maxShift: 2, rng }');
  if (!options) throw new Error('shiftImages: pass { maxShift, rng }, e.g. { maxShift: 2, rng: new Rng(0) }');
  const { maxShift, rng, width = 28, height = 28 } = options;
  if (!(rng instanceof Rng)) throw new Error(`shiftImages: rng must be an Rng, got ${describeValue(rng)}`);
  wholeNumber('shiftImages', 'width', width, 1);
  wholeNumber('shiftImages', 'height', height, 1);
  if (x.rank !== 2 || x.shape[1] !== width * height) {
    throw new Error(`shiftImages: expected images of shape [n, ${width * height}] (${height}×${width}), got [${x.shape.join(',')}]`);
  }
  wholeNumber('shiftImages', 'maxShift', maxShift, 0);
  const n = x.shape[0]!;
  const dx = new Int32Array(n), dy = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    dx[i] = rng.int(2 * maxShift + 1) - maxShift;
    dy[i] = rng.int(2 * maxShift + 1) - maxShift;
  }
  return shiftOp.run([x], { dx, dy, width, height });
}

interface Shifts { readonly dx: Int32Array; readonly dy: Int32Array; readonly width: number; readonly height: number }

/** The shift as an op (not differentiated: it moves data), so its output comes from the engine's buffers. */
const shiftOp = defineOp<Shifts>({
  name: 'shiftImages',
  arity: 1,
  differentiable: false,
  forward: ([x], shifts, allocate) => ({ shape: x!.shape, data: shift(x!.data, shifts, allocate(x!.dtype, x!.size)) }),
  describe: ({ width, height }) => `${height}×${width}`,
});

function shift(x: Float32Array | Float64Array, { dx: dxs, dy: dys, width, height }: Shifts, out: Float32Array | Float64Array) {
  const size = width * height;
  for (let i = 0; i < dxs.length; i++) {
    const dx = dxs[i]!, dy = dys[i]!;
    const src = x.subarray(i * size, (i + 1) * size);
    const dst = out.subarray(i * size, (i + 1) * size);
    for (let r = Math.max(0, dy); r < Math.min(height, height + dy); r++) {
      const from = (r - dy) * width;
      const c0 = Math.max(0, dx);
      const c1 = Math.min(width, width + dx);
      dst.set(src.subarray(from + c0 - dx, from + c1 - dx), r * width + c0);
    }
  }
  return out;
}
