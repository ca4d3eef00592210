/**
 * Indexing: values picked by integer indices. gather (PyTorch's gather, NumPy's take_along_axis), its
 * adjoint scatterAdd, and oneHot (not differentiable: it is built from labels, not from a tensor's values).
 */
import type * as FastCheck from 'fast-check';
import type { DType } from '../dtype.ts';
import { allocate, kernels } from '../backend/index.ts';
import { inferShape } from '../creation.ts';
import { fmt, normalizeAxis, sizeOf, type Shape } from '../shape.ts';
import { Tensor, type NestedArray } from '../tensor.ts';
import { shapeArb, valuesArb, type FC } from '../testing/sample.ts';
import { checkAllocatable, checkCount, expectTensor } from '../validate.ts';
import { toIntegers } from '../labels.ts';
import { checkIndices } from './check-indices.ts';
import { defineOp, type OpDef } from './define.ts';
import { compositeRow, compositeTable, opRow, opTable, type SelfMethod } from './table.ts';

type GatherAttrs = { axis: number; indices: Int32Array; indicesShape: number[] };
type ScatterAttrs = GatherAttrs & { shape: number[] };

/** [outer, len, inner] around the gather axis. */
const aroundAxis = (shape: Shape, axis: number): [number, number, number] =>
  [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];

/** For a shape and an axis: `count` valid indices along it, drawn independently (repeats allowed). */
const indicesOn = (fc: FC, shape: number[], axis: number, count: number): FastCheck.Arbitrary<Int32Array> =>
  fc.array(fc.integer({ min: 0, max: shape[axis] - 1 }), { minLength: count, maxLength: count }).map((is) => Int32Array.from(is));

/** A tensor of rank 1–3, an axis, and indices of its shape except on that axis, where there are 1–4 of them. */
const gatherSample = (fc: FC) => shapeArb(fc, { minRank: 1, maxRank: 3 }).chain((shape) =>
  fc.tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: 4 })).chain(([axis, m]) => {
    const indicesShape = shape.map((d, i) => (i === axis ? m : d));
    return fc.record({
      inputs: valuesArb(fc, shape).map((values) => [{ shape, values }]),
      attrs: indicesOn(fc, shape, axis, sizeOf(indicesShape)).map((indices) => ({ axis, indices, indicesShape })),
    });
  }));

// gather and scatterAdd are each other's VJP, so their types are written out (neither can be inferred first).
const gatherOp: OpDef<GatherAttrs, 'gather'> = defineOp({
  name: 'gather', arity: 1,
  formula: ({ axis }: GatherAttrs) => ({
    text: `y = gather(x, indices, axis ${axis});  x̄ = scatterAdd(ȳ, indices, axis ${axis}) into zeros of shape(x) (repeated indices add up)`,
    tex: String.raw`y = \operatorname{gather}(x, \text{indices}, ${axis}) \qquad \bar{x} = \operatorname{scatterAdd}(\bar{y}, \text{indices}, ${axis}) \text{ into zeros of } \operatorname{shape}(x)`,
  }),
  forward: ([x], { axis, indices, indicesShape }: GatherAttrs) => {
    const [outer, len, inner] = aroundAxis(x.shape, axis);
    checkIndices('gather', indices, axis, len);
    const out = allocate(x.dtype, indices.length);
    kernels().gather(x.data, outer, len, inner, indices, out);
    return { shape: indicesShape, data: out };
  },
  vjp: ([x], _, g, attrs) => [scatterAddOp.run([g], { ...attrs, shape: [...x.shape] })],
  // gather is linear in x (the indices are attributes, with no tangent): the tangent gathered alike.
  jvp: (_, __, [dx], attrs) => dx && gatherOp.run([dx], attrs),
  sample: gatherSample,
  describe: ({ axis }) => `axis=${axis}`,
});

/** gather's adjoint: g added into zeros of `shape` at the indices. Checked through gather's second-order gradients. */
const scatterAddOp: OpDef<ScatterAttrs, 'scatterAdd'> = defineOp({
  name: 'scatterAdd', arity: 1,
  formula: ({ axis, shape }: ScatterAttrs) => ({
    text: `y = zeros [${shape.join(', ')}] with x added at indices along axis ${axis};  x̄ = gather(ȳ, indices, axis ${axis})`,
    tex: String.raw`y = \operatorname{scatterAdd}(x, \text{indices}, ${axis}) \text{ into zeros } [${shape.join(', ')}] \qquad \bar{x} = \operatorname{gather}(\bar{y}, \text{indices}, ${axis})`,
  }),
  forward: ([g], { axis, indices, shape }: ScatterAttrs) => {
    const [outer, len, inner] = aroundAxis(shape, axis);
    checkIndices('scatterAdd', indices, axis, len);
    const out = allocate(g.dtype, sizeOf(shape));
    kernels().scatterAdd(g.data, outer, len, inner, indices, out);
    return { shape, data: out };
  },
  vjp: (_, __, g, { axis, indices, indicesShape }) => [gatherOp.run([g], { axis, indices, indicesShape })],
  // scatterAdd is linear: the tangent scattered alike.
  jvp: (_, __, [dt], attrs) => dt && scatterAddOp.run([dt], attrs),
  describe: ({ axis }) => `axis=${axis}`,
});

