/**
 * Forward-mode differentiation. `jvp` runs f with its graph recorded, then walks that graph in
 * topological order from the primals to f's value, pushing tangents through each op: by the op's own
 * `jvp` rule, or by the fallback through its VJP (jvp-fallback.ts). Rules are written with ops, so the
 * tangents are themselves differentiable (a Hessian-vector product is the jvp of a gradient).
 */
import { full } from '../creation.ts';
import { describeValue } from '../describe-value.ts';
import type { OpDef } from '../ops/define.ts';
import { inUserWords } from '../ops/failure.ts';
import { shapeOps } from '../ops/shape.ts';
import { fmt, sameShape } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { jvpByVjp } from './jvp-fallback.ts';
import { checkTangent } from './jvp-check.ts';
import { treeLeaves } from './leaves.ts';
import { currentPhase, isRecording, withRecording } from './state.ts';
import { topologicalOrder } from './topological.ts';
import { flatten, unflatten, type Tree } from './tree.ts';

type Leaves = ReturnType<typeof treeLeaves>;

const shapesOf = (ls: readonly Tensor[]) => ls.map((t) => `${fmt(t.shape)} ${t.dtype}`).join(', ') || 'none';

/** tangents must have primals' structure, each leaf its primal's shape and dtype. */
function checkTangents(primals: Leaves, tangents: Leaves): void {
  if (tangents.leaves.length !== primals.leaves.length) {
    throw new Error(`jvp: tangents holds ${tangents.leaves.length} tensor(s) (${shapesOf(tangents.leaves)}) but primals holds ${primals.leaves.length} ` +
      `(${shapesOf(primals.leaves)}); give one tangent per primal, in primals' structure`);
  }
  const path = (name: string, root: string) => name.slice(root.length);
  primals.leaves.forEach((x, i) => {
    const v = tangents.leaves[i]!, [xn, vn] = [primals.names[i]!, tangents.names[i]!];
    if (path(xn, 'primals') !== path(vn, 'tangents')) {
      throw new Error(`jvp: tangents does not have primals' structure: ${vn} stands where primals has ${xn}`);
    }
    if (v.dtype !== x.dtype || !sameShape(v.shape, x.shape)) {
      throw new Error(`jvp: ${vn} is ${fmt(v.shape)} ${v.dtype} but ${xn} is ${fmt(x.shape)} ${x.dtype}; each tangent must match its primal in shape and dtype`);
    }
  });
}

/** f's value as leaves, or an error naming what f returned instead. */
function outputLeaves(y: unknown): Leaves {
  if (y instanceof Tensor) return { ...flatten(y), names: ['f(primals)'] };
  if (y === null || typeof y !== 'object') {
    throw new Error(`jvp: f returned ${describeValue(y)}, not a Tensor (or a tree of tensors); return the tensor itself, not .item() or .data`);
  }
  return treeLeaves('jvp', 'f(primals)', y, { nonEmpty: false });
}

/**
 * The primals as f's own inputs, each a new tensor sharing its primal's data, so that a primal given twice
 * or computed from another gets its own tangent (partial derivatives, as JAX's independent arguments).
 * When the caller records, each is a recorded reshape of its primal, so the results stay differentiable
 * with respect to the primals (nested derivatives).
 */
const independent = (primals: readonly Tensor[], recording: boolean): Tensor[] =>
  primals.map((x) => (recording ? shapeOps.reshape.op.run([x], { shape: [...x.shape] }) : x.detach()));

