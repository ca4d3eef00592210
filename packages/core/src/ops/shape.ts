/** Shape ops: reshape, permute, broadcast, slice/pad, concat/stack, gather/scatter, one-hot. */
import { type DType } from '../dtype.ts';
import { allocate } from '../backend/index.ts';
import { kernels } from '../backend/index.ts';
import { broadcastShapes, broadcastStrides, checkShape, fmt, normalizeAxis, sameShape, sizeOf, stridesOf, type Shape } from '../shape.ts';
import { Tensor, type NestedArray } from '../tensor.ts';
import { sampleUnary, shapeArb, valuesArb } from '../testing/sample.ts';
import { defineOp, type OpDef } from './define.ts';
import { checkAllocatable, checkCount, expectList, expectTensor, expectTensors } from '../validate.ts';
import { inferShape } from '../creation.ts';
import { checkIndices } from './check-indices.ts';

export const reshapeOp = defineOp<{ shape: number[] }>({
  name: 'reshape', arity: 1,
  // Tensors are immutable, so a reshape shares the input's data.
  forward: ([x], { shape }) => ({ shape, data: x!.data }),
  vjp: ([x], _, g) => [reshape(g, x!.shape)],
  sample: (fc) => sampleUnary<{ shape: number[] }>({}, ([s]) =>
    fc.constantFrom([sizeOf(s!)], [...s!].reverse(), [1, ...s!]).map((shape) => ({ shape })))(fc),
  describe: ({ shape }) => fmt(shape),
});

export const permuteOp = defineOp<{ perm: number[] }>({
  name: 'permute', arity: 1,
  forward: ([x], { perm }) => {
    const strides = stridesOf(x!.shape);
    const shape = perm.map((p) => x!.shape[p]!);
    const out = allocate(x!.dtype, x!.size);
    kernels().copyStrided(x!.data, 0, perm.map((p) => strides[p]!), shape, out);
    return { shape, data: out };
  },
  vjp: (_, __, g, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => { inverse[p] = i; });
    return [permute(g, inverse)];
  },
  sample: (fc) => sampleUnary<{ perm: number[] }>({}, ([s]) =>
    fc.shuffledSubarray(s!.map((_, i) => i), { minLength: s!.length, maxLength: s!.length }).map((perm) => ({ perm })))(fc),
  describe: ({ perm }) => `perm=[${perm}]`,
});

export const broadcastToOp = defineOp<{ shape: number[] }>({
  name: 'broadcastTo', arity: 1,
  forward: ([x], { shape }) => {
    const out = allocate(x!.dtype, sizeOf(shape));
    kernels().copyStrided(x!.data, 0, broadcastStrides(x!.shape, shape), shape, out);
    return { shape, data: out };
  },
  // The engine sums the cotangent back to x's shape.
  vjp: (_, __, g) => [g],
  sample: (fc) => sampleUnary<{ shape: number[] }>({}, ([s]) =>
    fc.constant({ shape: [2, ...s!.map((d) => (d === 1 ? 3 : d))] }), { maxRank: 3 })(fc),
  describe: ({ shape }) => fmt(shape),
});

type SliceAttrs = { begin: number[]; size: number[] };
export const sliceOp = defineOp<SliceAttrs>({
  name: 'slice', arity: 1,
  forward: ([x], { begin, size }) => {
    const strides = stridesOf(x!.shape);
    const out = allocate(x!.dtype, sizeOf(size));
    kernels().copyStrided(x!.data, begin.reduce((o, b, d) => o + b * strides[d]!, 0), strides, size, out);
    return { shape: size, data: out };
  },
  vjp: ([x], _, g, { begin, size }) => [pad(g, begin, x!.shape.map((d, i) => d - begin[i]! - size[i]!))],
  sample: (fc) => shapeArb(fc, { minRank: 1 }).chain((shape) =>
    fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: d - b }))))).chain((bs) =>
      valuesArb(fc, shape).map((values) => ({ inputs: [{ shape, values }], attrs: { begin: bs.map(([b]) => b), size: bs.map(([, s]) => s) } })))),
  describe: ({ begin, size }) => `begin=[${begin}] size=[${size}]`,
});

