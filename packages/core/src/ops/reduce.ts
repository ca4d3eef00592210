/** Reductions over one axis, a list of axes, or all: sum, mean, max, min, logsumexp. */
import { allocate, kernels, type ReduceKernel } from '../backend/index.ts';
import { normalizeAxes, normalizeAxis, reducedShape, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { axisArb, sampleUnary } from '../testing/sample.ts';
import { equal } from './compare.ts';
import type { Domain, FC } from '../testing/sample.ts';
import { defineOp } from './define.ts';
import { axesText } from './formula.ts';
import { compositeRow, compositeTable, opRow, opTable, type SelfMethod } from './table.ts';
import { checkReducible } from './no-identity.ts';
import { expectTensor } from '../validate.ts';
import { div, exp, mul, sub } from './elementwise.ts';
import { broadcastTo, permute, reshape } from './shape.ts';

/**
 * The axes a reduction takes: one axis, a list of axes, or undefined for all of them. Negative axes count
 * from the end (−1 is the last); an axis may not repeat.
 */
export type Axis = number | readonly number[] | undefined;
type ReduceAttrs = { axes: number[]; keepDims: boolean };

function reduceKernel(op: ReduceKernel, x: Tensor, { axes, keepDims }: ReduceAttrs) {
  const shape = reducedShape(x.shape, axes, keepDims);
  const out = allocate(x.dtype, sizeOf(shape));
  kernels().reduce(op, x.data, x.shape, axes, out);
  return { shape, data: out };
}

/** g (the reduced cotangent) broadcast back over the reduced axes of x. */
const expandBack = (g: Tensor, x: Tensor, axes: number[]) =>
  broadcastTo(reshape(g, reducedShape(x.shape, axes, true)), x.shape);

/** Any shape, some of its axes (one, possibly negative, or all) normalised as the public functions do, and keepDims. */
const reduceSample = (domain: Domain = {}) => (fc: FC) => {
  const axesOf = ([shape]: number[][]) => fc.record({ axis: axisArb(fc, shape.length), keepDims: fc.boolean() })
    .map(({ axis, keepDims }) => ({ axes: normalizeAxes('sample', axis, shape.length), keepDims }));
  return sampleUnary<ReduceAttrs>(domain, axesOf)(fc);
};

const describe = ({ axes, keepDims }: ReduceAttrs) => `axis=[${axes}]${keepDims ? ' keepDims' : ''}`;

const sumOp = defineOp({
  name: 'sum', arity: 1,
  formula: ({ axes }: ReduceAttrs) => ({
    text: `y = sum(x) over ${axesText(axes)};  x̄ = ȳ broadcast back over ${axesText(axes)}`,
    tex: String.raw`y = \sum_{\text{${axesText(axes)}}} x \qquad \bar{x} = \operatorname{broadcast}(\bar{y}) \text{ over ${axesText(axes)}}`,
  }),
  forward: ([x], attrs: ReduceAttrs) => reduceKernel('sum', x, attrs),
  vjp: ([x], _, g, { axes }) => [expandBack(g, x, axes)],
  // sum is linear: its tangent is the tangent summed the same way.
  jvp: (_, __, [dx], { axes, keepDims }) => dx && sum(dx, axes, keepDims),
  sample: reduceSample(),
  describe,
});

/** max and min send the gradient to the extreme elements, split evenly between ties. */
const extremeVjp = ([x]: readonly Tensor[], out: Tensor, g: Tensor, { axes }: ReduceAttrs) => {
  const mask = equal(x, expandBack(out, x, axes));
  const count = sum(mask, axes, true);
  return [mul(mask, div(expandBack(g, x, axes), broadcastTo(count, x.shape)))];
};

/** d max = the tangent at the extreme elements, averaged over ties (the derivative the VJP's even split gives). */
const extremeJvp = ([x]: readonly Tensor[], out: Tensor, [dx]: readonly (Tensor | null)[], { axes, keepDims }: ReduceAttrs) => {
  if (!dx) return null;
  const atExtreme = equal(x, expandBack(out, x, axes));
  return div(sum(mul(atExtreme, dx), axes, keepDims), sum(atExtreme, axes, keepDims));
};

/** max's and min's formula: the cotangent goes to the extreme elements, split evenly between ties. */
const extremeFormula = (name: 'max' | 'min') => ({ axes }: ReduceAttrs) => ({
  text: `y = ${name}(x) over ${axesText(axes)};  x̄ = ȳ · 𝟙[x = y] / (number of ties), with y and ȳ broadcast back over ${axesText(axes)}`,
  tex: String.raw`y = ${name === 'max' ? String.raw`\max` : String.raw`\min`}_{\text{${axesText(axes)}}} x \qquad \bar{x} = \frac{\bar{y} \odot \mathbb{1}[x = y]}{\sum_{\text{${axesText(axes)}}} \mathbb{1}[x = y]}`,
});

const maxOp = defineOp({
  name: 'max', arity: 1, vjp: extremeVjp, jvp: extremeJvp,
  formula: extremeFormula('max'),
  forward: ([x], attrs: ReduceAttrs) => { checkReducible('max', x.shape, attrs.axes); return reduceKernel('max', x, attrs); },
  sample: reduceSample({ distinct: true }), describe,
});

const minOp = defineOp({
  name: 'min', arity: 1, vjp: extremeVjp, jvp: extremeJvp,
  formula: extremeFormula('min'),
  forward: ([x], attrs: ReduceAttrs) => { checkReducible('min', x.shape, attrs.axes); return reduceKernel('min', x, attrs); },
  sample: reduceSample({ distinct: true }), describe,
});

type OneAxisAttrs = { axis: number; keepDims: boolean };

/** Any shape of rank ≥ 1, one of its axes (never negative: the op takes a normalised axis) and keepDims. */
const logsumexpSample = (fc: FC) => {
  const oneAxis = ([shape]: number[][]) => fc.record({ axis: fc.integer({ min: 0, max: shape.length - 1 }), keepDims: fc.boolean() });
  return sampleUnary<OneAxisAttrs>({}, oneAxis, { minRank: 1 })(fc);
};

/**
 * The op `logsumexp` reduces ONE axis (what graph drawings show). The public function `logsumexp`
 * (below) takes several axes or none and reduces them with this op after a permute and reshape.
 */
const logsumexpOp = defineOp({
  name: 'logsumexp', arity: 1,
  formula: ({ axis }: OneAxisAttrs) => ({
    text: `y = log sum(eˣ, axis ${axis});  x̄ = ȳ · e^(x − y)`,
    tex: String.raw`y = \log \sum_{\text{axis } ${axis}} e^{x} \qquad \bar{x} = \bar{y} \odot e^{x - y}`,
  }),
  forward: ([x], { axis, keepDims }: OneAxisAttrs) => {
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const out = allocate(x.dtype, outer * inner);
    kernels().logsumexp(x.data, outer, x.shape[axis], inner, out);
    return { shape: reducedShape(x.shape, [axis], keepDims), data: out };
  },
  // d/dx log Σ e^x = softmax(x) = e^(x − out)
  vjp: ([x], out, g, { axis }) => [mul(expandBack(g, x, [axis]), exp(sub(x, expandBack(out, x, [axis]))))],
  // d log Σ eˣ = Σ softmax(x)·dx, softmax(x) = e^(x − out)
  jvp: ([x], out, [dx], { axis, keepDims }) => dx && sum(mul(exp(sub(x, expandBack(out, x, [axis]))), dx), [axis], keepDims),
  sample: logsumexpSample,
  describe: ({ axis, keepDims }) => `axis=${axis}${keepDims ? ' keepDims' : ''}`,
});

/** The attributes of a reduction: x checked to be a tensor, the axes normalised, keepDims a boolean. */
function reduceAttrs(op: string, x: Tensor, axis: Axis, keepDims: boolean): ReduceAttrs {
  expectTensor(op, 'x', x);
  if (typeof keepDims !== 'boolean') throw new Error(`${op}: keepDims must be true or false, got ${JSON.stringify(keepDims) ?? String(keepDims)}`);
  // One axis (a bias gradient's sum over the batch, every step) needs no list handling.
  return { axes: typeof axis === 'number' ? [normalizeAxis(op, axis, x.rank)] : normalizeAxes(op, axis, x.rank), keepDims };
}

/**
 * Σ x², a number accumulated in float64, outside the graph (gradient norms, clipping): no tensor is made
 * and nothing is recorded, so it has no gradient.
 *
 * x: any shape and dtype; returns a JavaScript number (0 for an empty tensor).
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { sumOfSquares, tensor } from '@chainrule/core';
 * Math.sqrt(sumOfSquares(tensor([3, 4]))); // 5
 * ```
 */
export function sumOfSquares(x: Tensor): number {
  expectTensor('sumOfSquares', 'x', x);
  return kernels().sumSquares(x.data);
}

/**
 * The sum of x's values over the given axes (all of them by default).
 *
 * x: any shape; returns x's shape without the reduced axes (a scalar [] when all are reduced), or with
 * size 1 there when keepDims is true, in x's dtype.
 * Summing an axis of length 0 gives 0. The gradient is the output's cotangent broadcast back over the
 * reduced axes.
 * @param axis - the axes to reduce (one, a list, or all when omitted); negative counts from the end.
 * @param keepDims - keep each reduced axis with size 1, so the result broadcasts against x (default false).
 * @throws Error when x is not a Tensor, when an axis is out of range for x's rank or repeated, or when
 * keepDims is not a boolean.
 * @example
 * ```ts
 * import { sum, tensor } from '@chainrule/core';
 * const x = tensor([[1, 2], [3, 4]]);
 * sum(x).item(); // 10
 * sum(x, 0).toArray(); // [4, 6]
 * sum(x, 1, true).shape; // [2, 1]
 * ```
 */
export const sum = (x: Tensor, axis?: Axis, keepDims = false): Tensor => sumOp.run([x], reduceAttrs('sum', x, axis, keepDims));

/**
 * The largest of x's values over the given axes (all of them by default); the elementwise largest of
 * two tensors is {@link maximum}.
 *
 * x: any shape; returns x's shape without the reduced axes (a scalar [] when all are reduced), or with
 * size 1 there when keepDims is true, in x's dtype.
 * The gradient goes to the elements equal to the result, split evenly between ties.
 * @param axis - the axes to reduce (one, a list, or all when omitted); negative counts from the end.
 * @param keepDims - keep each reduced axis with size 1, so the result broadcasts against x (default false).
 * @throws Error when x is not a Tensor, when an axis is out of range for x's rank or repeated, or when
 * keepDims is not a boolean. Also when a reduced axis has length 0 (max has no identity, as in NumPy).
 * @example
 * ```ts
 * import { max, tensor } from '@chainrule/core';
 * const x = tensor([[1, 5], [4, 2]]);
 * max(x).item(); // 5
 * max(x, 1).toArray(); // [5, 4]
 * ```
 */
export const max = (x: Tensor, axis?: Axis, keepDims = false): Tensor => maxOp.run([x], reduceAttrs('max', x, axis, keepDims));

/**
 * The smallest of x's values over the given axes (all of them by default); the elementwise smallest of
 * two tensors is {@link minimum}.
 *
 * x: any shape; returns x's shape without the reduced axes (a scalar [] when all are reduced), or with
 * size 1 there when keepDims is true, in x's dtype.
 * The gradient goes to the elements equal to the result, split evenly between ties.
 * @param axis - the axes to reduce (one, a list, or all when omitted); negative counts from the end.
 * @param keepDims - keep each reduced axis with size 1, so the result broadcasts against x (default false).
 * @throws Error when x is not a Tensor, when an axis is out of range for x's rank or repeated, or when
 * keepDims is not a boolean. Also when a reduced axis has length 0 (min has no identity, as in NumPy).
 * @example
 * ```ts
 * import { min, tensor } from '@chainrule/core';
 * const x = tensor([[1, 5], [4, 2]]);
 * min(x).item(); // 1
 * min(x, 0).toArray(); // [1, 2]
 * ```
 */
export const min = (x: Tensor, axis?: Axis, keepDims = false): Tensor => minOp.run([x], reduceAttrs('min', x, axis, keepDims));

/**
 * The mean of x's values over the given axes (all of them by default): their sum divided by their count.
 *
 * x: any shape; returns x's shape without the reduced axes (a scalar [] when all are reduced), or with
 * size 1 there when keepDims is true, in x's dtype.
 * The mean of an axis of length 0 is NaN. Not an op of its own: a graph shows sum and div.
 * @param axis - the axes to reduce (one, a list, or all when omitted); negative counts from the end.
 * @param keepDims - keep each reduced axis with size 1, so the result broadcasts against x (default false).
 * @throws Error when x is not a Tensor, when an axis is out of range for x's rank or repeated, or when
 * keepDims is not a boolean.
 * @example
 * ```ts
 * import { mean, tensor } from '@chainrule/core';
 * const x = tensor([[1, 2], [3, 4]]);
 * mean(x).item(); // 2.5
 * mean(x, -1).toArray(); // [1.5, 3.5]
 * ```
 */
export function mean(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { axes } = reduceAttrs('mean', x, axis, keepDims);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return div(sum(x, axes, keepDims), count);
}

/**
 * log Σ exp over the axes (one, several, or all when omitted), computed stably (the max is subtracted
 * first), so large values do not overflow. Several axes are moved to the end and flattened into one, then
 * reduced by the one-axis op of the same name, so a graph shows permute, reshape and logsumexp.
 *
 * x: any shape; returns x's shape without the reduced axes (a scalar [] when all are reduced), or with
 * size 1 there when keepDims is true, in x's dtype.
 * Over an axis of length 0 it gives -Infinity. The gradient is softmax(x) over the reduced axes.
 * @param axis - the axes to reduce (one, a list, or all when omitted); negative counts from the end.
 * @param keepDims - keep each reduced axis with size 1, so the result broadcasts against x (default false).
 * @throws Error when x is not a Tensor, when an axis is out of range for x's rank or repeated, or when
 * keepDims is not a boolean.
 * @example
 * ```ts
 * import { logsumexp, tensor } from '@chainrule/core';
 * logsumexp(tensor([1000, 1000])).item(); // 1000.693… (log(2) + 1000, no overflow)
 * ```
 */
export function logsumexp(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { axes } = reduceAttrs('logsumexp', x, axis, keepDims);
  if (axes.length === 1) return logsumexpOp.run([x], { axis: axes[0], keepDims });
  // Several axes: move them to the end, flatten them into one, reduce that one.
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const moved = reshape(permute(x, [...kept, ...axes]), [...kept.map((i) => x.shape[i]), sizeOf(axes.map((a) => x.shape[a]))]);
  const r = logsumexpOp.run([moved], { axis: kept.length, keepDims: false });
  return keepDims ? reshape(r, reducedShape(x.shape, axes, true)) : r;
}

/**
 * The variance over the given axes (all of them by default): the mean squared deviation from the mean,
 * dividing by n (the population variance, NumPy's default `ddof=0`).
 *
 * x: any shape; returns x's shape without the reduced axes (a scalar [] when all are reduced), or with
 * size 1 there when keepDims is true, in x's dtype.
 * Not an op of its own: built from mean, sub and mul.
 * @param axis - the axes to reduce (one, a list, or all when omitted); negative counts from the end.
 * @param keepDims - keep each reduced axis with size 1, so the result broadcasts against x (default false).
 * @throws Error when x is not a Tensor, when an axis is out of range for x's rank or repeated, or when
 * keepDims is not a boolean.
 * @example
 * ```ts
 * import { variance, tensor } from '@chainrule/core';
 * variance(tensor([1, 2, 3, 4])).item(); // 1.25
 * ```
 */
export function variance(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  reduceAttrs('variance', x, axis, keepDims);
  const d = sub(x, mean(x, axis, true));
  return mean(mul(d, d), axis, keepDims);
}

/**
 * The reduction family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const reduceOps = opTable({
  /** The `sum` op and {@link sum}. */
  sum: opRow(sumOp, sum),
  /** The `max` op and {@link max}. */
  max: opRow(maxOp, max),
  /** The `min` op and {@link min}. */
  min: opRow(minOp, min),
  /** The one-axis `logsumexp` op and {@link logsumexp}, which reduces any axes with it. */
  logsumexp: opRow(logsumexpOp, logsumexp),
});

