/** Small helpers shared by the op families: lifting numbers to tensors and running elementwise kernels. */
import { type DType } from '../dtype.ts';
import { allocate } from '../backend/index.ts';
import { kernels, type BinaryKernel, type UnaryKernel } from '../backend/index.ts';
import { broadcastShapes, broadcastStrides, sizeOf } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { describeValue } from '../describe-value.ts';
import type { Computed } from './define.ts';

/**
 * A tensor or a plain number. Binary ops take either: a number becomes a scalar of the other operand's
 * dtype (float32 when neither is a tensor), so `x.mul(2)` keeps x's dtype.
 */
export type TensorLike = Tensor | number;

/** Numbers become scalars of the other operand's dtype, so `x.mul(2)` keeps x's dtype. `op` and `what` name it in errors. */
export function lift(x: TensorLike, dtype: DType = 'float32', op = 'lift', what = 'the operand'): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`${op}: ${what} is ${describeValue(x)}, not a Tensor or a number${Array.isArray(x) ? '; wrap it with tensor()' : ''}`);
  const data = allocate(dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

/** Lifts a pair for `op`, taking the dtype from whichever side is a tensor. */
export function liftPair(op: string, a: TensorLike, b: TensorLike, fallback: DType = 'float32'): [Tensor, Tensor] {
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : fallback;
  return [lift(a, dtype, op, 'a'), lift(b, dtype, op, 'b')];
}

export function unaryKernel(op: UnaryKernel, x: Tensor, alpha = 0): Computed {
  const out = allocate(x.dtype, x.size, 'overwritten');
  kernels().unary(op, x.data, out, alpha);
  return { shape: x.shape, data: out };
}

export function binaryKernel(op: BinaryKernel, name: string, a: Tensor, b: Tensor): Computed {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = allocate(a.dtype, sizeOf(shape), 'overwritten');
  kernels().binary(op, a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), shape, out);
  return { shape, data: out };
}
