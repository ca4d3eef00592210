/**
 * 2-D pooling over NCHW images, as PyTorch's F.max_pool2d and F.avg_pool2d (floor mode; average counts
 * padding, `count_include_pad=True`), and global average pooling. Max pooling saves where each maximum
 * was: its VJP scatters g there (scatterAdd) and its JVP gathers the tangent there, both linear given the
 * positions. Average pooling's VJP spreads g over the windows, an op whose VJP is average pooling again.
 */
import { kernels } from '../backend/index.ts';
import type { Window2d } from '../backend/kernels.ts';
import { describeValue } from '../describe-value.ts';
import { fmt, type Shape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { sampleFrom, type FC } from '../testing/sample.ts';
import { expectTensor } from '../validate.ts';
import { defineOp, type OpDef } from './define.ts';
import { texAttrs } from './formula.ts';
import { indexingOps } from './indexing.ts';
import { mean } from './reduce.ts';
import { reshape } from './shape.ts';
import { compositeRow, compositeTable, opRow, opTable, type SelfMethod } from './table.ts';
import { checkKernelFits, describeWindow, expectImages, pairOption, window2d, type Pair } from './window.ts';

/** A pooling window: its size, the step between windows, and the padding on each side. */
type PoolAttrs = { kernel: Pair; stride: Pair; padding: Pair };
/** Average pooling's adjoint also needs the input's [height, width]: a stride can map several sizes to one output. */
type SpreadAttrs = PoolAttrs & { inputSize: Pair };

const windowOf = (shape: Shape, { kernel, stride, padding }: PoolAttrs): Window2d =>
  window2d(shape, kernel, stride, [padding[0], padding[0], padding[1], padding[1]], [1, 1]);

const pooledShape = (w: Window2d): number[] => [w.batch, w.channels, w.outH, w.outW];

/** Max pooling's positions as gather and scatterAdd index them: x viewed as [batch·channels, height·width]. */
function positions(xShape: Shape, outShape: Shape, argmax: Int32Array) {
  const planes = xShape[0]! * xShape[1]!;
  return { axis: 1, indices: argmax, indicesShape: [planes, outShape[2]! * outShape[3]!], shape: [planes, xShape[2]! * xShape[3]!] };
}

/** The number of values in a window (average pooling divides by it, padding included). */
const windowArea = ({ kernel }: PoolAttrs): number => kernel[0] * kernel[1];

const maxPoolOp: OpDef<PoolAttrs, 'maxPool2d'> = defineOp({
  name: 'maxPool2d', arity: 1,
  formula: (attrs: PoolAttrs) => ({
    text: `y = maxPool2d(x; ${describePool(attrs)});  x̄ = each ȳ added at its window's maximum (the first of ties), 0 elsewhere`,
    tex: String.raw`y = \operatorname{maxPool2d}(x)\;\; ${texAttrs(describePool(attrs))} \qquad \bar{x} = \text{each } \bar{y} \text{ added at its window's maximum, 0 elsewhere}`,
  }),
  forward: ([x], attrs: PoolAttrs, alloc) => {
    const win = windowOf(x.shape, attrs);
    const shape = pooledShape(win);
    const out = alloc(x.dtype, shape.reduce((a, b) => a * b, 1));
    const argmax = new Int32Array(out.length);
    kernels().maxPool2d(x.data, win, out, argmax);
    return { shape, data: out, saved: argmax };
  },
  // g goes to each window's maximum (ties: the first, as PyTorch); the gradient of that is a gather.
  vjp: ([x], out, g, _attrs, argmax: Int32Array) => {
    const at = positions(x.shape, out.shape, argmax);
    return [reshape(indexingOps.scatterAdd.op.run([reshape(g, at.indicesShape)], at), x.shape)];
  },
  // Linear in x once the maxima are known: the tangent read at them.
  jvp: ([x], out, [dx], _attrs, argmax: Int32Array) => {
    if (!dx) return null;
    const at = positions(x.shape, out.shape, argmax);
    return reshape(indexingOps.gather.op.run([reshape(dx, at.shape)], at), out.shape);
  },
  // Distinct values: a tie is a kink.
  sample: (fc: FC) => poolCase(fc).chain((c) => sampleFrom(fc, fc.constant([c.x]), [{ distinct: true }], () => fc.constant(c.attrs))),
  describe: describePool,
});

const avgPoolOp: OpDef<PoolAttrs, 'avgPool2d'> = defineOp({
  name: 'avgPool2d', arity: 1,
  formula: (attrs: PoolAttrs) => ({
    text: `y = avgPool2d(x; ${describePool(attrs)});  x̄ = avgPool2dBackward(ȳ): each ȳ / ${windowArea(attrs)} spread over its window`,
    tex: String.raw`y = \operatorname{avgPool2d}(x)\;\; ${texAttrs(describePool(attrs))} \qquad \bar{x} = \operatorname{avgPool2dBackward}(\bar{y}):\ \text{each } \bar{y} / ${windowArea(attrs)} \text{ spread over its window}`,
  }),
  forward: ([x], attrs: PoolAttrs, alloc) => {
    const win = windowOf(x.shape, attrs);
    const shape = pooledShape(win);
    const out = alloc(x.dtype, shape.reduce((a, b) => a * b, 1));
    kernels().avgPool2d(x.data, win, out);
    return { shape, data: out };
  },
  vjp: ([x], _, g, attrs) => [avgPoolSpreadOp.run([g], { ...attrs, inputSize: [x.shape[2], x.shape[3]] })],
  jvp: (_, __, [dx], attrs) => dx && avgPoolOp.run([dx], attrs),
  sample: (fc: FC) => poolCase(fc).chain((c) => sampleFrom(fc, fc.constant([c.x]), [{}], () => fc.constant(c.attrs))),
  describe: describePool,
});

/** avgPool2d's adjoint: each of g's values spread over its window, over kernel height·width. */
const avgPoolSpreadOp: OpDef<SpreadAttrs, 'avgPool2dBackward'> = defineOp({
  name: 'avgPool2dBackward', arity: 1,
  formula: (attrs: SpreadAttrs) => ({
    text: `y = each g / ${windowArea(attrs)} spread over its window (${describePool(attrs)});  ḡ = avgPool2d(ȳ)`,
    tex: String.raw`y = \text{each } g / ${windowArea(attrs)} \text{ spread over its window}\;\; ${texAttrs(describePool(attrs))} \qquad \bar{g} = \operatorname{avgPool2d}(\bar{y})`,
  }),
  forward: ([g], attrs: SpreadAttrs, alloc) => {
    const xShape = [g.shape[0]!, g.shape[1]!, ...attrs.inputSize];
    const win = windowOf(xShape, attrs);
    const expected = pooledShape(win);
    if (g.rank !== 4 || g.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`avgPool2dBackward: g is ${fmt(g.shape)}, expected the pooled shape ${fmt(expected)} of an input ${fmt(xShape)}`);
    }
    const out = alloc(g.dtype, xShape.reduce((a, b) => a * b, 1));
    kernels().avgPool2dBackward(g.data, win, out);
    return { shape: xShape, data: out };
  },
  vjp: (_, __, u, { kernel, stride, padding }) => [avgPoolOp.run([u], { kernel, stride, padding })],
  jvp: (_, __, [dg], attrs) => dg && avgPoolSpreadOp.run([dg], attrs),
  sample: (fc: FC) => poolCase(fc).chain((c) =>
    sampleFrom(fc, fc.constant([c.y]), [{}], () => fc.constant({ ...c.attrs, inputSize: [c.x[2], c.x[3]] as const }))),
  describe: describePool,
});

