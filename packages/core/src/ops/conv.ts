/**
 * 2-D convolution (PyTorch's F.conv2d: NCHW images, weights [out, in/groups, kh, kw]) as im2col and one
 * matrix product per group, the batch folded into the product's columns. Its two VJPs are ops too, so
 * higher derivatives work: the input gradient is a transposed convolution (col2im of wᵀ·g) and the weight
 * gradient a correlation of x with g. All three are bilinear, so each one's VJP and JVP are the others.
 */
import { allocate, kernels } from '../backend/index.ts';
import type { Window2d } from '../backend/kernels.ts';
import { giveBack, take } from '../backend/pool.ts';
import type { DType, TypedArray } from '../dtype.ts';
import { describeValue } from '../describe-value.ts';
import { fmt, type Shape } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { sampleFrom, type FC } from '../testing/sample.ts';
import { expectTensor } from '../validate.ts';
import { defineOp, type OpDef } from './define.ts';
import { texAttrs } from './formula.ts';
import { add } from './elementwise.ts';
import { reshape } from './shape.ts';
import { opRow, opTable, type SelfMethod } from './table.ts';
import { sumTerms } from './tangents.ts';
import { checkKernelFits, describeWindow, expectImages, pairOption, window2d, type Pad4, type Pair } from './window.ts';

/** How windows are taken: the same for the convolution and its two gradients. */
type ConvGeometry = { stride: Pair; padding: Pad4; dilation: Pair; groups: number };
/** The input gradient also needs the input's [height, width]: a stride can map several sizes to one output. */
type InputGradAttrs = ConvGeometry & { inputSize: Pair };
/** The weight gradient needs the kernel's [height, width]. */
type WeightGradAttrs = ConvGeometry & { kernelSize: Pair };

const geometry = ({ stride, padding, dilation, groups }: ConvGeometry): ConvGeometry => ({ stride, padding, dilation, groups });

/** The sizes of one convolution: images x [n, c, h, w], weights [o, c/groups, kh, kw], output [n, o, outH, outW]. */
interface ConvSizes {
  readonly win: Window2d;
  readonly out: number;
  /** Rows of a group's im2col matrix: (c/groups)·kh·kw. */
  readonly rows: number;
  /** Columns of the im2col matrix: n·outH·outW. */
  readonly cols: number;
}

function sizesOf(where: string, xShape: Shape, wShape: Shape, { stride, padding, dilation, groups }: ConvGeometry): ConvSizes {
  const [, c] = xShape as [number, number];
  const [o, cg, kh, kw] = wShape as [number, number, number, number];
  if (c !== cg * groups || o % groups !== 0) {
    throw new Error(`${where}: x ${fmt(xShape)} has ${c} channels and w ${fmt(wShape)} reads ${cg}${groups > 1 ? ` per group × ${groups} groups` : ''}, with ${o} outputs: expected x's channels = w.shape[1]·groups and w.shape[0] divisible by groups`);
  }
  const win = window2d(xShape, [kh, kw], stride, padding, dilation);
  return { win, out: o, rows: cg * kh * kw, cols: win.batch * win.outH * win.outW };
}

/** A scratch buffer, given back to the pool after use. */
const scratch = (dtype: DType, size: number): TypedArray => take(dtype, size, 'overwritten');

/** out [n, o, p] from t [o, n, p] (and the reverse with the two swapped): the product's layout against NCHW. */
function swapLeading(t: TypedArray, a: number, b: number, p: number, out: TypedArray): void {
  kernels().copyStrided(t, 0, [p, b * p, 1], [b, a, p], out);
}

/** The geometry that is not the default, for a formula: '; stride=2' in text, after the call in TeX (empty when all default). */
const withGeometry = (attrs: ConvGeometry): string => (describeConv(attrs) ? `; ${describeConv(attrs)}` : '');
const texGeometry = (attrs: ConvGeometry): string => (describeConv(attrs) ? String.raw`\;\; ${texAttrs(describeConv(attrs))}` : '');

