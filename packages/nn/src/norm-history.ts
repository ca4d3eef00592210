/**
 * Each layer's recent gradient norms, so that "exploding" means large for that layer compared with
 * its own last steps, not large in absolute terms (unscaled regression targets make every norm large
 * from the first step, and nothing is wrong). Its largest norm so far is kept too: late in training,
 * when norms have settled low, one noisy batch can be many times the median and still be nothing new.
 *
 * This runs every step for every layer, so nothing is allocated per step: the last `window` norms sit
 * in a ring, and the same norms are kept sorted as the window slides (the new norm takes the oldest
 * one's slot, which moves to its place), instead of sorting a copy each time.
 */
export class LayerHistory {
  /** The last `window` norms in arrival order, from `#oldest` round the ring. */
  readonly #ring: number[] = [];
  /** The same norms, ascending. */
  readonly #sorted: number[] = [];
  #oldest = 0;
  /** The largest norm it has ever had (0 before any). */
  largest = 0;

  constructor(readonly window: number) {}

  /** How many norms the window holds (at most `window`). */
  get count(): number {
    return this.#ring.length;
  }

  /** The median of the window's norms (NaN when empty). */
  median(): number {
    const s = this.#sorted, mid = s.length >> 1;
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  }

  /** Records a norm, dropping the oldest when the window is full. */
  add(norm: number): void {
    const ring = this.#ring, sorted = this.#sorted;
    let i: number;
    if (ring.length < this.window) {
      ring.push(norm);
      i = sorted.push(norm) - 1;
    } else {
      i = indexIn(sorted, ring[this.#oldest]!);
      ring[this.#oldest] = norm;
      this.#oldest = (this.#oldest + 1) % this.window;
    }
    // Slot i is free (the oldest norm's, or a new one at the end): it moves to where the new norm
    // belongs, the values it passes shifting one place into it.
    for (; i > 0 && sorted[i - 1]! > norm; i--) sorted[i] = sorted[i - 1]!;
    for (; i < sorted.length - 1 && sorted[i + 1]! < norm; i++) sorted[i] = sorted[i + 1]!;
    sorted[i] = norm;
    if (norm > this.largest) this.largest = norm;
  }
}

/** Each layer's history, by layer name, made at its first use. */
export class NormHistory {
  readonly #layers = new Map<string, LayerHistory>();

  constructor(readonly window: number) {}

  of(layer: string): LayerHistory {
    let h = this.#layers.get(layer);
    if (!h) this.#layers.set(layer, (h = new LayerHistory(this.window)));
    return h;
  }
}

/** The first index of a sorted array whose value is not below v (its length when all are). */
function insertionPoint(sorted: readonly number[], v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where v is in the sorted array (a NaN, which no comparison places, is looked for one by one). */
function indexIn(sorted: readonly number[], v: number): number {
  const at = insertionPoint(sorted, v);
  return sorted[at] === v ? at : sorted.findIndex((x) => Object.is(x, v));
}
