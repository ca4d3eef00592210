/**
 * Reverse-mode differentiation. `grad` walks the recorded graph from y back to the xs in reverse
 * topological order (iteratively, so long chains cannot overflow the stack), calls each op's VJP,
 * sums the cotangent back to the input's shape, checks it, and adds it up over fan-out.
 */
import { fmt, sameShape } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { add } from '../ops/elementwise.ts';
import { reshape } from '../ops/shape.ts';
import { sum } from '../ops/reduce.ts';
import { full } from '../creation.ts';
import { noGrad, withRecording } from './state.ts';
import { checkCotangent, checkCotangentList } from './check-vjp.ts';
import { inUserWords } from '../ops/failure.ts';
import { notATensor } from '../validate.ts';
import { flatten, unflatten, type Tree } from './tree.ts';
import { topologicalOrder } from './topological.ts';

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions {
  /** The cotangent of y (dL/dy), of y's shape and dtype; required unless y has one element (then it defaults to 1). */
  readonly seed?: Tensor;
  /** Record the backward pass as ops, so the gradients can themselves be differentiated and drawn. */
  readonly createGraph?: boolean;
}

/** Which forward tensor each gradient (made with createGraph) is the gradient of; viz links them. */
const gradientOf = new WeakMap<Tensor, Tensor>();
/**
 * The tensor `g` is the gradient of, when `g` came out of `grad` with `createGraph`; otherwise undefined.
 * Graph drawings use it to link each gradient to its forward tensor.
 *
 * @example
 * ```ts
 * import { grad, gradientTarget, scalar } from '@chainrule/core';
 * const x = scalar(2);
 * gradientTarget(grad(x.mul(x), x, { createGraph: true })) === x;   // true
 * ```
 */
export const gradientTarget = (g: Tensor): Tensor | undefined => gradientOf.get(g);

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

const someNeeded = (inputs: readonly Tensor[], needed: ReadonlySet<number>): boolean => {
  for (let i = 0; i < inputs.length; i++) if (needed.has(inputs[i]!.id)) return true;
  return false;
};

/**
 * The backward pass: each needed node's VJP, newest first, its cotangents checked, summed to their
 * inputs' shapes and added up in `grads`. Plain loops and no closure per call: under tsx every named
 * closure costs ~1 µs, and this runs once per training step.
 */
function backward(order: readonly Tensor[], needed: ReadonlySet<number>, grads: Map<number, Tensor>): void {
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const g = grads.get(t.id);
    const node = t.node;
    if (!g || !node || !needed.has(t.id) || !someNeeded(node.inputs, needed)) continue;
    const inputs = node.inputs;
    const needs = new Array<boolean>(inputs.length);
    for (let i = 0; i < inputs.length; i++) needs[i] = needed.has(inputs[i]!.id);
    let returned: unknown;
    try {
      returned = node.op.spec.vjp!(inputs, t, g, node.attrs, node.saved, needs);
    } catch (e) {
      throw inUserWords(e, () => `grad: the VJP of '${node.op.name}' failed on inputs ${inputs.map((x) => fmt(x.shape)).join(', ')}`);
    }
    const cotangents = checkCotangentList(node.op.name, inputs, returned);
    for (let i = 0; i < inputs.length; i++) {
      const c = cotangents[i];
      const input = inputs[i]!;
      if (c === null || !needs[i]) continue;
      checkCotangent(node.op.name, i, input, t, c);
      const ci = sumToShape(c, input.shape);
      const prev = grads.get(input.id);
      grads.set(input.id, prev ? add(prev, ci) : ci);
    }
  }
}

function gradList(y: Tensor, xs: readonly Tensor[], options: GradOptions): Tensor[] {
  if (!(y instanceof Tensor)) throw notATensor('grad', 'y (the value to differentiate)', y);
  xs.forEach((x, i) => { if (!(x instanceof Tensor)) throw notATensor('grad', `xs[${i}]`, x); });
  if (options.seed !== undefined && !(options.seed instanceof Tensor)) throw notATensor('grad', 'seed', options.seed);
  const seed = options.seed ?? (() => {
    if (y.size !== 1) throw new Error(`grad: y has shape ${fmt(y.shape)}; pass { seed } (the cotangent dL/dy) to differentiate a non-scalar`);
    return full(y.shape, 1, { dtype: y.dtype });
  })();
  if (!sameShape(seed.shape, y.shape) || seed.dtype !== y.dtype) {
    throw new Error(`grad: seed ${fmt(seed.shape)} ${seed.dtype} does not match y ${fmt(y.shape)} ${y.dtype}`);
  }
  const order = topologicalOrder([y]);
  // Only tensors on a path to some x need a gradient.
  const needed = new Set<number>();
  for (let i = 0; i < xs.length; i++) needed.add(xs[i]!.id);
  for (const t of order) if (!needed.has(t.id) && t.node && someNeeded(t.node.inputs, needed)) needed.add(t.id);
  const grads = new Map<number, Tensor>([[y.id, seed]]);
  if (options.createGraph) withRecording(true, 'backward', () => backward(order, needed, grads));
  else noGrad(() => backward(order, needed, grads));
  return xs.map((x) => {
    const g = grads.get(x.id) ?? full(x.shape, 0, { dtype: x.dtype });
    if (options.createGraph) gradientOf.set(g, x);
    return g;
  });
}

/**
 * dy/dx for each x (zeros where y does not depend on x), by reverse mode from the graph `y` recorded.
 * `xs` may be one tensor, an array, or any tree of tensors (arrays, plain objects, Immutable maps such
 * as Params): the result has its shape, and each gradient has its x's shape and dtype. With a seed c
 * (a non-scalar y) it is the vector-Jacobian product cᵀ·∂y/∂x. With `createGraph` the gradients are
 * themselves differentiable.
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
  const { leaves, rebuild } = flatten(xs);
  return unflatten(rebuild, gradList(y, leaves, options)) as T;
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
