/**
 * Trees of tensors (JAX's pytrees): a tensor, arrays, plain objects and Immutable.js keyed
 * collections (Params is an OrderedMap). `flatten` lists the leaves; `unflatten` rebuilds the shape.
 */
import { isKeyed, type Collection } from 'immutable';
import { Tensor } from '../tensor.ts';

/**
 * A tensor, or a structure of them (JAX's pytrees): arrays, plain objects and Immutable.js keyed
 * collections (such as nn's Params), nested to any depth. `grad` takes one and gives back one of the same structure.
 */
export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree } | Collection.Keyed<string, Tree>;

type Rebuild = (leaves: Tensor[], at: { i: number }) => unknown;

/** A leaf's rebuild: the next leaf. One function for every leaf, not a closure each. */
const nextLeaf: Rebuild = (ls, at) => ls[at.i++];

function build(tree: Tree, leaves: Tensor[]): Rebuild {
  if (tree instanceof Tensor) {
    leaves.push(tree);
    return nextLeaf;
  }
  if (Array.isArray(tree)) {
    const parts = tree.map((t) => build(t, leaves));
    return (ls, at) => parts.map((p) => p(ls, at));
  }
  if (isKeyed(tree)) {
    // The parts in the collection's order, and one map over the collection itself to rebuild it (its
    // forEach and map visit values in one order): one new collection per grad, not two (Params, every step).
    const keyed = tree as Collection.Keyed<string, Tree>;
    const parts: Rebuild[] = [];
    keyed.forEach((t) => { parts.push(build(t, leaves)); });
    return (ls, at) => {
      let j = 0;
      return keyed.map(() => parts[j++]!(ls, at));
    };
  }
  if (tree && typeof tree === 'object') {
    const entries = Object.entries(tree).map(([k, t]) => [k, build(t as Tree, leaves)] as const);
    return (ls, at) => Object.fromEntries(entries.map(([k, p]) => [k, p(ls, at)]));
  }
  throw new Error(`expected a Tensor or a tree of tensors (arrays, objects, Immutable maps), got ${String(tree)}`);
}

export function flatten(tree: Tree): { leaves: Tensor[]; rebuild: Rebuild } {
  const leaves: Tensor[] = [];
  const rebuild = build(tree, leaves);
  return { leaves, rebuild };
}

export const unflatten = (rebuild: Rebuild, leaves: Tensor[]): unknown => rebuild(leaves, { i: 0 });
