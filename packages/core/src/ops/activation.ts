/** Activations: sigmoid, relu, leakyRelu, softplus, gelu, and the numerically stable softmax pair. */
import { allocate } from '../backend/index.ts';
import { kernels } from '../backend/index.ts';
import { normalizeAxis } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { axisArb, sampleUnary } from '../testing/sample.ts';
import { greater, heaviside } from './compare.ts';
import type { FC } from '../testing/sample.ts';
import { defineOp } from './define.ts';
import { texNumber } from './formula.ts';
import { add, exp, mul, sub, tanh, where } from './elementwise.ts';
import { sum } from './reduce.ts';
import { unaryKernel } from './util.ts';
import { scaled } from './tangents.ts';
import { compositeRow, compositeTable, opRow, opTable, type SelfMethod } from './table.ts';
import { expectTensor } from '../validate.ts';
import { isRecording } from '../autodiff/state.ts';
import { fuse } from '../fuse.ts';

const sigmoidOp = defineOp({
  name: 'sigmoid', arity: 1,
  formula: { text: 'y = σ(x) = 1 / (1 + e^(−x));  x̄ = ȳ · y · (1 − y)', tex: String.raw`y = \sigma(x) = \frac{1}{1 + e^{-x}} \qquad \bar{x} = \bar{y} \odot y \odot (1 - y)` },
  forward: ([x]) => unaryKernel('sigmoid', x),
  vjp: (_, out, g) => [mul(g, mul(out, sub(1, out)))],
  // d σ(x) = σ(x)·(1 − σ(x))·dx
  jvp: (_, out, [dx]) => scaled(dx, () => mul(out, sub(1, out))),
  sample: sampleUnary(),
});

/** relu's VJP as one fused kernel: ȳ · sign(y), and y = relu(x) ≥ 0, so sign(y) = 𝟙[x > 0] (mul(g, heaviside(x))'s bits). */
const reluBackward = fuse({ arrays: ['g', 'y'] }, ({ g, y }) => ({ dx: g.mul(y.sign()) }));

const reluOp = defineOp({
  name: 'relu', arity: 1,
  formula: { text: 'y = max(x, 0);  x̄ = ȳ · 𝟙[x > 0]', tex: String.raw`y = \max(x, 0) \qquad \bar{x} = \bar{y} \odot \mathbb{1}[x > 0]` },
  forward: ([x]) => unaryKernel('relu', x),
  // Recording (createGraph): with ops, so it can be differentiated again; else one kernel, not two.
  vjp: ([x], y, g) => [isRecording() ? mul(g, heaviside(x)) : reluBackward.run({ g, y }, {}).dx!],
  // d relu(x) = dx where x > 0, else 0
  jvp: ([x], _, [dx]) => dx && where(greater(x, 0), dx, 0),
  sample: sampleUnary({ avoid: [0] }),
});

const leakyReluOp = defineOp({
  name: 'leakyRelu', arity: 1,
  formula: ({ alpha }: { alpha: number }) => ({
    text: `y = x where x > 0, else ${alpha}·x;  x̄ = ȳ where x > 0, else ${alpha}·ȳ`,
    tex: String.raw`y = \operatorname{where}(x > 0,\ x,\ ${texNumber(alpha)}\,x) \qquad \bar{x} = \operatorname{where}(x > 0,\ \bar{y},\ ${texNumber(alpha)}\,\bar{y})`,
  }),
  forward: ([x], { alpha }: { alpha: number }) => {
    if (typeof alpha !== 'number') throw new Error(`leakyRelu: alpha must be a number, got ${JSON.stringify(alpha) ?? String(alpha)}`);
    return unaryKernel('leakyRelu', x, alpha);
  },
  vjp: ([x], _, g, { alpha }) => [mul(g, where(greater(x, 0), 1, alpha))],
  // d leakyRelu(x) = dx where x > 0, else alpha·dx
  jvp: ([x], _, [dx], { alpha }) => dx && where(greater(x, 0), dx, mul(dx, alpha)),
  sample: sampleUnary({ avoid: [0] }, (_, fc) => fc.record({ alpha: fc.constantFrom(0.01, 0.2) })),
  describe: ({ alpha }) => `alpha=${alpha}`,
});

const softplusOp = defineOp({
  name: 'softplus', arity: 1,
  formula: { text: 'y = log(1 + eˣ);  x̄ = ȳ · σ(x)', tex: String.raw`y = \log(1 + e^{x}) \qquad \bar{x} = \bar{y} \odot \sigma(x)` },
  forward: ([x]) => unaryKernel('softplus', x),
  vjp: ([x], _, g) => [mul(g, sigmoid(x))],
  // d log(1 + eˣ) = eˣ/(1 + eˣ)·dx = σ(x)·dx
  jvp: ([x], _, [dx]) => scaled(dx, () => sigmoid(x)),
  sample: sampleUnary({ min: -6, max: 6 }),
});

