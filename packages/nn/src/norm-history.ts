/**
 * Each layer's recent gradient norms, so that "exploding" means large for that layer compared with
 * its own last steps, not large in absolute terms (unscaled regression targets make every norm large
 * from the first step, and nothing is wrong). Its largest norm so far is kept too: late in training,
 * when norms have settled low, one noisy batch can be many times the median and still be nothing new.
 */
/** A layer's norms before the current step. */
export interface PastNorms {
  /** The median of its last `window` norms. */
  readonly median: number;
  /** The largest norm it has ever had. */
  readonly largest: number;
}

export interface NormHistory {
  /** The layer's past norms (undefined while it has fewer than `warmup`), then records `norm`. */
  pastThenAdd(layer: string, norm: number): PastNorms | undefined;
}

export function normHistory(window: number, warmup: number): NormHistory {
  const layers = new Map<string, { arrived: number[]; sorted: number[]; largest: number }>();
  return {
    pastThenAdd(layer, norm) {
      let h = layers.get(layer);
      if (!h) layers.set(layer, (h = { arrived: [], sorted: [], largest: 0 }));
      const past = h.arrived.length >= warmup ? { median: medianOfSorted(h.sorted), largest: h.largest } : undefined;
      // This runs every step for every layer: the window is kept sorted as it slides (one removal and
      // one insertion), instead of sorting a copy each time.
      h.arrived.push(norm);
      h.sorted.splice(insertionPoint(h.sorted, norm), 0, norm);
      if (h.arrived.length > window) h.sorted.splice(indexIn(h.sorted, h.arrived.shift()!), 1);
      h.largest = Math.max(h.largest, norm);
      return past;
    },
  };
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
  return Object.is(sorted[at], v) || sorted[at] === v ? at : sorted.findIndex((x) => Object.is(x, v));
}

function medianOfSorted(s: readonly number[]): number {
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
