/** Image augmentation: random translations, the cheapest augmentation that helps MNIST. */
import { allocate, fromData, type Rng, type Tensor } from '@chainrule/core';

export interface ShiftOptions {
  /** Largest shift in pixels along each axis; each image gets its own dx, dy in [-maxShift, maxShift]. */
  readonly maxShift: number;
  readonly rng: Rng;
  readonly width?: number;
  readonly height?: number;
}

/** Shifts each row of x (an [n, height·width] batch of images) by a random offset, filling with zeros. */
export function shiftImages(x: Tensor, { maxShift, rng, width = 28, height = 28 }: ShiftOptions): Tensor {
  if (x.rank !== 2 || x.shape[1] !== width * height) {
    throw new Error(`shiftImages: expected images of shape [n, ${width * height}] (${height}×${width}), got [${x.shape.join(',')}]`);
  }
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new Error(`shiftImages: maxShift must be a whole number ≥ 0, got ${maxShift}`);
  const [n, size] = [x.shape[0]!, width * height];
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < n; i++) {
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const src = x.data.subarray(i * size, (i + 1) * size);
    const dst = out.subarray(i * size, (i + 1) * size);
    for (let r = Math.max(0, dy); r < Math.min(height, height + dy); r++) {
      const from = (r - dy) * width;
      const c0 = Math.max(0, dx);
      const c1 = Math.min(width, width + dx);
      dst.set(src.subarray(from + c0 - dx, from + c1 - dx), r * width + c0);
    }
  }
  return fromData(out, x.shape);
}