/**
 * The reductions that are not ops of their own, built from other ops (or, for sumOfSquares, outside the
 * graph); core exports them, and mean and variance are Tensor methods.
 */
export const reduceComposites = compositeTable({
  /** {@link mean}, built from sum and div. */
  mean: compositeRow(mean),
  /** {@link variance}, built from mean, sub and mul. */
  variance: compositeRow(variance),
  /** {@link sumOfSquares}: a number, not a tensor, so no method. */
  sumOfSquares: compositeRow(sumOfSquares, 'none'),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link sum} as a method: `x.sum(axis, keepDims)`. */
    sum: SelfMethod<typeof sum>;
    /** {@link max} as a method: `x.max(axis, keepDims)`. */
    max: SelfMethod<typeof max>;
    /** {@link min} as a method: `x.min(axis, keepDims)`. */
    min: SelfMethod<typeof min>;
    /** {@link logsumexp} as a method: `x.logsumexp(axis, keepDims)`. */
    logsumexp: SelfMethod<typeof logsumexp>;
    /** {@link mean} as a method: `x.mean(axis, keepDims)`. */
    mean: SelfMethod<typeof mean>;
    /** {@link variance} as a method: `x.variance(axis, keepDims)`. */
    variance: SelfMethod<typeof variance>;
  }
}