type AxisAttrs = { axis: number };
/** Any shape of rank ≥ 1, and one of its axes (possibly negative; never "all"). */
const softmaxSample = (fc: FC) => {
  const oneAxis = ([shape]: number[][]) => axisArb(fc, shape.length, false).map((axis) => ({ axis: axis as number }));
  return sampleUnary<AxisAttrs>({}, oneAxis, { minRank: 1 })(fc);
};

/** Views x as [outer, len, inner] around `axis`, the layout the softmax kernels take. */
function around(x: Tensor, axis: number): [number, number, number] {
  const a = normalizeAxis('softmax', axis, x.rank);
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  return [outer, x.shape[a], inner];
}

const softmaxOp = defineOp({
  name: 'softmax', arity: 1,
  formula: ({ axis }: AxisAttrs) => ({
    text: `y = softmax(x) along axis ${axis};  x̄ = y · (ȳ − sum(ȳ · y, axis ${axis}))`,
    tex: String.raw`y = \frac{e^{x}}{\sum_{\text{axis } ${axis}} e^{x}} \qquad \bar{x} = y \odot \Big(\bar{y} - \sum_{\text{axis } ${axis}} \bar{y} \odot y\Big)`,
  }),
  forward: ([x], { axis }: AxisAttrs) => {
    const out = allocate(x.dtype, x.size);
    kernels().softmax(x.data, ...around(x, axis), out, false);
    return { shape: x.shape, data: out };
  },
  // dx = y ⊙ (g − Σ g⊙y)
  vjp: (_, out, g, { axis }) => [mul(out, sub(g, sum(mul(g, out), axis, true)))],
  // d yᵢ = yᵢ·(dxᵢ − Σⱼ yⱼ·dxⱼ): the tangent minus its y-weighted mean, scaled by y
  jvp: (_, y, [dx], { axis }) => dx && mul(y, sub(dx, sum(mul(y, dx), axis, true))),
  sample: softmaxSample,
  describe: ({ axis }) => `axis=${axis}`,
});

const logSoftmaxOp = defineOp({
  name: 'logSoftmax', arity: 1,
  formula: ({ axis }: AxisAttrs) => ({
    text: `y = x − log sum(eˣ, axis ${axis});  x̄ = ȳ − eʸ · sum(ȳ, axis ${axis})  (eʸ = softmax(x))`,
    tex: String.raw`y = x - \log \sum_{\text{axis } ${axis}} e^{x} \qquad \bar{x} = \bar{y} - e^{y} \odot \sum_{\text{axis } ${axis}} \bar{y}`,
  }),
  forward: ([x], { axis }: AxisAttrs) => {
    const out = allocate(x.dtype, x.size);
    kernels().softmax(x.data, ...around(x, axis), out, true);
    return { shape: x.shape, data: out };
  },
  // dx = g − softmax(x) · Σ g
  vjp: (_, out, g, { axis }) => [sub(g, mul(exp(out), sum(g, axis, true)))],
  // d(xᵢ − logsumexp x) = dxᵢ − Σⱼ softmax(x)ⱼ·dxⱼ
  jvp: (_, out, [dx], { axis }) => dx && sub(dx, sum(mul(exp(out), dx), axis, true)),
  sample: softmaxSample,
  describe: ({ axis }) => `axis=${axis}`,
});

/**
 * The logistic sigmoid 1 / (1 + e^(−x)) elementwise, in (0, 1).
 *
 * x: any shape; returns x's shape and dtype. Its gradient is written from the output, σ(x)·(1 − σ(x)).
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { sigmoid, tensor } from '@chainrule/core';
 * sigmoid(tensor([0])).toArray(); // [0.5]
 * ```
 */
export const sigmoid = (x: Tensor): Tensor => sigmoidOp.run([x], {});

/**
 * max(x, 0) elementwise.
 *
 * x: any shape; returns x's shape and dtype. The gradient is 1 where x > 0 and 0 elsewhere (0 at x = 0, as in PyTorch).
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { relu, tensor } from '@chainrule/core';
 * relu(tensor([-2, 0, 3])).toArray(); // [0, 0, 3]
 * ```
 */
export const relu = (x: Tensor): Tensor => reluOp.run([x], {});

/**
 * x where x > 0, else alpha·x, elementwise.
 *
 * x: any shape; returns x's shape and dtype.
 * @param alpha - the slope for x ≤ 0 (default 0.01).
 * @throws Error when x is not a Tensor or alpha is not a number.
 * @example
 * ```ts
 * import { leakyRelu, tensor } from '@chainrule/core';
 * leakyRelu(tensor([-2, 3]), 0.5).toArray(); // [-1, 3]
 * ```
 */
