/**
 * Random op inputs for the gradcheck property suite: shapes of rank 0–4 in broadcast-compatible
 * groups, and values inside an op's domain that keep clear of its kinks (relu at 0, log near 0).
 */
import type * as FastCheck from 'fast-check';
import type { OpSample } from '../ops/define.ts';

/** The fast-check module, however it was imported. */
export type FC = Omit<typeof FastCheck, 'default'>;
type Arb<T> = FastCheck.Arbitrary<T>;

export interface Domain {
  readonly min?: number;
  readonly max?: number;
  /** Points where the op has a kink; values stay at least 0.05 away. */
  readonly avoid?: readonly number[];
  /** All values distinct (and distinct across inputs): needed where ties are kinks (max, min). */
  readonly distinct?: boolean;
}

const GRID = 1000;

/** Values on a fine grid inside [min, max]; input k is offset by a fraction of a step so inputs never tie. */
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

export interface ShapeOptions { readonly minRank?: number; readonly maxRank?: number; readonly maxDim?: number }

export function shapeArb(fc: FC, { minRank = 0, maxRank = 4, maxDim = 4 }: ShapeOptions = {}): Arb<number[]> {
  return fc.integer({ min: minRank, max: maxRank }).chain((rank) =>
    fc.array(fc.integer({ min: 1, max: rank >= 4 ? Math.min(3, maxDim) : maxDim }), { minLength: rank, maxLength: rank }));
}

/** n shapes that broadcast together: each drops some leading dims of a base shape and sets some dims to 1. */
export function broadcastGroup(fc: FC, n: number, options: ShapeOptions = {}): Arb<number[][]> {
  return shapeArb(fc, options).chain((base) =>
    fc.tuple(...Array.from({ length: n }, () =>
      fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }))
        .map(([drop, ones]) => base.map((d, i) => (ones[i] ? 1 : d)).slice(drop)))));
}

/** A sample from a shape generator, one domain per input, and optional attributes that may depend on shapes. */
export function sampleFrom<A>(
  fc: FC, shapes: Arb<number[][]>, domains: readonly Domain[], attrs?: (shapes: number[][], fc: FC) => Arb<A>,
): Arb<OpSample<A>> {
  return shapes.chain((ss) =>
    fc.record({
      inputs: fc.tuple(...ss.map((s, k) => valuesArb(fc, s, domains[k] ?? domains[0], k).map((values) => ({ shape: s, values })))),
      attrs: attrs ? attrs(ss, fc) : fc.constant({} as A),
    }));
}

export const sampleUnary = <A = Record<string, never>>(domain: Domain = {}, attrs?: (shapes: number[][], fc: FC) => Arb<A>, shape: ShapeOptions = {}) =>
  (fc: FC) => sampleFrom(fc, shapeArb(fc, shape).map((s) => [s]), [domain], attrs);

export const sampleBinary = (a: Domain = {}, b: Domain = a) =>
  (fc: FC) => sampleFrom(fc, broadcastGroup(fc, 2), [a, b]);

/** An axis (or undefined) valid for the first input's rank. */
export const axisArb = (fc: FC, rank: number, allowAll = true): Arb<number | undefined> =>
  rank === 0 ? fc.constant(undefined) : allowAll ? fc.option(fc.integer({ min: -rank, max: rank - 1 }), { nil: undefined }) : fc.integer({ min: -rank, max: rank - 1 });
