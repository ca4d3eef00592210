/**
 * Random op inputs for the gradcheck property suite: shapes of rank 0–4 in broadcast-compatible
 * groups, and values inside an op's domain that keep clear of its kinks (relu at 0, log near 0).
 */
import type * as FastCheck from 'fast-check';
import type { OpSample } from '../ops/define.ts';

/** The fast-check module, however it was imported. */
export type FC = Omit<typeof FastCheck, 'default'>;
type Arb<T> = FastCheck.Arbitrary<T>;

/** Where an input's values are drawn: an interval, points to keep away from, and whether they must differ. */
export interface Domain {
  /** The least value (default -3). */
  readonly min?: number;
  /** The greatest value (default 3). */
  readonly max?: number;
  /** Points where the op has a kink; values stay at least 0.05 away. */
  readonly avoid?: readonly number[];
  /** All values distinct (and distinct across inputs): needed where ties are kinks (max, min). */
  readonly distinct?: boolean;
}

const GRID = 1000;

/**
 * Values on a fine grid inside [min, max] (1000 steps), as many as `shape` holds; input k is offset by
 * a fraction of a step so inputs never tie.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { valuesArb } from '@chainrule/core/testing';
 * fc.sample(valuesArb(fc, [2, 3], { min: 0.1, max: 5 }), 1);   // [[six numbers in [0.1, 5]]]
 * ```
 */
export function valuesArb(fc: FC, shape: readonly number[], domain: Domain = {}, inputIndex = 0): Arb<number[]> {
  const { min = -3, max = 3, avoid = [], distinct = false } = domain;
  const size = shape.reduce((a, b) => a * b, 1);
  const ints = distinct
    ? fc.uniqueArray(fc.integer({ min: 0, max: GRID - 1 }), { minLength: size, maxLength: size })
    : fc.array(fc.integer({ min: 0, max: GRID - 1 }), { minLength: size, maxLength: size });
  const step = (max - min) / GRID;
  return ints.map((is) => is.map((i) => {
    let v = min + step * (i + 0.25 + 0.5 * ((inputIndex * 0.37) % 1));
    for (const k of avoid) if (Math.abs(v - k) < 0.05) v = v < k ? k - 0.05 : k + 0.05;
    return v;
  }));
}

/** The shapes `shapeArb` and `broadcastGroup` draw. */
export interface ShapeOptions {
  /** The least rank (default 0, a scalar). */
  readonly minRank?: number;
  /** The greatest rank (default 4). */
  readonly maxRank?: number;
  /** The largest dimension (default 4; at most 3 at rank 4, to keep tensors small). Dimensions are at least 1. */
  readonly maxDim?: number;
}

/**
 * Random shapes of rank minRank..maxRank with dimensions 1..maxDim.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { shapeArb } from '@chainrule/core/testing';
 * fc.sample(shapeArb(fc, { minRank: 2, maxRank: 2 }), 3);   // e.g. [[3, 1], [4, 4], [2, 3]]
 * ```
 */
export function shapeArb(fc: FC, { minRank = 0, maxRank = 4, maxDim = 4 }: ShapeOptions = {}): Arb<number[]> {
  return fc.integer({ min: minRank, max: maxRank }).chain((rank) =>
    fc.array(fc.integer({ min: 1, max: rank >= 4 ? Math.min(3, maxDim) : maxDim }), { minLength: rank, maxLength: rank }));
}

/**
 * n shapes that broadcast together: each drops some leading dims of a base shape and sets some dims to 1.
 *
 * @example
 * ```ts
 * fc.sample(broadcastGroup(fc, 2), 1);   // e.g. [[[2, 1, 3], [4, 3]]]
 * ```
 */
export function broadcastGroup(fc: FC, n: number, options: ShapeOptions = {}): Arb<number[][]> {
  return shapeArb(fc, options).chain((base) =>
    fc.tuple(...Array.from({ length: n }, () =>
      fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }))
        .map(([drop, ones]) => base.map((d, i) => (ones[i] ? 1 : d)).slice(drop)))));
}

/**
 * Op samples from a generator of input shapes, one domain per input (the first reused for the rest),
 * and optional attributes that may depend on the shapes. The building block of `sampleUnary`/`sampleBinary`.
 *
 * @example
 * ```ts
 * import { sampleFrom, type FC } from '@chainrule/core/testing';
 * // matmul-like pairs [m, k] and [k, n]
 * const sample = (fc: FC) => sampleFrom(fc, fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)).map(([m, k, n]) => [[m + 1, k + 1], [k + 1, n + 1]]), [{}]);
 * ```
 */
export function sampleFrom<A>(
  fc: FC, shapes: Arb<number[][]>, domains: readonly Domain[], attrs?: (shapes: number[][], fc: FC) => Arb<A>,
): Arb<OpSample<A>> {
  return shapes.chain((ss) =>
    fc.record({
      inputs: fc.tuple(...ss.map((s, k) => valuesArb(fc, s, domains[k] ?? domains[0], k).map((values) => ({ shape: s, values })))),
      attrs: attrs ? attrs(ss, fc) : fc.constant({} as A),
    }));
}

/**
 * An op spec's `sample` for a one-input op: shapes of rank 0–4 (or as `shape` says), values in `domain`,
 * and optional attributes drawn from the shape.
 *
 * @example
 * ```ts
 * import { axisArb, sampleUnary } from '@chainrule/core/testing';
 * const logSample = sampleUnary({ min: 0.2, max: 5 });   // log's inputs: kept away from 0
 * const sumSample = sampleUnary({}, ([s], fc) => fc.record({ axis: axisArb(fc, s!.length) }));
 * ```
 */
export const sampleUnary = <A = Record<string, never>>(domain: Domain = {}, attrs?: (shapes: number[][], fc: FC) => Arb<A>, shape: ShapeOptions = {}) =>
  (fc: FC) => sampleFrom(fc, shapeArb(fc, shape).map((s) => [s]), [domain], attrs);

/**
 * An op spec's `sample` for a two-input elementwise op: two shapes that broadcast together (see
 * `broadcastGroup`), values in domains `a` and `b` (b defaults to a).
 *
 * @example
 * ```ts
 * import { sampleBinary } from '@chainrule/core/testing';
 * // division: any numerator, a denominator kept away from 0
 * const sample = sampleBinary({}, { min: 0.5, max: 3 });
 * ```
 */
export const sampleBinary = (a: Domain = {}, b: Domain = a) =>
  (fc: FC) => sampleFrom(fc, broadcastGroup(fc, 2), [a, b]);

/**
 * An axis valid for a tensor of `rank` (negative ones included), or, when `allowAll`, undefined (all
 * axes) too; always undefined for rank 0.
 *
 * @example
 * ```ts
 * fc.sample(axisArb(fc, 3), 4);   // e.g. [1, undefined, -3, 2]
 * ```
 */
export const axisArb = (fc: FC, rank: number, allowAll = true): Arb<number | undefined> =>
  rank === 0 ? fc.constant(undefined) : allowAll ? fc.option(fc.integer({ min: -rank, max: rank - 1 }), { nil: undefined }) : fc.integer({ min: -rank, max: rank - 1 });
