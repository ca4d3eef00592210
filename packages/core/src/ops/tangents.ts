/**
 * Helpers for the ops' forward-mode rules (`jvp`), where a null tangent is a zero one: terms that are
 * null are skipped rather than materialised as zeros.
 */
import type { Tensor } from '../tensor.ts';
import { add, mul } from './elementwise.ts';
import type { TensorLike } from './util.ts';

/** The sum of the terms that are not null; null when every one is (nothing flows). */
export function sumTerms(...terms: readonly (Tensor | null)[]): Tensor | null {
  let total: Tensor | null = null;
  for (const t of terms) if (t) total = total ? add(total, t) : t;
  return total;
}

/** t scaled by a factor (elementwise, broadcasting), or null for a null t. The factor is only computed when t is not null. */
export const scaled = (t: Tensor | null, factor: () => TensorLike): Tensor | null => (t ? mul(t, factor()) : null);
