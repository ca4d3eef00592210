/**
 * Movement ops: values moved, copied or shared, never computed: reshape, permute, broadcastTo,
 * slice/pad, concat, and the composites transpose, expandDims, squeeze, flatten and stack.
 * Picking values by index (gather, oneHot) is in ./indexing.ts.
 */
import type * as FastCheck from 'fast-check';
import { allocate, kernels } from '../backend/index.ts';
import { broadcastShapes, broadcastStrides, checkShape, fmt, normalizeAxis, sameShape, sizeOf, stridesOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { sampleUnary, shapeArb, valuesArb, type FC } from '../testing/sample.ts';
import { defineOp } from './define.ts';
import { compositeRow, compositeTable, opRow, opTable, type ListMethod, type SelfMethod } from './table.ts';
import { checkAllocatable, expectList, expectTensor, expectTensors } from '../validate.ts';
import { zerosLike } from '../creation.ts';

// ---- sample arbitraries: random inputs and attributes for the property suite

type Arb<T> = FastCheck.Arbitrary<T>;

/** One input of the given shape, values in the default domain. */
const inputOf = (fc: FC, shape: number[]) => valuesArb(fc, shape).map((values) => ({ shape, values }));

/** A new shape with as many elements: flattened, reversed, or with a leading 1. */
const reshapeSample = (fc: FC) => {
  const newShape = ([s]: number[][]) => fc.constantFrom([sizeOf(s)], [...s].reverse(), [1, ...s]).map((shape) => ({ shape }));
  return sampleUnary<ShapeAttrs>({}, newShape)(fc);
};

/** A random order of the input's axes. */
const permuteSample = (fc: FC) => {
  const someOrder = ([s]: number[][]) => fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }).map((perm) => ({ perm }));
  return sampleUnary<PermuteAttrs>({}, someOrder)(fc);
};

/** A target with a new leading axis of 2, where every axis of size 1 grows to 3. */
const broadcastToSample = (fc: FC) => {
  const widened = ([s]: number[][]) => {
    const shape: number[] = [2, ...s.map((d) => (d === 1 ? 3 : d))];
    return fc.constant({ shape });
  };
  return sampleUnary<ShapeAttrs>({}, widened, { maxRank: 3 })(fc);
};

/** On an axis of length d: a start in [0, d) and a size that stays inside it. */
const rangeOnAxis = (fc: FC, d: number): Arb<[number, number]> =>
  fc.integer({ min: 0, max: d - 1 }).chain((begin) => fc.tuple(fc.constant(begin), fc.integer({ min: 1, max: d - begin })));

/** Any shape of rank ≥ 1 and a non-empty block inside it. */
const sliceSample = (fc: FC) => shapeArb(fc, { minRank: 1 }).chain((shape) =>
  fc.tuple(...shape.map((d) => rangeOnAxis(fc, d))).chain((ranges) =>
    valuesArb(fc, shape).map((values) => ({
      inputs: [{ shape, values }],
      attrs: { begin: ranges.map(([begin]) => begin), size: ranges.map(([, size]) => size) },
    }))));

/** Any shape of rank ≤ 3 and 0–2 zeros before and after on each axis. */
const padSample = (fc: FC) => shapeArb(fc, { maxRank: 3 }).chain((shape) => {
  const perAxis = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length });
  return fc.record({ inputs: valuesArb(fc, shape).map((values) => [{ shape, values }]), attrs: fc.record({ before: perAxis, after: perAxis }) });
});

/** 1–3 tensors of one shape (rank 1–3) except on a random axis, where each has length 1–3. */
const concatSample = (fc: FC) => shapeArb(fc, { minRank: 1, maxRank: 3 }).chain((shape) =>
  fc.tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: 3 })).chain(([axis, n]) =>
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n }).chain((lens) => {
      const withLength = (len: number) => inputOf(fc, shape.map((d, i) => (i === axis ? len : d)));
      return fc.tuple(...lens.map(withLength)).map((inputs) => ({ inputs, attrs: { axis } }));
    })));

// ---- the ops (each is linear: its jvp is the op itself applied to the tangent)

type ShapeAttrs = { shape: number[] };
type PermuteAttrs = { perm: number[] };
type SliceAttrs = { begin: number[]; size: number[] };
type PadAttrs = { before: number[]; after: number[] };