const convOp: OpDef<ConvGeometry, 'conv2d'> = defineOp({
  name: 'conv2d', arity: 2,
  formula: (attrs: ConvGeometry) => ({
    text: `y = conv2d(x, w${withGeometry(attrs)});  x̄ = conv2dInputGrad(ȳ, w) (the transposed convolution),  w̄ = conv2dWeightGrad(x, ȳ) (x correlated with ȳ)`,
    tex: String.raw`y = \operatorname{conv2d}(x, w)${texGeometry(attrs)} \qquad \bar{x} = \operatorname{conv2dInputGrad}(\bar{y}, w),\; \bar{w} = \operatorname{conv2dWeightGrad}(x, \bar{y})`,
  }),
  forward: ([x, w], attrs: ConvGeometry, alloc) => {
    const { win, out: o, rows, cols: n } = sizesOf('conv2d', x.shape, w.shape, attrs);
    const g = attrs.groups, og = o / g, plane = win.outH * win.outW;
    const cols = scratch(x.dtype, win.channels * win.kernelH * win.kernelW * n);
    kernels().im2col(x.data, win, cols);
    // One product per group: w_g [og, rows] · cols_g [rows, n·plane] = [og, n·plane], so [o, n, plane] in all.
    const out = alloc(x.dtype, win.batch * o * plane);
    const product = win.batch === 1 ? out : scratch(x.dtype, o * n);
    for (let k = 0; k < g; k++) {
      kernels().matmul(w.data.subarray(k * og * rows, (k + 1) * og * rows), cols.subarray(k * rows * n, (k + 1) * rows * n),
        product.subarray(k * og * n, (k + 1) * og * n), og, rows, n, false, false);
    }
    if (product !== out) { swapLeading(product, o, win.batch, plane, out); giveBack(product); }
    giveBack(cols);
    return { shape: [win.batch, o, win.outH, win.outW], data: out };
  },
  // Bilinear: dx is the transposed convolution of g with w, dw the correlation of x with g.
  vjp: ([x, w], _, g, attrs, _saved, [needX, needW]) => [
    needX === false ? null : inputGradOp.run([g, w], { ...geometry(attrs), inputSize: [x.shape[2], x.shape[3]] }),
    needW === false ? null : weightGradOp.run([x, g], { ...geometry(attrs), kernelSize: [w.shape[2], w.shape[3]] }),
  ],
  jvp: ([x, w], _, [dx, dw], attrs) => sumTerms(dx && convOp.run([dx, w], attrs), dw && convOp.run([x, dw], attrs)),
  sample: (fc: FC) => convCase(fc).chain((c) => sampleFrom(fc, fc.constant([c.x, c.w]), [{}], () => fc.constant(c.attrs))),
  describe: describeConv,
});

/** The transposed convolution: dx [n, c, h, w] = col2im(w_gᵀ · g_g) for g [n, o, outH, outW]. */
const inputGradOp: OpDef<InputGradAttrs, 'conv2dInputGrad'> = defineOp({
  name: 'conv2dInputGrad', arity: 2,
  formula: (attrs: InputGradAttrs) => ({
    text: `y = conv2dInputGrad(g, w${withGeometry(attrs)}), the transposed convolution;  ḡ = conv2d(ȳ, w),  w̄ = conv2dWeightGrad(ȳ, g)`,
    tex: String.raw`y = \operatorname{conv2dInputGrad}(g, w)${texGeometry(attrs)} \qquad \bar{g} = \operatorname{conv2d}(\bar{y}, w),\; \bar{w} = \operatorname{conv2dWeightGrad}(\bar{y}, g)`,
  }),
  forward: ([g, w], attrs: InputGradAttrs, alloc) => {
    const xShape = [g.shape[0], w.shape[1] * attrs.groups, ...attrs.inputSize];
    const { win, out: o, rows, cols: n } = sizesOf('conv2dInputGrad', xShape, w.shape, attrs);
    checkOutput('conv2dInputGrad', g.shape, win, o);
    const groups = attrs.groups, og = o / groups, plane = win.outH * win.outW;
    const gT = win.batch === 1 ? g.data : scratch(g.dtype, o * n);
    if (gT !== g.data) swapLeading(g.data, win.batch, o, plane, gT);
    const cols = scratch(g.dtype, win.channels * win.kernelH * win.kernelW * n);
    for (let k = 0; k < groups; k++) {
      kernels().matmul(w.data.subarray(k * og * rows, (k + 1) * og * rows), gT.subarray(k * og * n, (k + 1) * og * n),
        cols.subarray(k * rows * n, (k + 1) * rows * n), rows, og, n, true, false);
    }
    const out = alloc(g.dtype, xShape[0]! * xShape[1]! * xShape[2]! * xShape[3]!);
    kernels().col2im(cols, win, out);
    giveBack(cols);
    if (gT !== g.data) giveBack(gT);
    return { shape: xShape, data: out };
  },
  // Linear in g (its adjoint is the convolution) and in w (the correlation of the cotangent with g).
  vjp: ([g, w], _, u, attrs, _saved, [needG, needW]) => [
    needG === false ? null : convOp.run([u, w], geometry(attrs)),
    needW === false ? null : weightGradOp.run([u, g], { ...geometry(attrs), kernelSize: [w.shape[2], w.shape[3]] }),
  ],
  jvp: ([g, w], _, [dg, dw], attrs) => sumTerms(dg && inputGradOp.run([dg, w], attrs), dw && inputGradOp.run([g, dw], attrs)),
  sample: (fc: FC) => convCase(fc).chain((c) => sampleFrom(fc, fc.constant([c.y, c.w]), [{}], () => fc.constant({ ...c.attrs, inputSize: [c.x[2], c.x[3]] as const }))),
  describe: describeConv,
});

