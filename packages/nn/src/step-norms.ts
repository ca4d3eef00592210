/**
 * Each layer's gradient norm at one training step, as plain arrays. The monitor computes them every
 * step of every run; built as an Immutable OrderedMap each time (with the grads walked by iterator and
 * each key split into its layer), they cost more than the sums of squares themselves. StepInfo's
 * OrderedMap is made from them only when someone looks ({@link normsMap}).
 */
import { sumOfSquares, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { layerOf, type Params } from './params.ts';

/** Layer names in parameter order, and each layer's gradient L2 norm at one step. */
export interface StepNorms {
  readonly layers: readonly string[];
  readonly norms: readonly number[];
}

/** What a step records with the monitor off. */
export const NO_NORMS: StepNorms = { layers: [], norms: [] };

/** The norms as StepInfo and the monitor's check() show them. */
export const normsMap = (s: StepNorms): OrderedMap<string, number> => OrderedMap(s.layers.map((layer, i) => [layer, s.norms[i]!] as const));

/** Which layer each parameter belongs to (an index into `layers`), for one set of keys in order. */
interface Layout {
  readonly keys: readonly string[];
  readonly layerAt: readonly number[];
  readonly layers: readonly string[];
}

function layoutOf(keys: readonly string[]): Layout {
  const layers: string[] = [], index = new Map<string, number>();
  const layerAt = keys.map((key) => {
    const layer = layerOf(key);
    let i = index.get(layer);
    if (i === undefined) index.set(layer, (i = layers.push(layer) - 1));
    return i;
  });
  return { keys, layerAt, layers };
}

/**
 * Sums of squared gradients per parameter, then norms per layer. The layout is worked out once and
 * kept while the grads come with the same keys in the same order, as a run's do every step; the sums
 * go into one array kept from step to step, through one callback made once.
 */
export class LayerNormer {
  #layout: Layout = layoutOf([]);
  /** Each parameter's Σ g² from the last measure(), in parameter order. */
  readonly #squares: number[] = [];
  #count = 0;
  #total = 0;
  #sameKeys = true;
  readonly #add = (g: Tensor, key: string): void => {
    const i = this.#count++;
    if (this.#layout.keys[i] !== key) this.#sameKeys = false;
    const s = sumOfSquares(g);
    this.#squares[i] = s;
    this.#total += s;
  };

  /**
   * Sums each parameter's squared gradient, for norms(). Returns the sum of them all, which is NaN or
   * ±Inf when any gradient value is (float64 gradients can also overflow it with finite values).
   */
  measure(grads: Params): number {
    this.#count = 0;
    this.#total = 0;
    this.#sameKeys = grads.size === this.#layout.keys.length;
    grads.forEach(this.#add);
    if (!this.#sameKeys) {
      this.#layout = layoutOf([...grads.keys()]);
      this.#squares.length = this.#count;
    }
    return this.#total;
  }

  /** Each layer's L2 norm from the last measure(): its parameters' sums added in parameter order. */
  norms(): StepNorms {
    const { layerAt, layers } = this.#layout, squares = this.#squares;
    const sums: number[] = [];
    for (let i = 0; i < layers.length; i++) sums.push(0);
    for (let i = 0; i < squares.length; i++) sums[layerAt[i]!] += squares[i]!;
    for (let i = 0; i < sums.length; i++) sums[i] = Math.sqrt(sums[i]!);
    return { layers, norms: sums };
  }
}
