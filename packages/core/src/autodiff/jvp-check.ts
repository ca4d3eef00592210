/**
 * The engine trusts no JVP rule, as it trusts no VJP (check-vjp.ts): what a rule returns must be null (no
 * tangent) or a Tensor of the output's dtype whose shape is the output's, or broadcasts to it (then it is
 * broadcast up). Anything else would flow on silently into later ops, so it is an error naming the op.
 */
import { describeValue } from '../describe-value.ts';
import { broadcastTo } from '../ops/shape.ts';
import { fmt, sameShape, type Shape } from '../shape.ts';
import { Tensor } from '../tensor.ts';

const jvpOf = (op: string) => `jvp: the JVP of '${op}'`;

/** Whether `x` broadcasts to `target` (NumPy's rules: leading axes added, 1s stretched). */
function broadcastsTo(x: Shape, target: Shape): boolean {
  const lead = target.length - x.length;
  if (lead < 0) return false;
  for (let j = 0; j < x.length; j++) if (x[j] !== target[j + lead] && x[j] !== 1) return false;
  return true;
}

/** The tangent `returned` by op's rule, checked against its output `out` and broadcast to out's shape. */
export function checkTangent(op: string, inputs: readonly Tensor[], out: Tensor, returned: unknown): Tensor | null {
  if (returned === null) return null;
  const where = () => `(inputs ${inputs.map((x) => fmt(x.shape)).join(', ') || '(none)'}, output ${fmt(out.shape)} ${out.dtype})`;
  if (!(returned instanceof Tensor)) {
    throw new Error(`${jvpOf(op)} returned ${describeValue(returned)}; expected a Tensor of the output's shape (or null for no tangent) ${where()}`);
  }
  if (returned.dtype !== out.dtype || !broadcastsTo(returned.shape, out.shape)) {
    throw new Error(`${jvpOf(op)} returned ${fmt(returned.shape)} ${returned.dtype}, but its output is ${fmt(out.shape)} ${out.dtype} ${where()}`);
  }
  return sameShape(returned.shape, out.shape) ? returned : broadcastTo(returned, out.shape);
}