const reshapeOp = defineOp({
  name: 'reshape', arity: 1,
  formula: ({ shape }: ShapeAttrs) => ({
    text: `y = reshape(x, [${shape.join(', ')}]);  x̄ = reshape(ȳ, shape(x))`,
    tex: String.raw`y = \operatorname{reshape}(x, [${shape.join(', ')}]) \qquad \bar{x} = \operatorname{reshape}(\bar{y}, \operatorname{shape}(x))`,
  }),
  // Tensors are immutable, so a reshape shares the input's data.
  forward: ([x], { shape }: ShapeAttrs) => ({ shape, data: x.data }),
  vjp: ([x], _, g) => [reshape(g, x.shape)],
  jvp: (_, __, [dx], { shape }) => dx && reshape(dx, shape),
  sample: reshapeSample,
  describe: ({ shape }) => fmt(shape),
});

const permuteOp = defineOp({
  name: 'permute', arity: 1,
  formula: ({ perm }: PermuteAttrs) => {
    const inverse = perm.map((_, i) => perm.indexOf(i)).join(', ');
    return {
      text: `y = permute(x, [${perm.join(', ')}]);  x̄ = permute(ȳ, [${inverse}]) (the inverse permutation)`,
      tex: String.raw`y = \operatorname{permute}(x, [${perm.join(', ')}]) \qquad \bar{x} = \operatorname{permute}(\bar{y}, [${inverse}])`,
    };
  },
  forward: ([x], { perm }: PermuteAttrs) => {
    const strides = stridesOf(x.shape);
    const shape = perm.map((p) => x.shape[p]);
    const out = allocate(x.dtype, x.size);
    kernels().copyStrided(x.data, 0, perm.map((p) => strides[p]), shape, out);
    return { shape, data: out };
  },
  vjp: (_, __, g, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => { inverse[p] = i; });
    return [permute(g, inverse)];
  },
  jvp: (_, __, [dx], { perm }) => dx && permute(dx, perm),
  sample: permuteSample,
  describe: ({ perm }) => `perm=[${perm}]`,
});

const broadcastToOp = defineOp({
  name: 'broadcastTo', arity: 1,
  formula: ({ shape }: ShapeAttrs) => ({
    text: `y = broadcastTo(x, [${shape.join(', ')}]);  x̄ = ȳ summed over the broadcast axes, back to shape(x)`,
    tex: String.raw`y = \operatorname{broadcastTo}(x, [${shape.join(', ')}]) \qquad \bar{x} = \operatorname{sumToShape}(\bar{y}, \operatorname{shape}(x))`,
  }),
  forward: ([x], { shape }: ShapeAttrs) => {
    const out = allocate(x.dtype, sizeOf(shape));
    kernels().copyStrided(x.data, 0, broadcastStrides(x.shape, shape), shape, out);
    return { shape, data: out };
  },
  // The engine sums the cotangent back to x's shape.
  vjp: (_, __, g) => [g],
  jvp: (_, __, [dx], { shape }) => dx && broadcastTo(dx, shape),
  sample: broadcastToSample,
  describe: ({ shape }) => fmt(shape),
});

const sliceOp = defineOp({
  name: 'slice', arity: 1,
  formula: ({ begin, size }: SliceAttrs) => ({
    text: `y = slice(x, begin [${begin.join(', ')}], size [${size.join(', ')}]);  x̄ = ȳ placed at [${begin.join(', ')}] in zeros of shape(x)`,
    tex: String.raw`y = \operatorname{slice}(x, [${begin.join(', ')}], [${size.join(', ')}]) \qquad \bar{x} = \bar{y} \text{ placed at } [${begin.join(', ')}] \text{ in zeros of } \operatorname{shape}(x)`,
  }),
  forward: ([x], { begin, size }: SliceAttrs) => {
    const strides = stridesOf(x.shape);
    const out = allocate(x.dtype, sizeOf(size));
    kernels().copyStrided(x.data, begin.reduce((o, b, d) => o + b * strides[d], 0), strides, size, out);
    return { shape: size, data: out };
  },
  vjp: ([x], _, g, { begin, size }) => [pad(g, begin, x.shape.map((d, i) => d - begin[i] - size[i]))],
  jvp: (_, __, [dx], { begin, size }) => dx && slice(dx, begin, size),
  sample: sliceSample,
  describe: ({ begin, size }) => `begin=[${begin}] size=[${size}]`,
});