export const leakyRelu = (x: Tensor, alpha = 0.01): Tensor => leakyReluOp.run([x], { alpha });

/**
 * log(1 + e^x) elementwise: a smooth relu, computed without overflow for large x.
 *
 * x: any shape; returns x's shape and dtype. Its gradient is sigmoid(x).
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { softplus, tensor } from '@chainrule/core';
 * softplus(tensor([0, 100])).toArray(); // [0.693…, 100]
 * ```
 */
export const softplus = (x: Tensor): Tensor => softplusOp.run([x], {});

/**
 * e^x / Σ e^x along one axis, computed stably (the maximum is subtracted first): each slice along
 * `axis` becomes positive values summing to 1.
 *
 * x: rank ≥ 1; returns x's shape and dtype.
 * @param axis - the axis normalised over, negative counting from the end (default −1, the last).
 * @throws Error when x is not a Tensor, or when axis is not a whole number in range for x's rank.
 * @example
 * ```ts
 * import { softmax, tensor } from '@chainrule/core';
 * softmax(tensor([[1, 1], [0, Math.log(3)]])).toArray(); // [[0.5, 0.5], [0.25, 0.75]]
 * ```
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  expectTensor('softmax', 'x', x);
  return softmaxOp.run([x], { axis: normalizeAxis('softmax', axis, x.rank) });
}

/**
 * log(softmax(x)) along one axis, computed directly (x − logsumexp(x)), so it stays finite where
 * softmax underflows to 0. For a classification loss from logits, see {@link softmaxCrossEntropy}.
 *
 * x: rank ≥ 1; returns x's shape and dtype.
 * @param axis - the axis normalised over, negative counting from the end (default −1, the last).
 * @throws Error when x is not a Tensor, or when axis is not a whole number in range for x's rank.
 * @example
 * ```ts
 * import { logSoftmax, tensor } from '@chainrule/core';
 * logSoftmax(tensor([0, 0])).toArray(); // [-0.693…, -0.693…]
 * ```
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  expectTensor('logSoftmax', 'x', x);
  return logSoftmaxOp.run([x], { axis: normalizeAxis('logSoftmax', axis, x.rank) });
}

/**
 * GELU, tanh approximation (as in GPT-2 and `jax.nn.gelu`): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 * Not an op of its own: it is built from mul, add and tanh, so a graph shows those.
 *
 * x: any shape; returns x's shape and dtype.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { gelu, tensor } from '@chainrule/core';
 * gelu(tensor([0, 10])).toArray(); // [0, 10]
 * ```
 */
export function gelu(x: Tensor): Tensor {
  expectTensor('gelu', 'x', x);
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/**
 * The activation family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const activationOps = opTable({
  /** The `sigmoid` op and {@link sigmoid}. */
  sigmoid: opRow(sigmoidOp, sigmoid),
  /** The `relu` op and {@link relu}. */
  relu: opRow(reluOp, relu),
  /** The `leakyRelu` op and {@link leakyRelu}. */
  leakyRelu: opRow(leakyReluOp, leakyRelu),
  /** The `softplus` op and {@link softplus}. */
  softplus: opRow(softplusOp, softplus),
  /** The `softmax` op and {@link softmax}. */
  softmax: opRow(softmaxOp, softmax),
  /** The `logSoftmax` op and {@link logSoftmax}. */
  logSoftmax: opRow(logSoftmaxOp, logSoftmax),
});

/**
 * The activation functions that are not ops of their own, built from other ops; core exports them and
 * makes them Tensor methods.
 */
export const activationComposites = compositeTable({
  /** {@link gelu}, built from mul, add and tanh. */
  gelu: compositeRow(gelu),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link sigmoid} as a method: `x.sigmoid()`. */
    sigmoid: SelfMethod<typeof sigmoid>;
    /** {@link relu} as a method: `x.relu()`. */
    relu: SelfMethod<typeof relu>;
    /** {@link leakyRelu} as a method: `x.leakyRelu(alpha)`. */
    leakyRelu: SelfMethod<typeof leakyRelu>;
    /** {@link softplus} as a method: `x.softplus()`. */
    softplus: SelfMethod<typeof softplus>;
    /** {@link softmax} as a method: `x.softmax(axis)`. */
    softmax: SelfMethod<typeof softmax>;
    /** {@link logSoftmax} as a method: `x.logSoftmax(axis)`. */
    logSoftmax: SelfMethod<typeof logSoftmax>;
    /** {@link gelu} as a method: `x.gelu()`. */
    gelu: SelfMethod<typeof gelu>;
  }
}
