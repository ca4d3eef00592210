/**
 * max and min of nothing: they have no identity, so reducing an empty axis would silently give ∓Infinity.
 * NumPy raises ("zero-size array to reduction operation maximum which has no identity"), and so do we, for
 * any reduced axis of length 0. sum (0), mean (NaN) and logsumexp (−∞) have an answer and keep it.
 */
import { fmt, type Shape } from '../shape.ts';

const noun = { max: 'maximum', min: 'minimum' } as const;

export function checkReducible(op: 'max' | 'min', shape: Shape, axes: readonly number[]): void {
  let empty: number[] | undefined;
  for (const a of axes) if (shape[a] === 0) (empty ??= []).push(a);
  if (!empty) return;
  const where = empty.length === 1 ? `axis ${empty[0]}` : `axes [${empty}]`;
  throw new Error(`${op}: zero-size tensor ${fmt(shape)} along ${where} has no ${noun[op]} (${op} has no identity)`);
}
