/**
 * conv2d, as PyTorch's Conv2d: images [C, H, W] per sample (NCHW with the batch), weights
 * w [filters, C/groups, kh, kw] and bias b [filters], the same layouts as torch, so weights move without
 * transposes.
 */
import { conv2d as convolve, zeros, type Tensor } from '@chainrule/core';
import { activation, checkActivation, type ActivationName } from '../activations.ts';
import { checkInit, initialize as initWeights, type InitName } from '../init.ts';
import { boolean, onlyKnown, positiveInteger } from './checks.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';
import { expectImage, pairOf, windowOutput, type Pair } from './window.ts';

/** The conv2d layer's config, as model JSON stores it. */
export interface Conv2dConfig {
  /** Output channels. */
  readonly filters: number;
  /** The kernel's [height, width]. */
  readonly kernel: Pair;
  /** Rows and columns between windows. */
  readonly stride: Pair;
  /** 'valid' (none), 'same' (output as large as the input, stride 1 only) or zeros on each side [rows, columns]. */
  readonly padding: 'valid' | 'same' | Pair;
  /** Spacing between a kernel's taps. */
  readonly dilation: Pair;
  /** Channel groups: input channels and filters split into independent convolutions. */
  readonly groups: number;
  /** Applied to the convolution plus bias. */
  readonly activation: ActivationName;
  /** How w is initialised ('auto': He for rectifiers, Xavier otherwise, fan-in C/groups·kh·kw); b starts at zero. */
  readonly init: InitName;
  /** Whether the layer adds a bias per filter. */
  readonly useBias: boolean;
}

/** Options of {@link conv2d}. */
export interface Conv2dOptions extends CommonLayerOptions {
  /** Output channels (required). */
  readonly filters: number;
  /** The kernel's size: a number or [height, width] (required). */
  readonly kernel: number | readonly [number, number];
  /** Rows and columns between windows (default 1). */
  readonly stride?: number | readonly [number, number];
  /** 'valid' (default), 'same' (stride 1 only, as PyTorch) or zeros on each side: a number or [rows, columns]. */
  readonly padding?: 'valid' | 'same' | number | readonly [number, number];
  /** Spacing between a kernel's taps (default 1). */
  readonly dilation?: number | readonly [number, number];
  /** Channel groups (default 1); the input's channels and the filters must both divide by it. */
  readonly groups?: number;
  /** Applied last (default 'linear'). */
  readonly activation?: ActivationName;
  /** How w is initialised (default 'auto'). */
  readonly init?: InitName;
  /** Whether to add a bias per filter (default true). */
  readonly useBias?: boolean;
}

function paddingOf(p: unknown, stride: Pair): Conv2dConfig['padding'] {
  if (p === undefined || p === 'valid') return 'valid';
  if (p === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`padding 'same' needs stride 1, got stride [${stride.join(', ')}] (as PyTorch: give the padding as numbers, or use stride 1)`);
    return 'same';
  }
  try {
    return pairOf('padding', p, 0);
  } catch (e) {
    throw new Error(`${(e as Error).message}, or 'valid' or 'same'`);
  }
}

function outputShape(c: Conv2dConfig, inputShape: readonly number[]): number[] {
  const [channels, h, w] = expectImage('conv2d', inputShape);
  if (channels % c.groups !== 0) throw new Error(`conv2d with groups ${c.groups} needs input channels divisible by ${c.groups}, got ${channels} (input [${inputShape.join(', ')}])`);
  if (c.padding === 'same') return [c.filters, h, w];
  const [outH, outW] = windowOutput('conv2d', inputShape, c.kernel, c.stride, c.padding === 'valid' ? [0, 0] : c.padding, c.dilation);
  return [c.filters, outH, outW];
}

/**
 * A 2-D convolution layer for {@link sequential}: x [batch, C, H, W] → act(conv2d(x, w) + b) [batch,
 * filters, outH, outW], with w [filters, C/groups, kh, kw] and b [filters] (PyTorch's Conv2d layouts).
 *
 * @throws Error naming the layer when filters, kernel, stride, dilation or groups is not a whole number
 *   ≥ 1 (padding ≥ 0), padding is 'same' with a stride, filters do not divide by groups, or an option is
 *   unknown; the model throws when the input is not [C, H, W], its channels do not divide by groups, or
 *   the kernel is larger than the padded input.
 * @example
 * ```ts
 * import { conv2d, dense, flatten, maxPool2d, sequential } from '@chainrule/nn';
 * const model = sequential([
 *   conv2d({ filters: 8, kernel: 5, activation: 'relu' }), maxPool2d({ kernel: 2 }), flatten(), dense(10),
 * ], { inputShape: [1, 28, 28] });
 * ```
 */
