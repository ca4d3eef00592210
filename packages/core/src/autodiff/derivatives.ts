/**
 * The derivative toolkit built on grad (reverse mode) and jvp (forward mode): whole Jacobians, Hessians
 * and Hessian-vector products, shaped as JAX shapes them ([...out, ...in]).
 */
import { full } from '../creation.ts';
import { describeValue } from '../describe-value.ts';
import { reshape, shapeOps, stack } from '../ops/shape.ts';
import { fmt } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { grad } from './grad.ts';
import { jvp } from './jvp.ts';
import { checkLike, treeLeaves } from './leaves.ts';
import { currentPhase, isRecording, withRecording } from './state.ts';
import { flatten, unflatten, type Tree } from './tree.ts';

/** Options of {@link jacobian}. */
export interface JacobianOptions {
  /**
   * 'rev' builds the Jacobian a row at a time (one VJP per output element), 'fwd' a column at a time
   * (one JVP per input element). Default: whichever needs fewer passes ('fwd' when x has fewer elements than f's value).
   */
  readonly mode?: 'rev' | 'fwd';
}

type Leaves = { leaves: Tensor[]; rebuild: ReturnType<typeof flatten>['rebuild']; names: string[] };

/** f's value as leaves, or an error naming what f returned instead. */
function outputLeaves(where: string, y: unknown): Leaves {
  if (y instanceof Tensor) return { ...flatten(y), names: ['f(x)'] };
  if (y === null || typeof y !== 'object') {
    throw new Error(`${where}: f returned ${describeValue(y)}, not a Tensor (or a tree of tensors); return the tensor itself, not .item() or .data`);
  }
  return treeLeaves(where, 'f(x)', y, { nonEmpty: false });
}

/**
 * x's leaves as f's own inputs: new tensors sharing their data, so that leaves computed from one
 * another get partial derivatives (as JAX's independent arguments), not total ones. When the caller
 * records, each is a recorded reshape of its leaf, so the result stays differentiable with respect to x.
 */
function independent(where: string, what: string, x: unknown, outer: boolean): Leaves {
  const given = treeLeaves(where, what, x);
  const leaves = given.leaves.map((t) => (outer ? shapeOps.reshape.op.run([t], { shape: [...t.shape] }) : t.detach()));
  return { ...given, leaves };
}

/** Runs fn with ops recorded even under noGrad: a derivative of f needs f's graph. */
const recorded = <T>(fn: () => T): T => withRecording(true, currentPhase(), fn);

/** A one-hot tensor: 1 at flat index k. */
function basis(like: Tensor, k: number): Tensor {
  const data = like.dtype === 'float64' ? new Float64Array(like.size) : new Float32Array(like.size);
  data[k] = 1;
  return new Tensor(data, like.shape);
}

/** Rows (or columns) stacked on `axis` and shaped [...out, ...in]; zeros when there is nothing to stack. */
function assemble(parts: Tensor[], axis: number, out: Tensor, x: Tensor): Tensor {
  const shape = [...out.shape, ...x.shape];
  if (parts.length === 0 || out.size === 0 || x.size === 0) return full(shape, 0, { dtype: x.dtype });
  return reshape(stack(parts, axis), shape);
}

/** blocks[o][i] = ∂ y_o / ∂ x_i, shaped [...y_o, ...x_i], one VJP per element of y_o (y recorded from xs). */
function reverseBlocks(ys: Tensor[], xs: Tensor[], createGraph: boolean): Tensor[][] {
  return ys.map((y) => {
    const rows = Array.from({ length: y.size }, (_, j) => recorded(() => grad(y, xs, { seed: basis(y, j), createGraph })));
    return xs.map((x, i) => assemble(rows.map((r) => r[i]!), 0, y, x));
  });
}

/** blocks[o][i] by columns: one JVP per element of x_i, a one-hot tangent on leaf i and zeros elsewhere. */
function forwardBlocks(fn: (x: Tree) => unknown, x: Leaves, y: Leaves): Tensor[][] {
  const zeros = x.leaves.map((t) => full(t.shape, 0, { dtype: t.dtype }));
  const at = (leaves: Tensor[]) => fn(unflatten(x.rebuild, leaves) as Tree) as Tree;
  const columns = x.leaves.map((xi, i) => Array.from({ length: xi.size }, (_, k) => {
    const tangents = x.leaves.map((t, j) => (j === i ? basis(t, k) : zeros[j]!));
    return flatten(jvp(at, x.leaves, tangents)[1]).leaves;
  }));
  return y.leaves.map((yo, o) => x.leaves.map((xi, i) => assemble(columns[i]!.map((c) => c[o]!), yo.rank, yo, xi)));
}

/** f at x with its graph recorded, as leaves. */
const valueAt = (where: string, fn: (x: Tree) => unknown, x: Leaves): Leaves =>
  outputLeaves(where, recorded(() => fn(unflatten(x.rebuild, x.leaves) as Tree)));

const total = (ls: Tensor[]) => ls.reduce((n, t) => n + t.size, 0);

function checkF(where: string, f: unknown): void {
  if (typeof f !== 'function') throw new Error(`${where}: f must be a function of x, got ${describeValue(f)}`);
}

function checkMode(where: string, mode: unknown): void {
  if (mode !== undefined && mode !== 'rev' && mode !== 'fwd') throw new Error(`${where}: mode must be 'rev' or 'fwd', got ${describeValue(mode)}`);
}

