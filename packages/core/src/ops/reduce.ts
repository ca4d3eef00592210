/** Reductions over one axis, a list of axes, or all: sum, mean, max, min, logsumexp. */
import { allocate, kernels, type ReduceKernel } from '../backend/index.ts';
import { normalizeAxes, reducedShape, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { axisArb, sampleUnary } from '../testing/sample.ts';
import { equal } from './compare.ts';
import type { Domain, FC } from '../testing/sample.ts';
import { defineOp } from './define.ts';
import { compositeRow, compositeTable, opRow, opTable, type SelfMethod } from './table.ts';
import { checkReducible } from './no-identity.ts';
import { expectTensor } from '../validate.ts';
import { div, exp, mul, sub } from './elementwise.ts';
import { broadcastTo, permute, reshape } from './shape.ts';

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
  forward: ([x], attrs: ReduceAttrs) => reduceKernel('sum', x, attrs),
  vjp: ([x], _, g, { axes }) => [expandBack(g, x, axes)],
  sample: reduceSample(),
  describe,
});

/** max and min send the gradient to the extreme elements, split evenly between ties. */
const extremeVjp = ([x]: readonly Tensor[], out: Tensor, g: Tensor, { axes }: ReduceAttrs) => {
  const mask = equal(x, expandBack(out, x, axes));
  const count = sum(mask, axes, true);
  return [mul(mask, div(expandBack(g, x, axes), broadcastTo(count, x.shape)))];
};

const maxOp = defineOp({
  name: 'max', arity: 1, vjp: extremeVjp,
  forward: ([x], attrs: ReduceAttrs) => { checkReducible('max', x.shape, attrs.axes); return reduceKernel('max', x, attrs); },
  sample: reduceSample({ distinct: true }), describe,
});

const minOp = defineOp({
  name: 'min', arity: 1, vjp: extremeVjp,
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
  forward: ([x], { axis, keepDims }: OneAxisAttrs) => {
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const out = allocate(x.dtype, outer * inner);
    kernels().logsumexp(x.data, outer, x.shape[axis], inner, out);
    return { shape: reducedShape(x.shape, [axis], keepDims), data: out };
  },
  // d/dx log Σ e^x = softmax(x) = e^(x − out)
  vjp: ([x], out, g, { axis }) => [mul(expandBack(g, x, [axis]), exp(sub(x, expandBack(out, x, [axis]))))],
  sample: logsumexpSample,
  describe: ({ axis, keepDims }) => `axis=${axis}${keepDims ? ' keepDims' : ''}`,
});

/** The attributes of a reduction: x checked to be a tensor, the axes normalised, keepDims a boolean. */
function reduceAttrs(op: string, x: Tensor, axis: Axis, keepDims: boolean): ReduceAttrs {
  expectTensor(op, 'x', x);
  if (typeof keepDims !== 'boolean') throw new Error(`${op}: keepDims must be true or false, got ${JSON.stringify(keepDims) ?? String(keepDims)}`);
  return { axes: normalizeAxes(op, axis, x.rank), keepDims };
}

/** Σ x², a number accumulated in float64, outside the graph (gradient norms, clipping): no tensor is made. */
export function sumOfSquares(x: Tensor): number {
  expectTensor('sumOfSquares', 'x', x);
  return kernels().sumSquares(x.data);
}

export const sum = (x: Tensor, axis?: Axis, keepDims = false): Tensor => sumOp.run([x], reduceAttrs('sum', x, axis, keepDims));
export const max = (x: Tensor, axis?: Axis, keepDims = false): Tensor => maxOp.run([x], reduceAttrs('max', x, axis, keepDims));
export const min = (x: Tensor, axis?: Axis, keepDims = false): Tensor => minOp.run([x], reduceAttrs('min', x, axis, keepDims));

export function mean(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { axes } = reduceAttrs('mean', x, axis, keepDims);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return div(sum(x, axes, keepDims), count);
}

/**
 * log Σ exp over the axes (one, several, or all when omitted), computed stably (the max is subtracted
 * first). Several axes are moved to the end and flattened into one, then reduced by the one-axis op
 * of the same name (see logsumexpOp), so a graph shows permute, reshape and logsumexp.
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

/** Variance over the axes (population, like NumPy's default). */
export function variance(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  reduceAttrs('variance', x, axis, keepDims);
  const d = sub(x, mean(x, axis, true));
  return mean(mul(d, d), axis, keepDims);
}

export const reduceOps = opTable({
  sum: opRow(sumOp, sum), max: opRow(maxOp, max), min: opRow(minOp, min), logsumexp: opRow(logsumexpOp, logsumexp),
});

export const reduceComposites = compositeTable({
  mean: compositeRow(mean), variance: compositeRow(variance), sumOfSquares: compositeRow(sumOfSquares, 'none'),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    sum: SelfMethod<typeof sum>;
    max: SelfMethod<typeof max>;
    min: SelfMethod<typeof min>;
    logsumexp: SelfMethod<typeof logsumexp>;
    mean: SelfMethod<typeof mean>;
    variance: SelfMethod<typeof variance>;
  }
}