type PadAttrs = { before: number[]; after: number[] };
export const padOp = defineOp<PadAttrs>({
  name: 'pad', arity: 1,
  forward: ([x], { before, after }) => {
    const shape = x!.shape.map((d, i) => d + before[i]! + after[i]!);
    const out = allocate(x!.dtype, sizeOf(shape));
    kernels().pad(x!.data, x!.shape, before, shape, out);
    return { shape, data: out };
  },
  vjp: ([x], _, g, { before }) => [slice(g, before, [...x!.shape])],
  sample: (fc) => shapeArb(fc, { maxRank: 3 }).chain((shape) => fc.record({
    inputs: valuesArb(fc, shape).map((values) => [{ shape, values }]),
    attrs: fc.record({
      before: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
      after: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
    }),
  })),
  describe: ({ before, after }) => `before=[${before}] after=[${after}]`,
});

export const concatOp = defineOp<{ axis: number }>({
  name: 'concat',
  forward: (xs, { axis }) => {
    const first = xs[0]!;
    const outer = sizeOf(first.shape.slice(0, axis));
    const shape = [...first.shape];
    shape[axis] = xs.reduce((n, x) => n + x.shape[axis]!, 0);
    const out = allocate(first.dtype, sizeOf(shape));
    kernels().concat(xs.map((x) => x.data), xs.map((x) => x.size / Math.max(outer, 1)), outer, out);
    return { shape, data: out };
  },
  vjp: (xs, _, g, { axis }) => {
    let start = 0;
    return xs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? start : 0));
      start += x.shape[axis]!;
      return slice(g, begin, [...x.shape]);
    });
  },
  sample: (fc) => shapeArb(fc, { minRank: 1, maxRank: 3 }).chain((shape) =>
    fc.tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: 3 })).chain(([axis, n]) =>
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n }).chain((lens) =>
        fc.tuple(...lens.map((len) => { const s = shape.map((d, i) => (i === axis ? len : d)); return valuesArb(fc, s).map((values) => ({ shape: s, values })); }))
          .map((inputs) => ({ inputs, attrs: { axis } }))))),
  describe: ({ axis }) => `axis=${axis}`,
});

type GatherAttrs = { axis: number; indices: Int32Array; indicesShape: number[] };
/** [outer, len, inner] around the gather axis. */
const aroundAxis = (shape: Shape, axis: number): [number, number, number] =>
  [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];

export const gatherOp: OpDef<GatherAttrs> = defineOp<GatherAttrs>({
  name: 'gather', arity: 1,
  forward: ([x], { axis, indices, indicesShape }) => {
    const [outer, len, inner] = aroundAxis(x!.shape, axis);
    checkIndices('gather', indices, axis, len);
    const out = allocate(x!.dtype, indices.length);
    kernels().gather(x!.data, outer, len, inner, indices, out);
    return { shape: indicesShape, data: out };
  },
  vjp: ([x], _, g, attrs) => [scatterAddOp.run([g], { ...attrs, shape: [...x!.shape] })],
  sample: (fc) => shapeArb(fc, { minRank: 1, maxRank: 3 }).chain((shape) =>
    fc.tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: 4 })).chain(([axis, m]) => {
      const indicesShape = shape.map((d, i) => (i === axis ? m : d));
      return fc.record({
        inputs: valuesArb(fc, shape).map((values) => [{ shape, values }]),
        attrs: fc.array(fc.integer({ min: 0, max: shape[axis]! - 1 }), { minLength: sizeOf(indicesShape), maxLength: sizeOf(indicesShape) })
          .map((is) => ({ axis, indices: Int32Array.from(is), indicesShape })),
      });
    })),
  describe: ({ axis }) => `axis=${axis}`,
});

export const scatterAddOp: OpDef<GatherAttrs & { shape: number[] }> = defineOp<GatherAttrs & { shape: number[] }>({
  name: 'scatterAdd', arity: 1,
  forward: ([g], { axis, indices, shape }) => {
    const [outer, len, inner] = aroundAxis(shape, axis);
    checkIndices('scatterAdd', indices, axis, len);
    const out = allocate(g!.dtype, sizeOf(shape));
    kernels().scatterAdd(g!.data, outer, len, inner, indices, out);
    return { shape, data: out };
  },
  vjp: (_, __, g, { axis, indices, indicesShape }) => [gatherOp.run([g], { axis, indices, indicesShape })],
  describe: ({ axis }) => `axis=${axis}`,
});

// ---- public functions

/** A new shape with the same number of elements; one dimension may be -1 (inferred). */
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

/** Reorders axes: output axis i is input axis perm[i]. */
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