// ---- public functions

/** Integer indices from a tensor, typed array or (nested) list, checked to be whole numbers. */
function toIndices(where: string, indices: Tensor | Int32Array | NestedArray): { data: Int32Array; shape: number[] } {
  if (indices instanceof Tensor) return { data: toIntegers(where, indices.data), shape: [...indices.shape] };
  if (indices instanceof Int32Array) return { data: indices, shape: [indices.length] };
  if (ArrayBuffer.isView(indices)) return { data: toIntegers(where, indices as unknown as ArrayLike<number>), shape: [(indices as unknown as ArrayLike<number>).length] };
  // Nested lists are walked as tensor() walks them: ragged lists, non-numbers and cycles are refused.
  const shape = inferShape(indices, where);
  const flat = Array.isArray(indices) ? (indices as NestedArray[]).flat(Infinity as 1) as number[] : [indices];
  return { data: toIntegers(where, flat), shape };
}

/**
 * Picks x's values along `axis` at the given indices (PyTorch's gather, NumPy's take_along_axis):
 * out[i][j]… = x[i]…[indices[i][j]…]…, the index replacing the coordinate on `axis`.
 *
 * x: rank ≥ 1; indices: x's rank and x's shape on every axis but `axis`, where it may have any length
 * (repeats allowed); returns indices' shape in x's dtype. The gradient adds each cotangent back at its
 * index (scatterAdd), so repeated indices accumulate.
 * @param indices - whole numbers in 0..x.shape[axis]−1: a Tensor, an Int32Array or nested arrays.
 * @param axis - the axis indexed; negative counts from the end.
 * @throws Error when x is not a Tensor, when axis is out of range, when indices' shape does not match x
 * off `axis` (naming both shapes), or when an index is not a whole number or out of range (naming it).
 * @example
 * ```ts
 * import { gather, tensor } from '@chainrule/core';
 * const logits = tensor([[1, 2, 3], [4, 5, 6]]);
 * gather(logits, [[2], [0]], 1).toArray(); // each row's score at its label: [[3], [4]]
 * ```
 */
export function gather(x: Tensor, indices: Tensor | Int32Array | NestedArray, axis: number): Tensor {
  expectTensor('gather', 'x', x);
  const a = normalizeAxis('gather', axis, x.rank);
  const { data, shape } = toIndices('gather', indices);
  const idxShape = shape.length === x.rank ? shape : shape.length === 1 && x.rank === 1 ? shape : null;
  if (!idxShape || idxShape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new Error(`gather: indices of shape ${fmt(shape)} must match x ${fmt(x.shape)} on every axis but ${a}`);
  }
  return gatherOp.run([x], { axis: a, indices: data, indicesShape: idxShape });
}

/**
 * One row per label with a 1 in the label's column and 0 elsewhere: shape [...labels.shape, depth].
 * Not differentiable: it is built from labels, not from a tensor's values, and records nothing.
 *
 * @param labels - whole numbers in 0..depth−1: a Tensor, an Int32Array or nested arrays.
 * @param depth - the number of classes (the length of each row).
 * @param options - `dtype`: the result's dtype (default float32).
 * @throws Error when depth is not a non-negative whole number, when a label is not a whole number or is
 * out of range for depth (naming it and its position), or when the result would be too large to allocate.
 * @example
 * ```ts
 * import { oneHot } from '@chainrule/core';
 * oneHot([2, 0], 3).toArray(); // [[0, 0, 1], [1, 0, 0]]
 * ```
 */
export function oneHot(labels: Tensor | Int32Array | NestedArray, depth: number, options: { dtype?: DType } = {}): Tensor {
  checkCount('oneHot', 'depth', depth);
  const { data, shape } = toIndices('oneHot', labels);
  checkAllocatable('oneHot', [...shape, depth], options.dtype ?? 'float32');
  data.forEach((v, i) => {
    if (v < 0 || v >= depth) throw new Error(`oneHot: label ${v} at position ${i} is out of range for depth ${depth}`);
  });
  const ones = allocate(options.dtype ?? 'float32', data.length).fill(1);
  const out = allocate(options.dtype ?? 'float32', data.length * depth);
  kernels().scatterAdd(ones, data.length, depth, 1, data, out);
  return new Tensor(out, [...shape, depth]);
}

/**
 * The indexing family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`, if any) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const indexingOps = opTable({
  /** The `gather` op and {@link gather}. */
  gather: opRow(gatherOp, gather),
  /** The `scatterAdd` op, gather's adjoint (its VJP): g added into zeros at the indices. No public function. */
  scatterAdd: opRow(scatterAddOp, undefined, 'none'),
});

/** The indexing functions that are not ops; core exports them and makes them Tensor methods. */
export const indexingComposites = compositeTable({
  /** {@link oneHot}, made directly (not differentiable, so not an op). */
  oneHot: compositeRow(oneHot),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link gather} as a method: `x.gather(indices, axis)`. */
    gather: SelfMethod<typeof gather>;
    /** {@link oneHot} as a method: `labels.oneHot(depth)`, this tensor of integer labels as one-hot rows of length `depth`. */
    oneHot: SelfMethod<typeof oneHot>;
  }
}
