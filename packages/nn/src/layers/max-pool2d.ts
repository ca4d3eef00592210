/**
 * maxPool2d, as PyTorch's MaxPool2d: the largest value of each window of each channel, images [C, H, W]
 * per sample. Also the window config it shares with avgPool2d.
 */
import { maxPool2d as maxPool } from '@chainrule/core';
import { expectImage, pairOf, windowOutput, type Pair } from './window.ts';
import { onlyKnown } from './checks.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';

/** The config of maxPool2d and avgPool2d, as model JSON stores it. */
export interface Pool2dConfig {
  /** The window's [height, width]. */
  readonly kernel: Pair;
  /** Rows and columns between windows (default the kernel: windows that do not overlap). */
  readonly stride: Pair;
  /** Zeros (avg) or ignored cells (max) on each side, [rows, columns], at most half the kernel. */
  readonly padding: Pair;
}

/** Options of {@link maxPool2d} and {@link avgPool2d}. */
export interface Pool2dLayerOptions extends CommonLayerOptions {
  /** The window's size: a number or [height, width] (required). */
  readonly kernel: number | readonly [number, number];
  /** Rows and columns between windows: a number or a pair (default the kernel). */
  readonly stride?: number | readonly [number, number];
  /** Padding on each side: a number or a pair, at most half the kernel (default 0). */
  readonly padding?: number | readonly [number, number];
}

/** Checks a pooling layer's options (kernel, stride, padding), as PyTorch limits them. */
export function poolConfig(o: Readonly<Record<string, unknown>>): Pool2dConfig {
  onlyKnown(o, ['kernel', 'stride', 'padding']);
  if (o.kernel === undefined) throw new Error('give the window size, e.g. { kernel: 2 } or kernel: [2, 3]');
  const kernel = pairOf('kernel', o.kernel, 1);
  const padding = pairOf('padding', o.padding ?? 0, 0);
  if (padding[0] > kernel[0] >> 1 || padding[1] > kernel[1] >> 1) {
    throw new Error(`padding [${padding.join(', ')}] is more than half the ${kernel.join('×')} kernel (as PyTorch: use padding ≤ [${kernel[0] >> 1}, ${kernel[1] >> 1}] or a larger kernel)`);
  }
  return { kernel, stride: pairOf('stride', o.stride ?? kernel, 1), padding };
}

/** [C, outH, outW] for a pooling layer over [C, H, W]. */
export function poolShape(kind: string, c: Pool2dConfig, inputShape: readonly number[]): number[] {
  const [channels] = expectImage(kind, inputShape);
  return [channels, ...windowOutput(kind, inputShape, c.kernel, c.stride, c.padding)];
}

export const describePool = (c: Pool2dConfig): string => {
  const pair = (p: Pair) => (p[0] === p[1] ? String(p[0]) : p.join('×'));
  return [c.kernel.join('×'), c.stride[0] === c.kernel[0] && c.stride[1] === c.kernel[1] ? '' : `stride ${pair(c.stride)}`,
    c.padding[0] || c.padding[1] ? `padding ${pair(c.padding)}` : ''].filter(Boolean).join(', ');
};

/** Small pooling cases for the property suite: kernels 1–3, strides 1–3, padding up to half the kernel, images that just fit plus 0–2. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const poolSample = (fc: any) => fc.record({
  c: fc.integer({ min: 1, max: 2 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), ph: fc.integer({ min: 0, max: 1 }), pw: fc.integer({ min: 0, max: 1 }),
  eh: fc.integer({ min: 0, max: 2 }), ew: fc.integer({ min: 0, max: 2 }),
}).map((r: Record<string, number>) => {
  const padding = [Math.min(r.ph!, r.kh! >> 1), Math.min(r.pw!, r.kw! >> 1)];
  return {
    options: { kernel: [r.kh, r.kw], stride: [r.sh, r.sw], padding },
    inputShape: [r.c, Math.max(1, r.kh! - 2 * padding[0]!) + r.eh!, Math.max(1, r.kw! - 2 * padding[1]!) + r.ew!],
  };
});

/**
 * Max pooling for {@link sequential}: x [batch, C, H, W] → the largest value of each window, [batch, C,
 * outH, outW] with outH = ⌊(H + 2·padding − kernel) / stride⌋ + 1 (PyTorch's MaxPool2d, floor mode).
 *
 * @throws Error naming the layer when kernel or stride is not a whole number ≥ 1, padding is negative,
 *   fractional or more than half the kernel; the model throws when the input is not [C, H, W] or the
 *   kernel is larger than the padded input.
 * @example
 * ```ts
 * import { conv2d, maxPool2d, sequential } from '@chainrule/nn';
 * const model = sequential([conv2d({ filters: 4, kernel: 3 }), maxPool2d({ kernel: 2 })], { inputShape: [1, 8, 8] });
 * model.layers[1].outputShape; // [4, 3, 3]
 * ```
 */
export const maxPool2d = defineLayer<Pool2dConfig, Pool2dLayerOptions>({
  kind: 'maxPool2d',
  config: poolConfig,
  outputShape: (c, inputShape) => poolShape('maxPool2d', c, inputShape),
  apply: (_p, _s, x, { config: c }) => ({ y: maxPool(x, c) }),
  describe: describePool,
  sample: poolSample,
});
