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

/** [outer, len, inner] for a reduction over one block of consecutive axes (unit dims may sit anywhere), or null. */
export function reduceBlock(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  // reduceSteps' first step, found in place (no copy of the shape, no list of steps: this runs on every
  // reduce call), and null when a reduced axis of size > 1 is left before it (a second step).
  let last = shape.length - 1;
  while (last >= 0 && !(axes.includes(last) && shape[last]! !== 1)) last--;
  if (last < 0) return null;
  let first = last;
  while (first > 0 && (axes.includes(first - 1) || shape[first - 1] === 1)) first--;
  for (let d = 0; d < first; d++) if (axes.includes(d) && shape[d]! !== 1) return null;
  return [product(shape, 0, first), product(shape, first, last + 1), product(shape, last + 1, shape.length)];
}

/** The output's strides against the input's dims: 0 along reduced axes, row-major over the kept ones. */
export function outStrides(shape: readonly number[], axes: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    if (!axes.includes(d)) { strides[d] = s; s *= shape[d]!; }
  }
  return strides;
}

/** The product of dims[from..to). A module function, not a closure: tsx names each closure it makes, at a cost. */
function product(dims: readonly number[], from: number, to: number): number {
  let p = 1;
  for (let d = from; d < to; d++) p *= dims[d]!;
  return p;
}

/**
 * A reduction as blocks run one after another, each on the previous one's result: [outer, len, inner]
 * for the last run of reduced axes, then the next run before it, and so on. A conv bias's gradient
 * (axes 0, 2, 3 of [n, c, h, w]) is two: [n·c, h·w, 1], then [1, n, c]. Null when nothing is reduced.
 */
export function reduceSteps(shape: readonly number[], axes: readonly number[]): [number, number, number][] | null {
  const dims = shape.slice();
  const steps: [number, number, number][] = [];
  for (;;) {
    let last = dims.length - 1;
    while (last >= 0 && !(axes.includes(last) && dims[last]! !== 1)) last--;
    if (last < 0) return steps.length ? steps : null;
    let first = last;
    while (first > 0 && (axes.includes(first - 1) || dims[first - 1] === 1)) first--;
    steps.push([product(dims, 0, first), product(dims, first, last + 1), product(dims, last + 1, dims.length)]);
    for (let d = first; d <= last; d++) dims[d] = 1;
  }
}

/**
 * Runs `block` over each of reduceSteps' blocks, through scratch arrays between them (`scratch(n)` makes
 * one of n values, `done` gives it back). False when nothing is reduced, so the caller takes another path.
 */
export function reduceInSteps<T>(shape: readonly number[], axes: readonly number[], x: T, out: T,
  block: (x: T, outer: number, len: number, inner: number, out: T) => void, scratch: (n: number) => T, done: (t: T) => void): boolean {
  const steps = reduceSteps(shape, axes);
  if (!steps) return false;
  let from = x;
  steps.forEach(([outer, len, inner], i) => {
    const to = i === steps.length - 1 ? out : scratch(outer * inner);
    block(from, outer, len, inner, to);
    if (from !== x) done(from);
    from = to;
  });
  return true;
}