const padOp = defineOp({
  name: 'pad', arity: 1,
  formula: ({ before, after }: PadAttrs) => ({
    text: `y = x padded with zeros, [${before.join(', ')}] before and [${after.join(', ')}] after;  x̄ = slice(ȳ, begin [${before.join(', ')}], size shape(x))`,
    tex: String.raw`y = \operatorname{pad}(x, [${before.join(', ')}], [${after.join(', ')}]) \qquad \bar{x} = \operatorname{slice}(\bar{y}, [${before.join(', ')}], \operatorname{shape}(x))`,
  }),
  forward: ([x], { before, after }: PadAttrs) => {
    const shape = x.shape.map((d, i) => d + before[i] + after[i]);
    const out = allocate(x.dtype, sizeOf(shape));
    kernels().pad(x.data, x.shape, before, shape, out);
    return { shape, data: out };
  },
  vjp: ([x], _, g, { before }) => [slice(g, before, [...x.shape])],
  jvp: (_, __, [dx], { before, after }) => dx && pad(dx, before, after),
  sample: padSample,
  describe: ({ before, after }) => `before=[${before}] after=[${after}]`,
});

const concatOp = defineOp({
  name: 'concat',
  formula: ({ axis }: { axis: number }) => ({
    text: `y = concat(x₁, …, xₙ) along axis ${axis};  x̄ᵢ = the slice of ȳ where xᵢ sits along axis ${axis}`,
    tex: String.raw`y = \operatorname{concat}(x_1, \ldots, x_n) \text{ along axis } ${axis} \qquad \bar{x}_i = \text{the slice of } \bar{y} \text{ where } x_i \text{ sits}`,
  }),
  forward: (xs, { axis }: { axis: number }) => {
    if (xs.length === 0) throw new Error('concat: needs at least one tensor');
    const first = xs[0];
    const outer = sizeOf(first.shape.slice(0, axis));
    const shape = [...first.shape];
    shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
    const out = allocate(first.dtype, sizeOf(shape));
    kernels().concat(xs.map((x) => x.data), xs.map((x) => x.size / Math.max(outer, 1)), outer, out);
    return { shape, data: out };
  },
  vjp: (xs, _, g, { axis }) => {
    let start = 0;
    return xs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? start : 0));
      start += x.shape[axis];
      return slice(g, begin, [...x.shape]);
    });
  },
  // The tangents joined the same way; a null one (when some other is not) is its input's zeros.
  jvp: (xs, _, dxs, { axis }) => (dxs.some((d) => d) ? concat(xs.map((x, i) => dxs[i] ?? zerosLike(x)), axis) : null),
  sample: concatSample,
  describe: ({ axis }) => `axis=${axis}`,
});

// ---- public functions

/**
 * The same values, in the same order, in a new shape with as many elements; one dimension may be −1
 * (inferred from the others). The result shares x's data (tensors are immutable), and x itself is
 * returned when the shape is unchanged.
 *
 * x: any shape; returns `shape` in x's dtype.
 * @throws Error when the sizes differ (naming both shapes), when more than one dimension is −1, when −1
 * cannot be inferred as a whole number, or when a dimension is negative or not a whole number.
 * @example
 * ```ts
 * import { reshape, tensor } from '@chainrule/core';
 * const x = tensor([1, 2, 3, 4, 5, 6]);
 * reshape(x, [2, 3]).toArray(); // [[1, 2, 3], [4, 5, 6]]
 * reshape(x, [-1, 2]).shape; // [3, 2]
 * ```
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  expectTensor('reshape', 'x', x);
  expectList('reshape', 'shape', shape);
  const known = shape.filter((d) => d !== -1);
  if (shape.length - known.length > 1) throw new Error(`reshape: only one dimension may be -1, got ${fmt(shape)}`);
  checkShape('reshape', known);
  const resolved = known.length === shape.length ? [...shape] : shape.map((d) => (d === -1 ? x.size / Math.max(sizeOf(known), 1) : d));
  if (!resolved.every(Number.isInteger) || sizeOf(resolved) !== x.size) throw reshapeError(x, shape, sizeOf(known));
  if (sameShape(resolved, x.shape)) return x;
  return reshapeOp.run([x], { shape: resolved });
}

/** Says why the sizes do not match; with a -1, the inferred size is never shown as if it fit. */
function reshapeError(x: Tensor, shape: readonly number[], known: number): Error {
  const what = `reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`;
  if (!shape.includes(-1)) return new Error(`${what} (${known} elements)`);
  if (known === 0) return new Error(`${what}: the other dimensions multiply to 0, so the -1 cannot be inferred`);
  return new Error(`${what}: the other dimensions multiply to ${known}, which does not divide ${x.size}, so the -1 has no whole-number size`);
}