/** Pushes tangents (keyed by tensor id, the primals' set already) through `order`, each op once. */
function pushTangents(order: readonly Tensor[], tangentOf: Map<number, Tensor>): void {
  for (const t of order) {
    const node = t.node;
    if (!node) continue; // a constant: no tangent
    const tangents = node.inputs.map((x) => tangentOf.get(x.id) ?? null);
    if (tangents.every((v) => v === null)) continue;
    // Every node's op is an OpDef (defineOp makes them all); tensor.ts declares only what grad uses.
    const op = node.op as OpDef;
    let returned: unknown;
    try {
      returned = op.spec.jvp
        ? op.spec.jvp(node.inputs, t, tangents, node.attrs, node.saved)
        : jvpByVjp(op, node.inputs, t, tangents, node.attrs, node.saved);
    } catch (e) {
      throw inUserWords(e, () => `jvp: the JVP of '${op.name}' failed on inputs ${node.inputs.map((x) => fmt(x.shape)).join(', ')}`);
    }
    const dt = checkTangent(op.name, node.inputs, t, returned);
    if (dt) tangentOf.set(t.id, dt);
  }
}

/**
 * Forward mode: f's value at `primals` and its directional derivative along `tangents`, the
 * Jacobian-vector product J·tangents, in one pass (no per-output backward passes). f takes one argument,
 * `primals` as given: a tensor, an array or any tree of tensors (for several arguments pass an array and
 * destructure it); each leaf is an independent input of f (a tensor given twice gets both tangents
 * separately), and tensors f closes over are constants. `tangents` has primals' structure, each leaf its primal's shape and dtype; f returns
 * a tensor or a tree of them, and the output tangent has that structure (zeros where f's value does
 * not depend on the primals). Each op pushes tangents through its own `jvp` rule, or through its VJP when
 * it has none. The tangents are built with ops, so they can be differentiated in turn: the jvp of a
 * gradient (taken with `createGraph`) is a Hessian-vector product.
 *
 * @param f - A function of primals returning a tensor or a tree of tensors, built with chainrule ops.
 * @param primals - The point: a tensor or a tree of tensors (not empty).
 * @param tangents - The direction: primals' structure, shapes and dtypes.
 * @returns `[f(primals), J·tangents]`, the second of f's value's structure, shapes and dtypes.
 * @throws Error when f is not a function, primals holds no tensors or a non-tensor leaf, tangents differ
 *   from primals in structure, shape or dtype (naming the leaf and both shapes), f returns something other
 *   than a tensor or a tree of tensors, or an op's JVP fails or returns a tangent of the wrong shape or dtype (naming the op).
 * @example
 * ```ts
 * import { jvp, tensor } from '@chainrule/core';
 * const x = tensor([1, 2, 3]);
 * const [y, dy] = jvp((v) => v.mul(v), x, tensor([1, 0, 0]));   // d(x²) along e₀
 * dy.toArray();   // [2, 0, 0]
 * const [, dz] = jvp(([a, b]) => a.mul(b).sum(), [x, tensor([4, 5, 6])], [tensor([1, 1, 1]), tensor([0, 0, 0])]);
 * dz.item();      // 15: Σ b, moving a only
 * ```
 */
export function jvp<P extends Tree, Y extends Tree>(f: (primals: P) => Y, primals: P, tangents: P): [value: Y, tangent: Y] {
  if (typeof f !== 'function') throw new Error(`jvp: f must be a function of primals, got ${describeValue(f)}`);
  const xs = treeLeaves('jvp', 'primals', primals);
  const vs = treeLeaves('jvp', 'tangents', tangents, { nonEmpty: false });
  checkTangents(xs, vs);
  const inputs = independent(xs.leaves, isRecording());
  // f's graph is what the tangents are pushed along: record it even under noGrad.
  const y = withRecording(true, currentPhase(), () => f(unflatten(xs.rebuild, inputs) as P));
  const ys = outputLeaves(y);
  const tangentOf = new Map(inputs.map((x, i) => [x.id, vs.leaves[i]!]));
  // The walk stops at f's inputs: how the primals were computed does not matter here.
  pushTangents(topologicalOrder(ys.leaves, new Set(tangentOf.keys())), tangentOf);
  const dys = ys.leaves.map((t) => tangentOf.get(t.id) ?? full(t.shape, 0, { dtype: t.dtype }));
  return [y, unflatten(ys.rebuild, dys) as Y];
}