/** The weight gradient: dw_g [o/groups, rows] = g_g · cols_gᵀ, a correlation of x with g. */
const weightGradOp: OpDef<WeightGradAttrs, 'conv2dWeightGrad'> = defineOp({
  name: 'conv2dWeightGrad', arity: 2,
  formula: (attrs: WeightGradAttrs) => ({
    text: `y = conv2dWeightGrad(x, g${withGeometry(attrs)}), x correlated with g;  x̄ = conv2dInputGrad(g, ȳ),  ḡ = conv2d(x, ȳ)`,
    tex: String.raw`y = \operatorname{conv2dWeightGrad}(x, g)${texGeometry(attrs)} \qquad \bar{x} = \operatorname{conv2dInputGrad}(g, \bar{y}),\; \bar{g} = \operatorname{conv2d}(x, \bar{y})`,
  }),
  forward: ([x, g], attrs: WeightGradAttrs, alloc) => {
    const o = g.shape[1]!, wShape = [o, x.shape[1]! / attrs.groups, ...attrs.kernelSize];
    if (!Number.isInteger(wShape[1])) throw new Error(`conv2dWeightGrad: x ${fmt(x.shape)} has channels not divisible by groups = ${attrs.groups}`);
    const { win, rows, cols: n } = sizesOf('conv2dWeightGrad', x.shape, wShape, attrs);
    checkOutput('conv2dWeightGrad', g.shape, win, o);
    const groups = attrs.groups, og = o / groups, plane = win.outH * win.outW;
    const cols = scratch(x.dtype, win.channels * win.kernelH * win.kernelW * n);
    kernels().im2col(x.data, win, cols);
    const gT = win.batch === 1 ? g.data : scratch(g.dtype, o * n);
    if (gT !== g.data) swapLeading(g.data, win.batch, o, plane, gT);
    const out = alloc(x.dtype, o * rows);
    for (let k = 0; k < groups; k++) {
      kernels().matmul(gT.subarray(k * og * n, (k + 1) * og * n), cols.subarray(k * rows * n, (k + 1) * rows * n),
        out.subarray(k * og * rows, (k + 1) * og * rows), og, n, rows, false, true);
    }
    giveBack(cols);
    if (gT !== g.data) giveBack(gT);
    return { shape: wShape, data: out };
  },
  // Linear in x (its adjoint is the transposed convolution of g with the cotangent) and in g (the convolution).
  vjp: ([x, g], _, v, attrs, _saved, [needX, needG]) => [
    needX === false ? null : inputGradOp.run([g, v], { ...geometry(attrs), inputSize: [x.shape[2], x.shape[3]] }),
    needG === false ? null : convOp.run([x, v], geometry(attrs)),
  ],
  jvp: ([x, g], _, [dx, dg], attrs) => sumTerms(dx && weightGradOp.run([dx, g], attrs), dg && weightGradOp.run([x, dg], attrs)),
  sample: (fc: FC) => convCase(fc).chain((c) => sampleFrom(fc, fc.constant([c.x, c.y]), [{}], () => fc.constant({ ...c.attrs, kernelSize: [c.w[2], c.w[3]] as const }))),
  describe: describeConv,
});

/** The gradient ops' g must be the convolution's output shape. */
function checkOutput(where: string, gShape: Shape, win: Window2d, o: number): void {
  const expected = [win.batch, o, win.outH, win.outW];
  if (gShape.length !== 4 || gShape.some((d, i) => d !== expected[i])) {
    throw new Error(`${where}: g is ${fmt(gShape)}, expected the convolution's output shape ${fmt(expected)}`);
  }
}

