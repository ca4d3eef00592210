/** Unbroadcasting: what the engine does to every cotangent before adding it to its input's gradient. */
import { sameShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { sum } from '../ops/reduce.ts';
import { reshape } from '../ops/shape.ts';

/**
 * Sums a broadcast cotangent back to `shape`: leading extra axes, and axes where shape has a 1. What a
 * VJP returns for a broadcast input goes through it; a `g` that is not a broadcast of `shape` comes back
 * unchanged (the engine's check then names the op).
 *
 * @example
 * ```ts
 * import { ones, sumToShape } from '@chainrule/core';
 * sumToShape(ones([4, 2, 3]), [1, 3]).toArray();   // [[8, 8, 8]]
 * ```
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) return g;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  if (axes.length === 0) return g; // not a broadcast of shape: the caller's check names the op
  const s = sum(g, axes, true);
  // Drop the summed leading axes only if what is left is exactly `shape` (a [3,2] cotangent for a
  // [2,3] input has the right size but is wrong, and must reach the check unchanged).
  const rest = s.shape.slice(lead);
  return sameShape(rest, shape) ? reshape(s, shape) : s;
}