/** Reverses the axes (a matrix transpose for rank 2), or applies `perm` when given. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  expectTensor('transpose', 'x', x);
  return permute(x, perm ?? x.shape.map((_, i) => x.rank - 1 - i));
}

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
 * The block starting at `begin` with `size` elements per axis (TensorFlow's slice);
 * a size of -1 takes the rest of that axis.
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  expectTensor('slice', 'x', x);
  expectList('slice', 'begin', begin);
  if (size !== undefined) expectList('slice', 'size', size);
  if (begin.length !== x.rank || (size && size.length !== x.rank)) {
    throw new Error(`slice: begin [${begin}]${size ? ` and size [${size}]` : ''} must have one entry per axis of ${fmt(x.shape)}`);
  }
  const sz = x.shape.map((d, i) => (size === undefined || size[i] === -1 ? d - begin[i]! : size[i]!));
  x.shape.forEach((d, i) => {
    const [b, s] = [begin[i]!, sz[i]!];
    if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 || b + s > d) {
      throw new Error(`slice: begin [${begin}] with size [${sz}] is out of range for ${fmt(x.shape)} (axis ${i})`);
    }
  });
  if (sameShape(sz, x.shape)) return x;
  return sliceOp.run([x], { begin: [...begin], size: sz });
}

/** Surrounds x with zeros: before[i] and after[i] entries on axis i. */
export function pad(x: Tensor, before: readonly number[], after: readonly number[]): Tensor {
  expectTensor('pad', 'x', x);
  expectList('pad', 'before', before);
  expectList('pad', 'after', after);
  if (before.length !== x.rank || after.length !== x.rank) throw new Error(`pad: need one before/after entry per axis of ${fmt(x.shape)}`);
  checkShape('pad', [...before, ...after]);
  checkAllocatable('pad', x.shape.map((d, i) => d + before[i]! + after[i]!), x.dtype);
  return padOp.run([x], { before: [...before], after: [...after] });
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  expectTensors('concat', 'xs', xs);
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const first = xs[0]!;
  const a = normalizeAxis('concat', axis, first.rank);
  xs.forEach((x) => {
    if (x.rank !== first.rank || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${xs.map((t) => fmt(t.shape)).join(', ')} differ outside axis ${a}`);
    }
  });
  return concatOp.run(xs, { axis: a });
}

/** Joins tensors of one shape along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  expectTensors('stack', 'xs', xs);
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  const a = normalizeAxis('stack', axis, xs[0]!.rank + 1);
  xs.forEach((x) => {
    if (!sameShape(x.shape, xs[0]!.shape)) throw new Error(`stack: shapes ${xs.map((t) => fmt(t.shape)).join(', ')} differ`);
  });
  return concat(xs.map((x) => expandDims(x, a)), a);
}

export function expandDims(x: Tensor, axis: number): Tensor {
  expectTensor('expandDims', 'x', x);
  const a = normalizeAxis('expandDims', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Drops axes of size 1 (all of them, or the ones listed). */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  expectTensor('squeeze', 'x', x);
  if (axis !== undefined && typeof axis !== 'number') expectList('squeeze', 'axis', axis);
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, x.rank));
  axes.forEach((a) => { if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${fmt(x.shape)} has size ${x.shape[a]}, not 1`); });
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

export function flatten(x: Tensor): Tensor {
  expectTensor('flatten', 'x', x);
  return reshape(x, [x.size]);
}

/** Integer indices from a tensor, typed array or (nested) list, checked to be whole numbers. */
export function toIndices(where: string, indices: Tensor | Int32Array | NestedArray): { data: Int32Array; shape: number[] } {
  if (indices instanceof Tensor) return { data: checkedInts(where, indices.data), shape: [...indices.shape] };
  if (indices instanceof Int32Array) return { data: indices, shape: [indices.length] };
  if (ArrayBuffer.isView(indices)) return { data: checkedInts(where, indices as unknown as ArrayLike<number>), shape: [(indices as unknown as ArrayLike<number>).length] };
  // Nested lists are walked as tensor() walks them: ragged lists, non-numbers and cycles are refused.
  const shape = inferShape(indices, where);
  const flat = Array.isArray(indices) ? (indices as NestedArray[]).flat(Infinity as 1) as number[] : [indices];
  return { data: checkedInts(where, flat), shape };
}

function checkedInts(where: string, values: ArrayLike<number>): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) throw new Error(`${where}: index ${v} at position ${i} is not an integer`);
    out[i] = v;
  }
  return out;
}

/**
 * Picks x's values along `axis` at the given indices (PyTorch's gather, NumPy's take_along_axis):
 * indices has x's rank and shape except on `axis`. `gather(logits, labels[:, None], 1)` picks
 * each row's class score.
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

/** One row per label with a 1 in the label's column: shape [...labels.shape, depth]. Not differentiable. */
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