function describeConv({ stride, padding, dilation, groups }: ConvGeometry): string {
  const [top, bottom, left, right] = padding;
  const sides = top === bottom && left === right ? [top, left] : padding; // [rows, columns] when symmetric
  return describeWindow({ stride, padding: sides, dilation, groups }, { stride: 1, padding: 0, dilation: 1, groups: 1 });
}

/**
 * A small random convolution for the property suite: batch 1–2, 1–2 groups of 1–2 channels in and out,
 * kernels 1–3 (dilated 1–2), strides 1–2, padding 0–2 or 'same' (stride 1), images just big enough plus 0–1.
 */
function convCase(fc: FC) {
  const int = (min: number, max: number) => fc.integer({ min, max });
  return fc.record({
    n: int(1, 2), groups: int(1, 2), cg: int(1, 2), og: int(1, 2), kh: int(1, 3), kw: int(1, 3),
    sh: int(1, 2), sw: int(1, 2), dh: int(1, 2), dw: int(1, 2), ph: int(0, 2), pw: int(0, 2), same: fc.boolean(), eh: int(0, 1), ew: int(0, 1),
  }).map((r) => {
    const same = r.same && r.sh === 1 && r.sw === 1;
    const padding = same ? samePadding([r.kh, r.kw], [r.dh, r.dw]) : [r.ph, r.ph, r.pw, r.pw] as const;
    const h = Math.max(1, r.dh * (r.kh - 1) + 1 - padding[0] - padding[1]) + r.eh;
    const w = Math.max(1, r.dw * (r.kw - 1) + 1 - padding[2] - padding[3]) + r.ew;
    const attrs: ConvGeometry = { stride: [r.sh, r.sw], padding, dilation: [r.dh, r.dw], groups: r.groups };
    const x = [r.n, r.cg * r.groups, h, w], wShape = [r.og * r.groups, r.cg, r.kh, r.kw];
    const win = window2d(x, [r.kh, r.kw], attrs.stride, padding, attrs.dilation);
    return { x, w: wShape, y: [r.n, r.og * r.groups, win.outH, win.outW], attrs };
  });
}

/** PyTorch's 'same' padding: dilation·(kernel − 1) in all, the odd one at the bottom and right. */
function samePadding(kernel: Pair, dilation: Pair): Pad4 {
  const [th, tw] = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
  return [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
}

// ---- public function

/** conv2d's options, as PyTorch's F.conv2d takes them. */
export interface Conv2dOptions {
  /** Rows and columns between windows: a number or [rows, columns] (default 1). */
  readonly stride?: number | readonly [number, number];
  /**
   * Zeros around the image: a number or [rows, columns] on each side, `'valid'` (none, the default) or
   * `'same'` (the output keeps the input's height and width; only with stride 1, as in PyTorch; an even
   * kernel gets the extra row and column at the bottom and right).
   */
  readonly padding?: number | readonly [number, number] | 'valid' | 'same';
  /** Spacing between a kernel's taps: a number or [rows, columns] (default 1). */
  readonly dilation?: number | readonly [number, number];
  /** Channel groups (default 1): x's and w's channels split into `groups` independent convolutions. */
  readonly groups?: number;
}

function convPadding(padding: Conv2dOptions['padding'], stride: Pair, kernel: Pair, dilation: Pair): Pad4 {
  if (padding === undefined || padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new Error(`conv2d: padding 'same' needs stride 1, got stride [${stride.join(', ')}] (as PyTorch: give the padding as numbers, or use stride 1)`);
    }
    return samePadding(kernel, dilation);
  }
  const [ph, pw] = pairOption('conv2d', 'padding', padding, 0, "or 'valid' or 'same'");
  return [ph, ph, pw, pw];
}