function describePool({ kernel, stride, padding }: PoolAttrs): string {
  const strideText = stride[0] === kernel[0] && stride[1] === kernel[1] ? '' : describeWindow({ stride }, {});
  return [describeWindow({ kernel }, {}), strideText, describeWindow({ padding }, { padding: 0 })].filter(Boolean).join(' ');
}

/** A small random pooling: batch 1–2, channels 1–2, kernels 1–3, strides 1–3, padding up to half the kernel, images just big enough plus 0–2. */
function poolCase(fc: FC) {
  const int = (min: number, max: number) => fc.integer({ min, max });
  return fc.record({ n: int(1, 2), c: int(1, 2), kh: int(1, 3), kw: int(1, 3), sh: int(1, 3), sw: int(1, 3), ph: int(0, 1), pw: int(0, 1), eh: int(0, 2), ew: int(0, 2) })
    .map((r) => {
      const padding: Pair = [Math.min(r.ph, r.kh >> 1), Math.min(r.pw, r.kw >> 1)];
      const x = [r.n, r.c, Math.max(1, r.kh - 2 * padding[0]) + r.eh, Math.max(1, r.kw - 2 * padding[1]) + r.ew];
      const attrs: PoolAttrs = { kernel: [r.kh, r.kw], stride: [r.sh, r.sw], padding };
      return { x, y: pooledShape(windowOf(x, attrs)), attrs };
    });
}