export const conv2d = defineLayer<Conv2dConfig, Conv2dOptions>({
  kind: 'conv2d',
  config: (o) => {
    onlyKnown(o, ['filters', 'kernel', 'stride', 'padding', 'dilation', 'groups', 'activation', 'init', 'useBias']);
    if (o.kernel === undefined) throw new Error('give the kernel size, e.g. conv2d({ filters: 8, kernel: 5 }) or kernel: [3, 5]');
    const filters = positiveInteger('filters', o.filters);
    const stride = pairOf('stride', o.stride ?? 1, 1);
    const groups = positiveInteger('groups', o.groups ?? 1);
    if (filters % groups !== 0) throw new Error(`filters (${filters}) must be divisible by groups (${groups})`);
    return {
      filters, kernel: pairOf('kernel', o.kernel, 1), stride, padding: paddingOf(o.padding, stride),
      dilation: pairOf('dilation', o.dilation ?? 1, 1), groups,
      activation: checkActivation(o.activation ?? 'linear'), init: checkInit(o.init ?? 'auto'), useBias: boolean('useBias', o.useBias, true),
    };
  },
  params: (c, inputShape) => {
    outputShape(c, inputShape);
    const shapes: Record<string, number[]> = { w: [c.filters, inputShape[0]! / c.groups, ...c.kernel] };
    if (c.useBias) shapes.b = [c.filters];
    return shapes;
  },
  // Fan-in is what one output reads (C/groups·kh·kw), fan-out what one input feeds (filters·kh·kw), as PyTorch counts them.
  init: ({ config: c, shapes, rng, dtype }) => {
    const [, perGroup, kh, kw] = shapes.w! as [number, number, number, number];
    const out: Record<string, Tensor> = {
      w: initWeights(c.init, c.activation, { shape: shapes.w!, fanIn: perGroup * kh * kw, fanOut: c.filters * kh * kw, rng, dtype }),
    };
    if (shapes.b) out.b = zeros(shapes.b, { dtype });
    return out;
  },
  outputShape,
  activation: (c) => c.activation,
  apply: (p, _state, x, { config: c, logits }) => {
    const z = convolve(x, p.w!, p.b ?? null, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
    return { y: logits ? z : activation(c.activation)(z) };
  },
  describe: (c) => {
    const pair = (p: Pair) => (p[0] === p[1] ? String(p[0]) : p.join('×'));
    const extra = [
      c.stride.some((s) => s !== 1) ? `stride ${pair(c.stride)}` : '',
      c.padding === 'valid' ? '' : `padding ${typeof c.padding === 'string' ? c.padding : pair(c.padding)}`,
      c.dilation.some((d) => d !== 1) ? `dilation ${pair(c.dilation)}` : '',
      c.groups > 1 ? `${c.groups} groups` : '', c.useBias ? '' : 'no bias',
    ].filter(Boolean);
    return [`${c.filters} filters ${c.kernel.join('×')}`, c.activation, ...extra].join(', ');
  },
  // Small images, kernels and channels: the property suite gradchecks every case in float64.
  sample: (fc) => fc.record({
    groups: fc.integer({ min: 1, max: 2 }), perGroup: fc.integer({ min: 1, max: 2 }), filtersPerGroup: fc.integer({ min: 1, max: 2 }),
    kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom('valid', 'same', 0, 1, [1, 0]), dilation: fc.integer({ min: 1, max: 2 }),
    extraH: fc.integer({ min: 0, max: 2 }), extraW: fc.integer({ min: 0, max: 2 }),
    activation: fc.constantFrom('linear', 'tanh', 'sigmoid'), useBias: fc.boolean(),
  }).map((r: Record<string, any>) => {
    const stride = r.padding === 'same' ? 1 : r.stride;
    const pad: Pair = r.padding === 'valid' || r.padding === 'same' ? [0, 0] : pairOf('padding', r.padding, 0);
    const size = (k: number, p: number, extra: number) => Math.max(1, r.dilation * (k - 1) + 1 - 2 * p) + extra;
    return {
      options: {
        filters: r.groups * r.filtersPerGroup, kernel: [r.kh, r.kw], stride, padding: r.padding, dilation: r.dilation,
        groups: r.groups, activation: r.activation, useBias: r.useBias,
      },
      inputShape: [r.groups * r.perGroup, size(r.kh, pad[0], r.extraH), size(r.kw, pad[1], r.extraW)],
    };
  }),
});