/**
 * The Jacobian of f at x: ∂f(x)/∂x, shaped [...f(x).shape, ...x.shape] as JAX's `jacrev`/`jacfwd` shape it.
 * x may be a tree of tensors: the result is then a tree of x's structure, leaf i holding
 * ∂f(x)/∂x_i of shape [...f(x).shape, ...x_i.shape]. When f returns a tree, the result is a tree of
 * f's structure whose leaves are such trees (JAX's nesting). Each block has its x leaf's dtype, so
 * float64 inputs give a float64 Jacobian. The result is differentiable (it is built with ops), unless
 * computed under `noGrad`.
 *
 * @param f - A function of x returning a tensor or a tree of tensors, built with chainrule ops.
 * @param x - The point: a tensor or a tree of tensors.
 * @throws Error when f is not a function, x holds no tensors or a non-tensor leaf, f returns something
 *   other than a tensor or a tree of tensors, or mode is not 'rev' or 'fwd'.
 * @example
 * ```ts
 * import { jacobian, tensor } from '@chainrule/core';
 * const x = tensor([1, 2, 3]);
 * jacobian((v) => v.mul(v), x).toArray();   // [[2, 0, 0], [0, 4, 0], [0, 0, 6]]
 * ```
 */
export function jacobian<T extends Tree>(f: (x: T) => Tensor, x: T, options?: JacobianOptions): T;
export function jacobian<T extends Tree>(f: (x: T) => Tree, x: T, options?: JacobianOptions): Tree;
export function jacobian<T extends Tree>(f: (x: T) => Tree, x: T, options: JacobianOptions = {}): Tree {
  const where = 'jacobian';
  checkF(where, f);
  checkMode(where, options?.mode);
  const outer = isRecording();
  const xs = independent(where, 'x', x, outer);
  const fn = f as (x: Tree) => unknown;
  const y = valueAt(where, fn, xs);
  // The cheaper mode unless told: one pass per input element forward, one per output element backward.
  const mode = options.mode ?? (total(xs.leaves) < total(y.leaves) ? 'fwd' : 'rev');
  const blocks = mode === 'fwd' ? forwardBlocks(fn, xs, y) : reverseBlocks(y.leaves, xs.leaves, outer);
  const perOutput = blocks.map((row) => unflatten(xs.rebuild, row));
  return unflatten(y.rebuild, perOutput as Tensor[]) as Tree;
}

/** x ↦ ∇f(x) with its graph kept, checking that f is scalar. */
function gradientOf(where: string, f: (x: Tree) => unknown): (x: Tree) => Tree {
  return (x: Tree) => {
    const y = f(x);
    if (!(y instanceof Tensor)) throw new Error(`${where}: f returned ${describeValue(y)}, not a Tensor; f must return a scalar tensor`);
    if (y.size !== 1) throw new Error(`${where}: f must return a scalar (one element), but f(x) has shape ${fmt(y.shape)}; use jacobian for a vector-valued f`);
    return grad(y, x, { createGraph: true });
  };
}

/**
 * The Hessian of a scalar f at x: ∂²f/∂x², shaped [...x.shape, ...x.shape] (forward over reverse: the
 * Jacobian, column by column, of ∇f). For a tree x the result is a tree of trees: H[a][b] =
 * ∂²f/∂x_a∂x_b of shape [...x_a.shape, ...x_b.shape], as JAX's `hessian` nests them.
 *
 * @throws Error when f is not a function, x holds no tensors, or f does not return a one-element tensor (naming its shape).
 * @example
 * ```ts
 * import { hessian, tensor } from '@chainrule/core';
 * const x = tensor([1, 2], { dtype: 'float64' });
 * hessian((v) => v.mul(v).sum().mul(v.sum()), x).toArray();   // [[10, 6], [6, 14]]  (f = (x·x)(Σx))
 * ```
 */
export function hessian(f: (x: Tensor) => Tensor, x: Tensor): Tensor;
export function hessian<T extends Tree>(f: (x: T) => Tensor, x: T): Tree;
export function hessian<T extends Tree>(f: (x: T) => Tensor, x: T): Tree {
  const where = 'hessian';
  checkF(where, f);
  const outer = isRecording();
  const xs = independent(where, 'x', x, outer);
  // ∇f has x's structure, shapes and dtypes: the rows of H are indexed like x.
  const blocks = forwardBlocks(gradientOf(where, f as (x: Tree) => unknown), xs, xs);
  return unflatten(xs.rebuild, blocks.map((row) => unflatten(xs.rebuild, row)) as Tensor[]) as Tree;
}

/**
 * The Hessian-vector product H·v of a scalar f at x, without forming H: one forward-mode pass through
 * the gradient (forward over reverse). v has x's structure, shapes and dtypes, and so does the result.
 *
 * @throws Error when f is not a function, x holds no tensors, v does not match x (naming the leaf and
 *   both shapes and dtypes), or f does not return a one-element tensor.
 * @example
 * ```ts
 * import { hvp, tensor } from '@chainrule/core';
 * const x = tensor([1, 2]);
 * hvp((a) => a.mul(a).mul(a).sum(), x, tensor([1, 0])).toArray();   // [6, 0]: H = diag(6x)
 * ```
 */
export function hvp<T extends Tree>(f: (x: T) => Tensor, x: T, v: T): T {
  const where = 'hvp';
  checkF(where, f);
  const outer = isRecording();
  const xs = independent(where, 'x', x, outer);
  const vs = treeLeaves(where, 'v', v);
  checkLike(where, xs, vs);
  // Forward over reverse: the derivative of ∇f along v is H·v.
  const gradient = gradientOf(where, f as (x: Tree) => unknown);
  const [, products] = jvp((leaves: Tensor[]) => gradient(unflatten(xs.rebuild, leaves) as Tree), xs.leaves, vs.leaves);
  return unflatten(xs.rebuild, flatten(products).leaves) as T;
}