// ---- public functions

/** The window of maxPool2d and avgPool2d, as PyTorch's F.max_pool2d and F.avg_pool2d take it. */
export interface Pool2dOptions {
  /** The window's size: a number or [rows, columns]. */
  readonly kernel: number | readonly [number, number];
  /** Rows and columns between windows: a number or [rows, columns] (default: the kernel, windows that do not overlap). */
  readonly stride?: number | readonly [number, number];
  /** Padding on each side: a number or [rows, columns], at most half the kernel (default 0). */
  readonly padding?: number | readonly [number, number];
}

function poolAttrs(where: string, x: Tensor, options: Pool2dOptions | number): PoolAttrs {
  expectTensor(where, 'x', x);
  const given = typeof options === 'number' ? { kernel: options } : options;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new Error(`${where}: options must be { kernel, stride, padding } or a kernel size, got ${describeValue(options)}`);
  }
  expectImages(where, 'x', x);
  const kernel = pairOption(where, 'kernel', given.kernel, 1, 'e.g. kernel: 2 or [2, 3]');
  const stride = pairOption(where, 'stride', given.stride ?? kernel, 1, 'e.g. stride: 2; it defaults to the kernel');
  const padding = pairOption(where, 'padding', given.padding ?? 0, 0, 'e.g. padding: 1');
  if (padding[0] > kernel[0] >> 1 || padding[1] > kernel[1] >> 1) {
    throw new Error(`${where}: padding [${padding.join(', ')}] is more than half the ${kernel[0]}×${kernel[1]} kernel (as PyTorch: use padding ≤ [${kernel[0] >> 1}, ${kernel[1] >> 1}] or a larger kernel)`);
  }
  checkKernelFits(where, x.shape, kernel, [padding[0], padding[0], padding[1], padding[1]], [1, 1]);
  return { kernel, stride, padding };
}

