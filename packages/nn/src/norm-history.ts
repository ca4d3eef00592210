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
  const recent = new Map<string, number[]>();
  const largest = new Map<string, number>();
  return {
    pastThenAdd(layer, norm) {
      let last = recent.get(layer);
      if (!last) recent.set(layer, (last = []));
      // At most `window` numbers per layer: sorting a copy each step costs nothing next to the step.
      const past = last.length >= warmup ? { median: medianOf(last), largest: largest.get(layer)! } : undefined;
      last.push(norm);
      if (last.length > window) last.shift();
      largest.set(layer, Math.max(largest.get(layer) ?? 0, norm));
      return past;
    },
  };
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
