/**
 * The leaves of a tree of tensors with a name for each ('x', 'x[1]', 'x.w', "x.get('dense0/w')"), so an
 * error about one leaf of a tree can say which; and the checks jacobian, hessian and hvp share.
 */
import { isKeyed, type Collection } from 'immutable';
import { describeValue } from '../describe-value.ts';
import { fmt } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { flatten, type Tree } from './tree.ts';

/** Each leaf's path from the root, in flatten's order. */
export function leafNames(tree: unknown, root: string): string[] {
  if (tree instanceof Tensor) return [root];
  if (Array.isArray(tree)) return tree.flatMap((t, i) => leafNames(t, `${root}[${i}]`));
  if (isKeyed(tree)) return [...(tree as Collection.Keyed<string, unknown>).entries()].flatMap(([k, t]) => leafNames(t, `${root}.get(${JSON.stringify(k)})`));
  if (tree && typeof tree === 'object') return Object.entries(tree).flatMap(([k, t]) => leafNames(t, `${root}.${k}`));
  return [root];
}

/** The leaves of `tree`, or an error naming the function, the argument and the first leaf that is not a tensor. */
export function treeLeaves(where: string, what: string, tree: unknown, { nonEmpty = true } = {}): ReturnType<typeof flatten> & { names: string[] } {
  const names = leafNames(tree, what);
  let flat: ReturnType<typeof flatten>;
  try {
    flat = flatten(tree as Tree);
  } catch {
    const bad = names.find((_, i) => !(leafAt(tree, i) instanceof Tensor)) ?? what;
    const value = leafAt(tree, names.indexOf(bad));
    const hint = Array.isArray(value) || typeof value === 'number' ? '; wrap numbers with tensor()' : '';
    throw new Error(`${where}: ${bad} is ${describeValue(value)}, not a Tensor (${what} must be a Tensor or a tree of tensors: arrays, objects, Immutable maps)${hint}`);
  }
  if (nonEmpty && flat.leaves.length === 0) {
    throw new Error(`${where}: ${what} holds no tensors (${describeValue(tree)}); pass the tensor, or tree of tensors, to differentiate with respect to`);
  }
  return { ...flat, names };
}

/** The i-th leaf in flatten's order, whatever it is (for naming a bad one). */
function leafAt(tree: unknown, i: number): unknown {
  const all: unknown[] = [];
  const walk = (t: unknown): void => {
    if (t instanceof Tensor) all.push(t);
    else if (Array.isArray(t)) t.forEach(walk);
    else if (isKeyed(t)) (t as Collection.Keyed<string, unknown>).forEach(walk);
    else if (t && typeof t === 'object') Object.values(t).forEach(walk);
    else all.push(t);
  };
  walk(tree);
  return all[i];
}

/** A tangent-like tree (hvp's v) must have x's leaves, each of its leaf's shape and dtype. */
export function checkLike(where: string, x: { leaves: Tensor[]; names: string[] }, v: { leaves: Tensor[]; names: string[] }): void {
  if (v.leaves.length !== x.leaves.length) {
    throw new Error(`${where}: ${v.names[0]?.replace(/[[.].*$/, '') ?? 'v'} holds ${v.leaves.length} tensors but x holds ${x.leaves.length}; it must have x's structure`);
  }
  x.leaves.forEach((xi, i) => {
    const vi = v.leaves[i]!;
    if (vi.dtype !== xi.dtype || vi.shape.length !== xi.shape.length || vi.shape.some((d, k) => d !== xi.shape[k])) {
      throw new Error(`${where}: ${v.names[i]} is ${fmt(vi.shape)} ${vi.dtype} but ${x.names[i]} is ${fmt(xi.shape)} ${xi.dtype}; it must match in shape and dtype`);
    }
  });
}
