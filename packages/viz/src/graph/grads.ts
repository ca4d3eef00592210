/**
 * Which gradient belongs to which tensor. toDot takes either a Map (forward tensor → gradient) or
 * the tree `grad(y, xs, { createGraph: true })` returned, whose leaves know their tensor through
 * `gradientTarget`. Plain `grad` results do not: pair them with their xs using `gradMap`.
 */
import { describeValue, grad, gradientTarget, topologicalOrder, type Tensor, type Tree } from '@chainrule/core';
import { checkOutput } from './validate.ts';

/**
 * The gradients {@link toDot} prints: a Map from each tensor to its gradient ({@link allGrads},
 * {@link gradMap}), or the tree `grad(y, xs, { createGraph: true })` returned, whose gradients know their tensor.
 */
export type GradsInput = ReadonlyMap<Tensor, Tensor> | Tree;

/** The tensors of a tree in a fixed order: arrays, plain objects and Immutable keyed collections. */
export function treeLeaves(tree: unknown, where: string): Tensor[] {
  const out: Tensor[] = [];
  const visit = (t: unknown): void => {
    if (t && typeof t === 'object' && 'id' in t && 'shape' in t && 'data' in t) out.push(t as Tensor);
    else if (Array.isArray(t)) t.forEach(visit);
    else if (t && typeof (t as { valueSeq?: unknown }).valueSeq === 'function') {
      for (const v of (t as { valueSeq(): Iterable<unknown> }).valueSeq()) visit(v);
    } else if (t && typeof t === 'object') Object.values(t).forEach(visit);
    else throw new Error(`${where} must be a Tensor or a tree of tensors (arrays, objects, Immutable maps), but holds ${describeValue(t)}`);
  };
  visit(tree);
  return out;
}

/**
 * Pairs the xs given to `grad` with the gradients it returned (same tree shape), for
 * `toDot(y, { grads })` when the gradients were made without createGraph.
 *
 * @throws Error when the trees hold different numbers of tensors, or something that is not a tensor.
 * @example
 * ```ts
 * import { grad, tensor } from '@chainrule/core';
 * import { gradMap, toDot } from '@chainrule/viz';
 * const w = tensor([1, 2], { name: 'w' });
 * const y = w.mul(w).sum();
 * const dot = toDot(y, { grads: gradMap({ w }, grad(y, { w })) });
 * ```
 */
export function gradMap(xs: Tree, grads: Tree): Map<Tensor, Tensor> {
  const a = treeLeaves(xs, 'gradMap: xs');
  const b = treeLeaves(grads, 'gradMap: grads');
  if (a.length !== b.length) throw new Error(`gradMap: ${a.length} tensors but ${b.length} gradients; pass the same tree given to grad`);
  return new Map(a.map((x, i) => [x, b[i]!]));
}

export function resolveGrads(input: GradsInput | undefined): Map<Tensor, Tensor> {
  if (input === undefined) return new Map();
  if (input instanceof Map) return new Map(input);
  const out = new Map<Tensor, Tensor>();
  for (const g of treeLeaves(input, 'toDot: option grads')) {
    const target = gradientTarget(g);
    if (!target) {
      throw new Error('toDot: a gradient does not know its tensor; make the gradients with grad(y, xs, { createGraph: true }) or pass gradMap(xs, grads)');
    }
    out.set(target, g);
  }
  return out;
}

/**
 * dy/dt for every tensor t in y's graph (micrograd shows a gradient on every node).
 * With createGraph the backward pass is recorded, so toDot can draw it with `backward: true`.
 *
 * @param y - the output: one element (a loss), as `grad` needs.
 * @returns each tensor of y's graph (y included) → its gradient, of the same shape and dtype.
 * @throws Error when y is not a Tensor, or (from `grad`) when it has more than one element.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { allGrads, toDot } from '@chainrule/viz';
 * const x = tensor([1, -2], { name: 'x' });
 * const y = x.relu().sum();
 * const dot = toDot(y, { grads: allGrads(y) });   // a gradient under every node
 * ```
 */
export function allGrads(y: Tensor, options: { createGraph?: boolean } = {}): Map<Tensor, Tensor> {
  checkOutput('allGrads', y);
  const tensors = topologicalOrder([y]);
  return gradMap(tensors, grad(y, tensors, { createGraph: options.createGraph ?? false }));
}

/**
 * Gradients of y (recorded with createGraph) with respect to its parameters: leaves with a scoped
 * name such as 'dense0/w', else any named leaf, else every leaf. This is what `toDot(y, { backward: true })`
 * differentiates with respect to when no `grads` are given.
 *
 * @param y - the output: one element (a loss).
 * @throws Error when y is not a Tensor, or (from `grad`) when it has more than one element.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { parameterGrads, toDot } from '@chainrule/viz';
 * const w = tensor([0.5, -1], { name: 'dense0/w' });
 * const y = w.mul(tensor([3, 4])).sum();
 * const dot = toDot(y, { grads: parameterGrads(y), backward: true });
 * ```
 */
export function parameterGrads(y: Tensor): Map<Tensor, Tensor> {
  checkOutput('parameterGrads', y);
  const leaves = topologicalOrder([y]).filter((t) => !t.node);
  const scoped = leaves.filter((t) => t.name?.includes('/'));
  const named = leaves.filter((t) => t.name !== undefined);
  const xs = scoped.length ? scoped : named.length ? named : leaves;
  return gradMap(xs, grad(y, xs, { createGraph: true }));
}
