/**
 * Shape planning: a call's shapes and strides reduced to the few loops a wasm kernel runs, or null when
 * they do not reduce (the call then goes to the reference set). Plain locals, no arrays: planning runs on
 * every call, small ones included.
 */

/** The output as [outer, inner] with per-operand row strides and inner strides of 0 or 1. */
export interface Plan2d { outer: number; inner: number; aRow: number; aInner: number; bRow: number; bInner: number }

/** A binary op's plan, from the output's shape and the operands' (broadcast) strides; null if it needs more than two loops. */
export function plan2d(shape: readonly number[], aS: readonly number[], bS: readonly number[]): Plan2d | null {
  // Skip unit dims and merge neighbours that both operands walk as one (including both broadcast),
  // keeping at most two merged dims.
  let dims = 0;
  let s0 = 1, a0 = 0, b0 = 0, s1 = 1, a1 = 0, b1 = 0;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const sa = aS[d]!, sb = bS[d]!;
    if (dims === 0) { s0 = size; a0 = sa; b0 = sb; dims = 1; }
    else if (dims === 1 && a0 === sa * size && b0 === sb * size) { s0 *= size; a0 = sa; b0 = sb; }
    else if (dims === 1) { s1 = size; a1 = sa; b1 = sb; dims = 2; }
    else if (a1 === sa * size && b1 === sb * size) { s1 *= size; a1 = sa; b1 = sb; }
    else return null;
  }
  if (dims === 0) return { outer: 1, inner: 1, aRow: 0, aInner: 0, bRow: 0, bInner: 0 };
  if (dims === 1) {
    return (a0 === 0 || a0 === 1) && (b0 === 0 || b0 === 1) ? { outer: 1, inner: s0, aRow: 0, aInner: a0, bRow: 0, bInner: b0 } : null;
  }
  return (a1 === 0 || a1 === 1) && (b1 === 0 || b1 === 1) ? { outer: s0, inner: s1, aRow: a0, aInner: a1, bRow: b0, bInner: b1 } : null;
}

/** [outer, len, inner] for a sum over one block of consecutive axes (unit dims may sit anywhere), or null. */
export function reduceBlock(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const reduced = shape.map((s, d) => axes.includes(d) && s !== 1);
  const first = reduced.indexOf(true);
  if (first < 0) return null;
  const last = reduced.lastIndexOf(true);
  let outer = 1, len = 1, inner = 1;
  for (let d = 0; d < shape.length; d++) {
    if (d < first) outer *= shape[d]!;
    else if (d > last) inner *= shape[d]!;
    else if (reduced[d] || shape[d] === 1) len *= shape[d]!;
    else return null; // a kept dim between reduced ones
  }
  return [outer, len, inner];
}
