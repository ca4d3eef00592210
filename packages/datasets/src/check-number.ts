/**
 * The number checks the 2-D classification sets share beyond validate.ts's: a noise or spread that
 * must be a finite number ≥ 0, and a share below 1, named as the user wrote them.
 */
import { describeValue } from '@chainrule/core';

/** A standard deviation or spread: a finite number ≥ 0 (NaN and Infinity fail `>= 0` or the finite test). */
export function finiteNonNegative(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity) throw new Error(`${where}: ${what} must be a finite number ≥ 0, got ${describeValue(value)}`);
  return value;
}

/** A share of something below 1: in (0, 1), or [0, 1) when 0 is allowed; `why` says what it is a share of. */
export function fraction(where: string, what: string, value: unknown, zeroAllowed: boolean, why: string): number {
  const ok = typeof value === 'number' && value < 1 && (zeroAllowed ? value >= 0 : value > 0);
  if (!ok) throw new Error(`${where}: ${what} must be a number in ${zeroAllowed ? '[0, 1)' : '(0, 1)'} (${why}), got ${describeValue(value)}`);
  return value;
}