/**
 * Max pooling of images x [batch, channels, height, width]: the largest value of each window (PyTorch's
 * F.max_pool2d, floor mode; padding never wins). Returns [batch, channels, outH, outW] in x's dtype, where
 * outH = ⌊(height + 2·padding − kernel) / stride⌋ + 1 (columns alike). The gradient goes to each window's
 * maximum (the first of equal ones); where windows overlap, a value that is the maximum of several gets the sum.
 * @param options - `kernel`, `stride` (default: the kernel) and `padding` (default 0), each a number or
 * [rows, columns] (see {@link Pool2dOptions}); or the kernel size alone.
 * @throws Error naming maxPool2d, the shapes and the fix when x is not [batch, channels, height, width],
 * the kernel is larger than the padded input, padding is more than half the kernel, or a size is not a
 * whole number (kernel and stride ≥ 1, padding ≥ 0).
 * @example
 * ```ts
 * import { maxPool2d, tensor } from '@chainrule/core';
 * const x = tensor([[[[1, 2, 5, 6], [3, 4, 7, 8]]]]);   // [1, 1, 2, 4]
 * maxPool2d(x, { kernel: 2 }).toArray();               // [[[[4, 8]]]]
 * maxPool2d(x, 2).shape;                               // [1, 1, 1, 2]
 * ```
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions | number): Tensor {
  return maxPoolOp.run([x], poolAttrs('maxPool2d', x, options));
}

/**
 * Average pooling of images x [batch, channels, height, width]: each window's mean, padding counted as
 * zeros (PyTorch's F.avg_pool2d with its defaults: floor mode, `count_include_pad=True`). Returns [batch,
 * channels, outH, outW] in x's dtype, outH = ⌊(height + 2·padding − kernel) / stride⌋ + 1 (columns alike).
 * @param options - `kernel`, `stride` (default: the kernel) and `padding` (default 0), each a number or
 * [rows, columns] (see {@link Pool2dOptions}); or the kernel size alone.
 * @throws Error naming avgPool2d, the shapes and the fix, as {@link maxPool2d}.
 * @example
 * ```ts
 * import { avgPool2d, tensor } from '@chainrule/core';
 * const x = tensor([[[[1, 2, 5, 6], [3, 4, 7, 8]]]]);   // [1, 1, 2, 4]
 * avgPool2d(x, { kernel: 2 }).toArray();               // [[[[2.5, 6.5]]]]
 * ```
 */
export function avgPool2d(x: Tensor, options: Pool2dOptions | number): Tensor {
  return avgPoolOp.run([x], poolAttrs('avgPool2d', x, options));
}

/**
 * Global average pooling: the mean of each channel of images x [batch, channels, height, width], giving
 * [batch, channels] (a CNN's last feature maps before its classifier). Not an op of its own: a graph
 * shows sum and div.
 * @throws Error when x is not a Tensor of rank 4, naming the shape.
 * @example
 * ```ts
 * import { globalAvgPool2d, tensor } from '@chainrule/core';
 * globalAvgPool2d(tensor([[[[1, 2], [3, 4]], [[0, 0], [0, 8]]]])).toArray();   // [[2.5, 2]]
 * ```
 */
export function globalAvgPool2d(x: Tensor): Tensor {
  expectTensor('globalAvgPool2d', 'x', x);
  expectImages('globalAvgPool2d', 'x', x);
  return mean(x, [2, 3]);
}

/**
 * The pooling family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`, if any) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const poolOps = opTable({
  /** The `maxPool2d` op and {@link maxPool2d}. */
  maxPool2d: opRow(maxPoolOp, maxPool2d),
  /** The `avgPool2d` op and {@link avgPool2d}. */
  avgPool2d: opRow(avgPoolOp, avgPool2d),
  /** The `avgPool2dBackward` op, avgPool2d's adjoint (its VJP): g spread over the windows. No public function. */
  avgPool2dBackward: opRow(avgPoolSpreadOp, undefined, 'none'),
});

/** The pooling functions that are not ops; core exports them and makes them Tensor methods. */
export const poolComposites = compositeTable({
  /** {@link globalAvgPool2d}, a mean over height and width. */
  globalAvgPool2d: compositeRow(globalAvgPool2d),
});

// The methods these tables give (x.f(...) for f(x, ...)), checked against them in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link maxPool2d} as a method: `x.maxPool2d({ kernel: 2 })`. */
    maxPool2d: SelfMethod<typeof maxPool2d>;
    /** {@link avgPool2d} as a method: `x.avgPool2d({ kernel: 2 })`. */
    avgPool2d: SelfMethod<typeof avgPool2d>;
    /** {@link globalAvgPool2d} as a method: `x.globalAvgPool2d()`, [batch, channels, h, w] → [batch, channels]. */
    globalAvgPool2d: SelfMethod<typeof globalAvgPool2d>;
  }
}