/**
 * Reorders axes: output axis i is input axis perm[i] (NumPy's transpose with axes, PyTorch's permute).
 * The values are copied into the new order; x itself is returned when perm is the identity.
 *
 * x: any shape; returns [x.shape[perm[0]], x.shape[perm[1]], …] in x's dtype.
 * @param perm - each axis of x once; negative axes count from the end.
 * @throws Error when perm is not a permutation of x's axes (naming it and x's shape).
 * @example
 * ```ts
 * import { permute, tensor } from '@chainrule/core';
 * permute(tensor([[[1, 2, 3]]]), [2, 0, 1]).shape; // [3, 1, 1]
 * ```
 */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  expectTensor('permute', 'x', x);
  expectList('permute', 'perm', perm);
  const norm = perm.map((p) => normalizeAxis('permute', p, x.rank));
  if (norm.length !== x.rank || new Set(norm).size !== x.rank) {
    throw new Error(`permute: [${perm}] is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  }
  if (norm.every((p, i) => p === i)) return x;
  return permuteOp.run([x], { perm: norm });
}

/**
 * Reverses the axes (a matrix transpose for rank 2), or applies `perm` when given (see {@link permute}).
 *
 * x: any shape; returns x's shape reversed (or permuted) in x's dtype.
 * @throws Error when x is not a Tensor, or when perm is not a permutation of x's axes.
 * @example
 * ```ts
 * import { tensor, transpose } from '@chainrule/core';
 * transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray(); // [[1, 4], [2, 5], [3, 6]]
 * ```
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  expectTensor('transpose', 'x', x);
  return permute(x, perm ?? x.shape.map((_, i) => x.rank - 1 - i));
}

/**
 * x repeated along axes of size 1, and along new leading axes, to fill `shape` (NumPy's broadcast_to).
 * The gradient is summed back to x's shape; x itself is returned when the shapes are equal.
 *
 * x: a shape that broadcasts to `shape`; returns `shape` in x's dtype.
 * @throws Error when x's shape does not broadcast to `shape` (naming both), when a dimension is negative
 * or not a whole number, or when the result would be too large to allocate.
 * @example
 * ```ts
 * import { broadcastTo, tensor } from '@chainrule/core';
 * broadcastTo(tensor([1, 2]), [2, 2]).toArray(); // [[1, 2], [1, 2]]
 * ```
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  expectTensor('broadcastTo', 'x', x);
  checkShape('broadcastTo', shape);
  checkAllocatable('broadcastTo', shape, x.dtype);
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(target, shape)) throw new Error(`broadcastTo: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  return broadcastToOp.run([x], { shape: [...shape] });
}

/**
 * The block starting at `begin` with `size` elements per axis (TensorFlow's slice); a size of −1, or
 * leaving `size` out, takes the rest of that axis. x itself is returned when the block is all of x.
 *
 * x: any shape; returns the block's shape (`size` with the −1s resolved) in x's dtype.
 * @param begin - the first index on each axis (one entry per axis, non-negative).
 * @param size - the length on each axis, −1 for "to the end" (default: to the end on every axis).
 * @throws Error when begin or size does not have one entry per axis, or when the block reaches outside x
 * (naming begin, size, x's shape and the axis).
 * @example
 * ```ts
 * import { slice, tensor } from '@chainrule/core';
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * slice(x, [0, 1], [2, 1]).toArray(); // [[2], [5]]
 * slice(x, [1, 0]).toArray(); // [[4, 5, 6]]
 * ```
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  expectTensor('slice', 'x', x);
  expectList('slice', 'begin', begin);
  if (size !== undefined) expectList('slice', 'size', size);
  if (begin.length !== x.rank || (size && size.length !== x.rank)) {
    throw new Error(`slice: begin [${begin}]${size ? ` and size [${size}]` : ''} must have one entry per axis of ${fmt(x.shape)}`);
  }
  const sz = x.shape.map((d, i) => (size === undefined || size[i] === -1 ? d - begin[i] : size[i]));
  x.shape.forEach((d, i) => {
    const [b, s] = [begin[i], sz[i]];
    if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 || b + s > d) {
      throw new Error(`slice: begin [${begin}] with size [${sz}] is out of range for ${fmt(x.shape)} (axis ${i})`);
    }
  });
  if (sameShape(sz, x.shape)) return x;
  return sliceOp.run([x], { begin: [...begin], size: sz });
}

/**
 * Surrounds x with zeros: before[i] entries before and after[i] entries after it on axis i.
 *
 * x: any shape; returns [x.shape[i] + before[i] + after[i], …] in x's dtype.
 * @throws Error when before or after does not have one entry per axis, when an entry is negative or not a
 * whole number, or when the result would be too large to allocate.
 * @example
 * ```ts
 * import { pad, tensor } from '@chainrule/core';
 * pad(tensor([1, 2]), [1], [2]).toArray(); // [0, 1, 2, 0, 0]
 * ```
 */
export function pad(x: Tensor, before: readonly number[], after: readonly number[]): Tensor {
  expectTensor('pad', 'x', x);
  expectList('pad', 'before', before);
  expectList('pad', 'after', after);
  if (before.length !== x.rank || after.length !== x.rank) throw new Error(`pad: need one before/after entry per axis of ${fmt(x.shape)}`);
  checkShape('pad', [...before, ...after]);
  checkAllocatable('pad', x.shape.map((d, i) => d + before[i] + after[i]), x.dtype);
  return padOp.run([x], { before: [...before], after: [...after] });
}

/**
 * Joins tensors end to end along an existing axis (NumPy's concatenate).
 *
 * xs: one or more tensors of one rank and dtype, with equal shapes except on `axis`; returns their shape
 * with the lengths on `axis` added.
 * @param axis - the axis joined along; negative counts from the end (default 0).
 * @throws Error when xs is empty or holds something other than tensors, when the shapes differ off `axis`
 * (naming them all), when axis is out of range, or when the tensors mix float32 and float64.
 * @example
 * ```ts
 * import { concat, tensor } from '@chainrule/core';
 * const a = tensor([[1, 2]]), b = tensor([[3, 4]]);
 * concat([a, b]).toArray(); // [[1, 2], [3, 4]]
 * concat([a, b], 1).toArray(); // [[1, 2, 3, 4]]
 * ```
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  expectTensors('concat', 'xs', xs);
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const first = xs[0];
  const a = normalizeAxis('concat', axis, first.rank);
  xs.forEach((x) => {
    if (x.rank !== first.rank || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${xs.map((t) => fmt(t.shape)).join(', ')} differ outside axis ${a}`);
    }
  });
  return concatOp.run(xs, { axis: a });
}

/**
 * Joins tensors of one shape along a new axis (NumPy's stack): each becomes one slice of the result.
 *
 * xs: one or more tensors of the same shape s; returns s with a new axis of length xs.length at `axis`.
 * @param axis - where the new axis goes, in 0..rank (negative counts from the end; default 0).
 * @throws Error when xs is empty or holds something other than tensors, when the shapes differ (naming
 * them), when axis is out of range, or when the tensors mix float32 and float64.
 * @example
 * ```ts
 * import { stack, tensor } from '@chainrule/core';
 * const a = tensor([1, 2]), b = tensor([3, 4]);
 * stack([a, b]).toArray(); // [[1, 2], [3, 4]]
 * stack([a, b], 1).toArray(); // [[1, 3], [2, 4]]
 * ```
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  expectTensors('stack', 'xs', xs);
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  const a = normalizeAxis('stack', axis, xs[0].rank + 1);
  xs.forEach((x) => {
    if (!sameShape(x.shape, xs[0].shape)) throw new Error(`stack: shapes ${xs.map((t) => fmt(t.shape)).join(', ')} differ`);
  });
  return concat(xs.map((x) => expandDims(x, a)), a);
}

/**
 * x with a new axis of size 1 at `axis` (a reshape; NumPy's expand_dims, PyTorch's unsqueeze).
 *
 * x: any shape; returns x's shape with a 1 inserted at `axis`, in x's dtype.
 * @param axis - where the new axis goes, in 0..rank (negative counts from the end: −1 appends it).
 * @throws Error when x is not a Tensor or axis is out of range.
 * @example
 * ```ts
 * import { expandDims, tensor } from '@chainrule/core';
 * expandDims(tensor([1, 2]), 0).shape; // [1, 2]
 * expandDims(tensor([1, 2]), -1).shape; // [2, 1]
 * ```
 */
export function expandDims(x: Tensor, axis: number): Tensor {
  expectTensor('expandDims', 'x', x);
  const a = normalizeAxis('expandDims', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/**
 * Drops axes of size 1: all of them, or only the ones listed (a reshape).
 *
 * x: any shape; returns x's shape without those axes, in x's dtype.
 * @param axis - the axes to drop (negative counts from the end); default: every axis of size 1.
 * @throws Error when a listed axis is out of range or does not have size 1 (naming it and x's shape).
 * @example
 * ```ts
 * import { squeeze, tensor } from '@chainrule/core';
 * squeeze(tensor([[[1], [2]]])).shape; // [2]
 * squeeze(tensor([[1, 2]]), 0).shape; // [2]
 * ```
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  expectTensor('squeeze', 'x', x);
  if (axis !== undefined && typeof axis !== 'number') expectList('squeeze', 'axis', axis);
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, x.rank));
  axes.forEach((a) => { if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${fmt(x.shape)} has size ${x.shape[a]}, not 1`); });
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * All of x's values as one axis, in order (a reshape to [x.size]).
 *
 * x: any shape; returns [x.size] in x's dtype.
 * @throws Error when x is not a Tensor.
 * @example
 * ```ts
 * import { flatten, tensor } from '@chainrule/core';
 * flatten(tensor([[1, 2], [3, 4]])).toArray(); // [1, 2, 3, 4]
 * ```
 */
export function flatten(x: Tensor): Tensor {
  expectTensor('flatten', 'x', x);
  return reshape(x, [x.size]);
}

/**
 * The movement family's table: each row holds the op (`row.op`, as in {@link builtinOps}), its public
 * function (`row.fn`) and how it becomes a Tensor method. Core derives its exports and methods from it.
 */
export const shapeOps = opTable({
  /** The `reshape` op and {@link reshape}. */
  reshape: opRow(reshapeOp, reshape),
  /** The `permute` op and {@link permute}. */
  permute: opRow(permuteOp, permute),
  /** The `broadcastTo` op and {@link broadcastTo}. */
  broadcastTo: opRow(broadcastToOp, broadcastTo),
  /** The `slice` op and {@link slice}. */
  slice: opRow(sliceOp, slice),
  /** The `pad` op and {@link pad}. */
  pad: opRow(padOp, pad),
  /** The variadic `concat` op and {@link concat}; its method takes the others as a list. */
  concat: opRow(concatOp, concat, 'list'),
});

/**
 * The movement functions that are not ops of their own, built from permute, reshape and concat; core
 * exports them and makes them Tensor methods.
 */
export const shapeComposites = compositeTable({
  /** {@link transpose}, a permute. */
  transpose: compositeRow(transpose),
  /** {@link expandDims}, a reshape. */
  expandDims: compositeRow(expandDims),
  /** {@link squeeze}, a reshape. */
  squeeze: compositeRow(squeeze),
  /** {@link flatten}, a reshape. */
  flatten: compositeRow(flatten),
  /** {@link stack}, expandDims then concat; its method takes the others as a list. */
  stack: compositeRow(stack, 'list'),
});

// The methods this table gives (x.f(...) for f(x, ...)), checked against it in ./builtins.ts.
declare module '../tensor.ts' {
  interface Tensor {
    /** {@link reshape} as a method: `x.reshape(shape)`. */
    reshape: SelfMethod<typeof reshape>;
    /** {@link permute} as a method: `x.permute(perm)`. */
    permute: SelfMethod<typeof permute>;
    /** {@link broadcastTo} as a method: `x.broadcastTo(shape)`. */
    broadcastTo: SelfMethod<typeof broadcastTo>;
    /** {@link slice} as a method: `x.slice(begin, size)`. */
    slice: SelfMethod<typeof slice>;
    /** {@link pad} as a method: `x.pad(before, after)`. */
    pad: SelfMethod<typeof pad>;
    /** {@link concat} as a method, this tensor followed by `others` along `axis`: `x.concat([y, z], 1)` is `concat([x, y, z], 1)`. */
    concat: ListMethod<typeof concat>;
    /** {@link transpose} as a method: `x.transpose()`. */
    transpose: SelfMethod<typeof transpose>;
    /** {@link expandDims} as a method: `x.expandDims(axis)`. */
    expandDims: SelfMethod<typeof expandDims>;
    /** {@link squeeze} as a method: `x.squeeze()`. */
    squeeze: SelfMethod<typeof squeeze>;
    /** {@link flatten} as a method: `x.flatten()`. */
    flatten: SelfMethod<typeof flatten>;
    /** {@link stack} as a method, this tensor and `others` along a new axis: `x.stack([y])` is `stack([x, y])`. */
    stack: ListMethod<typeof stack>;
  }
}
