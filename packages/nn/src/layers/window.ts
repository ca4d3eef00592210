/**
 * What the window layers (conv2d and the poolings) share: [rows, columns] pair options, the input's rank
 * (one image [channels, height, width] per sample) and the output size, each checked with a message that
 * names the layer, the shapes and the fix.
 */
import { describeValue } from '@chainrule/core';

/** [rows, columns]. */
export type Pair = [number, number];

/** A whole number ≥ min or a [rows, columns] pair of them, as a pair. */
export function pairOf(what: string, v: unknown, min: number): Pair {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  throw new Error(`${what} must be a whole number ≥ ${min} or a pair [rows, columns] of them, got ${describeValue(v)}${Array.isArray(v) ? ` [${v.join(', ')}]` : ''}`);
}

/** One sample must be an image [channels, height, width]. */
export function expectImage(kind: string, inputShape: readonly number[]): [number, number, number] {
  if (inputShape.length !== 3) {
    const fix = inputShape.length === 2 ? `for one-channel images put reshape({ shape: [1, ${inputShape.join(', ')}] }) before it`
      : inputShape.length === 1 ? 'put reshape({ shape: [channels, height, width] }) before it' : 'images are [channels, height, width] per sample';
    throw new Error(`${kind} takes one sample as an image [channels, height, width], got [${inputShape.join(', ')}]; ${fix}`);
  }
  return inputShape as unknown as [number, number, number];
}

/**
 * The output's [height, width] for windows of `kernel` (dilated) over an image [C, H, W] padded by `pad`
 * [rows, columns] on each side: ⌊(size + 2·pad − span) / stride⌋ + 1. Throws, naming the shapes, when the
 * kernel is larger than the padded input.
 */
export function windowOutput(kind: string, [, h, w]: readonly number[], kernel: Pair, stride: Pair, pad: Pair, dilation: Pair = [1, 1]): Pair {
  const span: Pair = [dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1];
  const padded: Pair = [h! + 2 * pad[0], w! + 2 * pad[1]];
  if (span[0] > padded[0] || span[1] > padded[1]) {
    throw new Error(`${kind}: the ${kernel[0]}×${kernel[1]} kernel${span[0] !== kernel[0] || span[1] !== kernel[1] ? ` (${span[0]}×${span[1]} dilated)` : ''} is larger than the padded input ${padded[0]}×${padded[1]} (image ${h}×${w}, padding [${pad.join(', ')}]): use a smaller kernel, more padding, or fewer pooling layers before it`);
  }
  return [Math.floor((padded[0] - span[0]) / stride[0]) + 1, Math.floor((padded[1] - span[1]) / stride[1]) + 1];
}
