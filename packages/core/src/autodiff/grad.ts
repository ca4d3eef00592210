/**
 * Reverse-mode differentiation. `grad` runs the backward pass (backward.ts) to the end: it walks the
 * recorded graph from y back to the xs in reverse topological order, calls each op's VJP, sums the
 * cotangent back to the input's shape, checks it, and adds it up over fan-out.
 */
import type { Tensor } from '../tensor.ts';
import { BackwardPass, type GradOptions } from './backward.ts';
import type { Tree } from './tree.ts';

export { gradientTarget, type GradOptions } from './backward.ts';
export { sumToShape } from './sum-to-shape.ts';

/**
 * dy/dx for each x (zeros where y does not depend on x), by reverse mode from the graph `y` recorded.
 * `xs` may be one tensor, an array, or any tree of tensors (arrays, plain objects, Immutable maps such
 * as Params): the result has its shape, and each gradient has its x's shape and dtype. With a seed c
 * (a non-scalar y) it is the vector-Jacobian product cᵀ·∂y/∂x. With `createGraph` the gradients are
 * themselves differentiable. It is `backwardPass(y, xs, options).gradients()`: step that to watch it.
 *
 * @throws Error when y or an x is not a Tensor, y has more than one element and no seed is given, the
 *   seed's shape or dtype differs from y's, or an op's VJP fails or returns a cotangent of the wrong shape (naming the op).
 * @example
 * ```ts
 * import { grad, tensor } from '@chainrule/core';
 * const x = tensor([1, 2, 3]), y = tensor([4, 5, 6]);
 * grad(x.mul(x).sum(), x).toArray();                       // [2, 4, 6]
 * const { a, b } = grad(x.mul(y).sum(), { a: x, b: y });   // a tree in, the same tree out: a is y, b is x
 * ```
 */
export function grad<T extends Tree>(y: Tensor, xs: T, options: GradOptions = {}): T {
  return new BackwardPass(y, xs, options).gradients();
}

/**
 * Wraps f so that calling it returns f's value and its gradient with respect to every argument (each
 * argument a tensor or a tree of them; `grads` has the arguments' structure). f must return a tensor
 * of one element, as for `grad` without a seed.
 *
 * @throws Error (from the call) as `grad` does, e.g. when f's value has more than one element.
 * @example
 * ```ts
 * import { Tensor, tensor, valueAndGrad } from '@chainrule/core';
 * const f = valueAndGrad((w: Tensor, x: Tensor) => x.matmul(w).square().mean());
 * const { value, grads: [dw, dx] } = f(tensor([[1], [2]]), tensor([[3, 4]]));
 * ```
 */
export function valueAndGrad<Args extends Tree[]>(f: (...args: Args) => Tensor, options: Omit<GradOptions, 'seed'> = {}) {
  return (...args: Args): {
    /** What f returned. */
    value: Tensor;
    /** d value / d argument, for every argument in order, each with its argument's structure, shapes and dtypes. */
    grads: Args;
  } => {
    const value = f(...args);
    return { value, grads: grad(value, args, options) as Args };
  };
}
