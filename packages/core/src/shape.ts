/** Shape arithmetic: sizes, strides, NumPy broadcasting and axis normalisation. */
import { describeValue } from './describe-value.ts';

/** The size of each dimension of a tensor, outermost first: [] for a scalar, [batch, features] for a matrix of rows. */
export type Shape = readonly number[];

/**
 * A shape as error messages write it: [2,3]. A dimension that is not a number shows as given (['2',3]
 * reads ["2",3]), so it is not mistaken for one.
 *
 * @example
 * ```ts
 * import { formatShape } from '@chainrule/core';
 * formatShape([64, 784]); // '[64,784]'
 * ```
 */
export const formatShape = (shape: Shape): string =>
  `[${shape.map((d) => (typeof d === 'number' ? d : typeof d === 'string' ? JSON.stringify(d) : String(d))).join(',')}]`;

/**
 * The number of values a tensor of `shape` holds: the product of its dimensions (1 for []). It does not check the shape.
 *
 * @example
 * ```ts
 * import { sizeOf } from '@chainrule/core';
 * sizeOf([2, 3, 4]);   // 24
 * ```
 */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(where: string, shape: Shape): Shape {
  if (!Array.isArray(shape)) throw new Error(`${where}: shape must be an array of dimensions, got ${describeValue(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number') throw new Error(`${where}: dimension ${i} of shape ${fmt(shape)} is ${describeValue(d)}, not a number`);
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${where}: invalid dimension ${d} in shape ${fmt(shape)}; dimensions must be non-negative integers`);
    }
  }
  return shape;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** The name the engine's own messages use for {@link formatShape}. */
export const fmt = formatShape;

/**
 * Whether two shapes are equal, dimension by dimension ([] and [] are; [3] and [3,1] are not).
 *
 * @example
 * ```ts
 * import { sameShape } from '@chainrule/core';
 * sameShape([2, 3], [2, 3]); // true
 * ```
 */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a === b) return true; // tensors of one shape share one frozen array (tensor.ts), so this is the common answer
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The shape that `shapes` broadcast to under NumPy's rules (aligned from the right; a 1 stretches to
 * the other size; missing leading dimensions count as 1). `op` names the caller in the error.
 *
 * @throws Error when two shapes differ in a dimension where neither is 1, naming the op, every shape and the dimension.
 * @example
 * ```ts
 * import { broadcastShapes } from '@chainrule/core';
 * broadcastShapes('add', [4, 1, 3], [2, 1]);   // [4, 2, 3]
 * ```
 */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  // The common case, two equal shapes, without the general loop (this runs for every binary op).
  if (shapes.length === 2 && sameShape(shapes[0]!, shapes[1]!)) return shapes[0]!.slice();
  let rank = 0;
  for (const s of shapes) if (s.length > rank) rank = s.length;
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      if (d === out[j] || d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else throw new Error(`${op}: shapes ${shapes.map(fmt).join(' and ')} cannot be broadcast together (dimension ${j}: ${out[j]} vs ${d})`);
    }
  }
  return out;
}

/** Strides for reading an input of `shape` as if broadcast to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  if (shape.length === outShape.length && sameShape(shape, outShape)) {
    for (let i = 0; i < own.length; i++) if (shape[i] === 1) own[i] = 0;
    return own;
  }
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const j = outShape.length - shape.length + i;
    out[j] = shape[i] === 1 ? 0 : own[i]!;
  }
  return out;
}

/** Normalises `axis` (number, list or undefined = all) to sorted, unique, non-negative axes. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new Error(`${op}: axis must be a number, a list of numbers or undefined (all axes), got ${describeValue(axis)}`);
  }
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new Error(`${op}: repeated axis in ${JSON.stringify(list)}`);
  return out.sort((a, b) => a - b);
}

export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (typeof axis !== 'number') throw new Error(`${op}: axis is ${describeValue(axis)}, not a whole number`);
  if (!Number.isInteger(axis)) throw new Error(`${op}: axis ${axis} is not a whole number`);
  if (axis < -rank || axis >= rank) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (valid: ${-rank}..${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** The shape left after reducing `axes`, keeping them as 1s when `keepDims`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!axes.includes(i)) out.push(shape[i]!);
    else if (keepDims) out.push(1);
  }
  return out;
}
