/** Activations: sigmoid, relu, leakyRelu, softplus, gelu, and the numerically stable softmax pair. */
import { allocate } from '../backend/index.ts';
import { kernels } from '../backend/index.ts';
import { normalizeAxis } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { axisArb, sampleUnary } from '../testing/sample.ts';
import { greater, heaviside } from './compare.ts';
import type { FC } from '../testing/sample.ts';
import { defineOp } from './define.ts';
import { add, exp, mul, sub, tanh, where } from './elementwise.ts';
import { sum } from './reduce.ts';
import { unaryKernel } from './util.ts';
import { compositeRow, compositeTable, opRow, opTable, type SelfMethod } from './table.ts';
import { expectTensor } from '../validate.ts';

const sigmoidOp = defineOp({
  name: 'sigmoid', arity: 1,
  forward: ([x]) => unaryKernel('sigmoid', x),
  vjp: (_, out, g) => [mul(g, mul(out, sub(1, out)))],
  sample: sampleUnary(),
});

const reluOp = defineOp({
  name: 'relu', arity: 1,
  forward: ([x]) => unaryKernel('relu', x),
  vjp: ([x], _, g) => [mul(g, heaviside(x))],
  sample: sampleUnary({ avoid: [0] }),
});

const leakyReluOp = defineOp({
  name: 'leakyRelu', arity: 1,
  forward: ([x], { alpha }: { alpha: number }) => {
    if (typeof alpha !== 'number') throw new Error(`leakyRelu: alpha must be a number, got ${JSON.stringify(alpha) ?? String(alpha)}`);
    return unaryKernel('leakyRelu', x, alpha);
  },
  vjp: ([x], _, g, { alpha }) => [mul(g, where(greater(x, 0), 1, alpha))],
  sample: sampleUnary({ avoid: [0] }, (_, fc) => fc.record({ alpha: fc.constantFrom(0.01, 0.2) })),
  describe: ({ alpha }) => `alpha=${alpha}`,
});

const softplusOp = defineOp({
  name: 'softplus', arity: 1,
  forward: ([x]) => unaryKernel('softplus', x),
  vjp: ([x], _, g) => [mul(g, sigmoid(x))],
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
  forward: ([x], { axis }: AxisAttrs) => {
    const out = allocate(x.dtype, x.size);
    kernels().softmax(x.data, ...around(x, axis), out, false);
    return { shape: x.shape, data: out };
  },
  // dx = y ⊙ (g − Σ g⊙y)
  vjp: (_, out, g, { axis }) => [mul(out, sub(g, sum(mul(g, out), axis, true)))],
  sample: softmaxSample,
  describe: ({ axis }) => `axis=${axis}`,
});

const logSoftmaxOp = defineOp({
  name: 'logSoftmax', arity: 1,
  forward: ([x], { axis }: AxisAttrs) => {
    const out = allocate(x.dtype, x.size);
    kernels().softmax(x.data, ...around(x, axis), out, true);
    return { shape: x.shape, data: out };
  },
  // dx = g − softmax(x) · Σ g
  vjp: (_, out, g, { axis }) => [sub(g, mul(exp(out), sum(g, axis, true)))],
  sample: softmaxSample,
  describe: ({ axis }) => `axis=${axis}`,
});

export const sigmoid = (x: Tensor): Tensor => sigmoidOp.run([x], {});
export const relu = (x: Tensor): Tensor => reluOp.run([x], {});
export const leakyRelu = (x: Tensor, alpha = 0.01): Tensor => leakyReluOp.run([x], { alpha });
export const softplus = (x: Tensor): Tensor => softplusOp.run([x], {});
export function softmax(x: Tensor, axis = -1): Tensor {
  expectTensor('softmax', 'x', x);
  return softmaxOp.run([x], { axis: normalizeAxis('softmax', axis, x.rank) });
}
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  expectTensor('logSoftmax', 'x', x);
  return logSoftmaxOp.run([x], { axis: normalizeAxis('logSoftmax', axis, x.rank) });
}

/** GELU, tanh approximation (as in GPT-2 and `jax.nn.gelu`): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: Tensor): Tensor {
  expectTensor('gelu', 'x', x);
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

export const activationOps = opTable({
  sigmoid: opRow(sigmoidOp, sigmoid), relu: opRow(reluOp, relu), leakyRelu: opRow(leakyReluOp, leakyRelu),
  softplus: opRow(softplusOp, softplus), softmax: opRow(softmaxOp, softmax), logSoftmax: opRow(logSoftmaxOp, logSoftmax),
});

export const activationComposites = compositeTable({ gelu: compositeRow(gelu) });

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    sigmoid: SelfMethod<typeof sigmoid>;
    relu: SelfMethod<typeof relu>;
    leakyRelu: SelfMethod<typeof leakyRelu>;
    softplus: SelfMethod<typeof softplus>;
    softmax: SelfMethod<typeof softmax>;
    logSoftmax: SelfMethod<typeof logSoftmax>;
    gelu: SelfMethod<typeof gelu>;
  }
}
