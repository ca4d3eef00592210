/**
 * The engine trusts no VJP: what one returns is checked before it is used. It must be an array with one
 * entry per input, each null (no gradient) or a Tensor of the input's dtype whose shape is the input's, or
 * a broadcast of it that the op's output accounts for (the engine sums those back). A cotangent larger
 * than that, such as [4,2,3] for a [2,3] input of an op whose output is [2,3], would be summed down into a
 * gradient 4× too big, so it is an error naming the op, the input and what came back.
 */
import { describeValue } from '../describe-value.ts';
import { fmt, sameShape, type Shape } from '../shape.ts';
import { Tensor } from '../tensor.ts';

const vjpOf = (op: string) => `grad: the VJP of '${op}'`;

export function checkCotangentList(op: string, inputs: readonly Tensor[], cotangents: unknown): readonly unknown[] {
  if (!Array.isArray(cotangents)) {
    throw new Error(`${vjpOf(op)} returned ${describeValue(cotangents)}; it must return an array with one cotangent (a Tensor, or null for none) per input`);
  }
  if (cotangents.length !== inputs.length) {
    throw new Error(`${vjpOf(op)} returned ${cotangents.length} cotangent(s) for its ${inputs.length} input(s) (shapes ${inputs.map((x) => fmt(x.shape)).join(', ')})`);
  }
  return cotangents;
}

/** Checks cotangent `c` (not null) of input `i`; after this, sumToShape(c, input.shape) has the input's shape. */
export function checkCotangent(op: string, i: number, input: Tensor, out: Tensor, c: unknown): asserts c is Tensor {
  if (!(c instanceof Tensor)) {
    throw new Error(`${vjpOf(op)} returned ${describeValue(c)} for input ${i}; expected a Tensor (or null for no gradient)`);
  }
  if (c.dtype === input.dtype && broadcastFromOutput(c.shape, input.shape, out.shape)) return;
  const why = c.dtype === input.dtype && isBroadcastOf(c.shape, input.shape)
    ? ` (a broadcast the op's output ${fmt(out.shape)} does not account for: summing it would scale the gradient)` : '';
  throw new Error(`${vjpOf(op)} returned ${fmt(c.shape)} ${c.dtype} for input ${i}, which is ${fmt(input.shape)} ${input.dtype}${why}`);
}

/** Whether `x` broadcasts to `c` (NumPy's rules: leading axes added, 1s stretched). */
function isBroadcastOf(c: Shape, x: Shape): boolean {
  const lead = c.length - x.length;
  if (lead < 0) return false;
  for (let j = lead; j < c.length; j++) if (x[j - lead] !== c[j] && x[j - lead] !== 1) return false;
  return true;
}

/**
 * Whether c is x's shape, or a broadcast of x in which every broadcast axis is an axis of the output
 * (aligned from the right, as broadcasting aligns them) of the same size. Size-1 leading axes add nothing.
 */
function broadcastFromOutput(c: Shape, x: Shape, out: Shape): boolean {
  if (sameShape(c, x)) return true;
  if (!isBroadcastOf(c, x)) return false;
  const lead = c.length - x.length;
  const shift = c.length - out.length;
  for (let j = 0; j < c.length; j++) {
    const xd = j < lead ? undefined : x[j - lead];
    if (xd === c[j] || (xd === undefined && c[j] === 1)) continue;
    if (j - shift < 0 || out[j - shift] !== c[j]) return false;
  }
  return true;
}