/**
 * 2-D convolution of images x [batch, inChannels, height, width] with weights w [outChannels,
 * inChannels/groups, kh, kw], plus an optional bias [outChannels]: PyTorch's `F.conv2d(x, w, bias, stride,
 * padding, dilation, groups)` with the same layouts (weights move between the two without transposes).
 * Like PyTorch (and every deep-learning library) it is a cross-correlation: the kernel is not flipped.
 *
 * Returns [batch, outChannels, outH, outW] in x's dtype, where outH = ⌊(height + padding − dilation·(kh−1)
 * − 1) / stride⌋ + 1 (padding counted on both sides; columns alike). The gradient of x is a transposed
 * convolution and that of w a correlation of x with the output's gradient, both ops, so higher
 * derivatives work.
 * @param bias - a Tensor [outChannels] added to each output channel, or null; may be left out.
 * @param options - `stride`, `padding` (a number, a pair, `'valid'` or `'same'`), `dilation`, `groups` (see {@link Conv2dOptions}).
 * @throws Error naming conv2d, the shapes and the fix when x is not [batch, channels, height, width], w
 * not of rank 4, the channels do not match (x's channels = w.shape[1]·groups), outChannels is not
 * divisible by groups, the bias is not [outChannels], the kernel is larger than the padded input, padding
 * is 'same' with a stride, or a stride, dilation or groups is not a whole number ≥ 1 (padding ≥ 0).
 * @example
 * ```ts
 * import { conv2d, tensor } from '@chainrule/core';
 * const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);   // one 3×3 image, one channel
 * const w = tensor([[[[1, 0], [0, -1]]]]);                   // one 2×2 filter
 * conv2d(x, w).toArray();                                    // [[[[-4, -4], [-4, -4]]]]
 * conv2d(x, w, tensor([10]), { padding: 'same' }).shape;     // [1, 1, 3, 3]
 * conv2d(x, w, { stride: 2, padding: 1 }).shape;             // [1, 1, 2, 2]
 * ```
 */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null | Conv2dOptions, options: Conv2dOptions = {}): Tensor {
  expectTensor('conv2d', 'x', x);
  expectTensor('conv2d', 'w', w);
  if (bias !== undefined && bias !== null && !(bias instanceof Tensor)) {
    if (typeof bias !== 'object' || Array.isArray(bias) || ArrayBuffer.isView(bias)) expectTensor('conv2d', 'bias', bias);
    return conv2d(x, w, null, bias as Conv2dOptions);
  }
  if (options === null || typeof options !== 'object') throw new Error(`conv2d: options must be an object { stride, padding, dilation, groups }, got ${describeValue(options)}`);
  expectImages('conv2d', 'x', x);
  if (w.rank !== 4) throw new Error(`conv2d: w must have rank 4, [outChannels, inChannels/groups, kh, kw], got ${fmt(w.shape)} (for a single filter, reshape it to [1, ${w.shape.join(', ')}])`);
  const stride = pairOption('conv2d', 'stride', options.stride ?? 1, 1, 'e.g. stride: 2 or [2, 1]');
  const dilation = pairOption('conv2d', 'dilation', options.dilation ?? 1, 1, 'e.g. dilation: 2');
  const groups = options.groups ?? 1;
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups must be a whole number ≥ 1, got ${describeValue(groups)}`);
  const [o, cg, kh, kw] = w.shape as [number, number, number, number];
  if (x.shape[1] !== cg * groups || o % groups !== 0) {
    const fix = groups === 1 ? `w must be [${o}, ${x.shape[1]}, ${kh}, ${kw}] for x's ${x.shape[1]} channels` : `with groups = ${groups}, w.shape[1] must be x's channels / groups = ${x.shape[1]! / groups} and w.shape[0] divisible by ${groups}`;
    throw new Error(`conv2d: x ${fmt(x.shape)} has ${x.shape[1]} channels but w ${fmt(w.shape)} expects ${cg * groups}${groups > 1 ? ` (${cg} per group × ${groups} groups)` : ''}${o % groups ? `, and its ${o} outputs do not split into ${groups} groups` : ''}: ${fix}`);
  }
  const padding = convPadding(options.padding, stride, [kh, kw], dilation);
  checkKernelFits('conv2d', x.shape, [kh, kw], padding, dilation);
  const y = convOp.run([x, w], { stride, padding, dilation, groups });
  if (bias === undefined || bias === null) return y;
  if (bias.rank !== 1 || bias.shape[0] !== o) throw new Error(`conv2d: bias must be [${o}], one per output channel of w ${fmt(w.shape)}, got ${fmt(bias.shape)}`);
  return add(y, reshape(bias, [1, o, 1, 1]));
}

/**
 * The convolution family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`, if any) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const convOps = opTable({
  /** The `conv2d` op and {@link conv2d}. */
  conv2d: opRow(convOp, conv2d),
  /** The `conv2dInputGrad` op, conv2d's input gradient (a transposed convolution). No public function. */
  conv2dInputGrad: opRow(inputGradOp, undefined, 'none'),
  /** The `conv2dWeightGrad` op, conv2d's weight gradient (a correlation of x with g). No public function. */
  conv2dWeightGrad: opRow(weightGradOp, undefined, 'none'),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link conv2d} as a method: `x.conv2d(w, bias, { stride: 2 })`. */
    conv2d: SelfMethod<typeof conv2d>;
  }
}
