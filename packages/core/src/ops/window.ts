/**
 * What the convolution and pooling ops share: their options (stride, padding, dilation as a number or a
 * [rows, columns] pair) checked at the public boundary, and the window geometry (Window2d) the kernels read.
 */
import type { Window2d } from '../backend/kernels.ts';
import { describeValue } from '../describe-value.ts';
import { fmt, type Shape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';

/** A size per image axis: [rows, columns]. */
export type Pair = readonly [number, number];
/** Padding on each side: [top, bottom, left, right]. */
export type Pad4 = readonly [number, number, number, number];

/** A number or a [rows, columns] pair, each a whole number ≥ `min`. */
export function pairOption(where: string, what: string, value: unknown, min: number, fix: string): Pair {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  throw new Error(`${where}: ${what} must be a whole number ≥ ${min} or a pair [rows, columns] of them, got ${describeValue(value)}${Array.isArray(value) ? ` [${value.join(', ')}]` : ''} (${fix})`);
}

/** Images as the ops take them: a Tensor of rank 4, [batch, channels, height, width]. */
export function expectImages(where: string, what: string, x: Tensor): void {
  if (x.rank !== 4) {
    const fix = x.rank === 3 ? `for one image, add the batch axis: x.reshape([1, ${x.shape.join(', ')}])` : 'images are [batch, channels, height, width] (NCHW)';
    throw new Error(`${where}: ${what} must have rank 4, [batch, channels, height, width], got ${fmt(x.shape)} (${fix})`);
  }
}

/** Windows along one axis: floor((size + padding − dilation·(kernel − 1) − 1) / stride) + 1, or 0 when none fits. */
export const windowsAlong = (size: number, padBefore: number, padAfter: number, kernel: number, dilation: number, stride: number): number =>
  Math.max(0, Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1);

/** The geometry of windows of `kernel` over images of `shape` [N, C, H, W]; `channels` may differ from C (im2col per group reads all channels). */
export function window2d(shape: Shape, kernel: Pair, stride: Pair, padding: Pad4, dilation: Pair): Window2d {
  const [batch, channels, height, width] = shape as [number, number, number, number];
  return {
    batch, channels, height, width,
    kernelH: kernel[0], kernelW: kernel[1], strideH: stride[0], strideW: stride[1],
    padH: padding[0], padW: padding[2], dilationH: dilation[0], dilationW: dilation[1],
    outH: windowsAlong(height, padding[0], padding[1], kernel[0], dilation[0], stride[0]),
    outW: windowsAlong(width, padding[2], padding[3], kernel[1], dilation[1], stride[1]),
  };
}

/**
 * Refuses a kernel that does not fit in the padded image (no window at all), naming the op, the shapes
 * and the fix.
 */
export function checkKernelFits(where: string, x: Shape, kernel: Pair, padding: Pad4, dilation: Pair): void {
  const span = [dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1];
  const padded = [x[2] + padding[0] + padding[1], x[3] + padding[2] + padding[3]];
  if (span[0] > padded[0] || span[1] > padded[1]) {
    const dilated = dilation[0] > 1 || dilation[1] > 1 ? ` (${span[0]}×${span[1]} dilated)` : '';
    throw new Error(`${where}: the ${kernel[0]}×${kernel[1]} kernel${dilated} is larger than the padded input ${padded[0]}×${padded[1]} `
      + `(x ${fmt(x)}, padding [top ${padding[0]}, bottom ${padding[1]}, left ${padding[2]}, right ${padding[3]}]): use a smaller kernel or more padding`);
  }
}

/** Short text for a graph drawing: the sizes that are not the default (a pair as 2×1, other lists as [0,1,1,2]). */
export function describeWindow(parts: Record<string, readonly number[] | number>, defaults: Record<string, number>): string {
  return Object.entries(parts)
    .filter(([k, v]) => (typeof v === 'number' ? [v] : v).some((n) => n !== defaults[k]))
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : v.every((n) => n === v[0]) ? v[0] : v.length === 2 ? v.join('×') : `[${v.join(',')}]`}`)
    .join(' ');
}
