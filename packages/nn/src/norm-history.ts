/**
 * Each layer's recent gradient norms, so that "exploding" means large for that layer compared with
 * its own last steps, not large in absolute terms (unscaled regression targets make every norm large
 * from the first step, and nothing is wrong).
 */
export interface NormHistory {
  /** The median of the layer's last norms (undefined while it has fewer than `warmup`), then records `norm`. */
  medianThenAdd(layer: string, norm: number): number | undefined;
}

export function normHistory(window: number, warmup: number): NormHistory {
  const recent = new Map<string, number[]>();
  return {
    medianThenAdd(layer, norm) {
      let last = recent.get(layer);
      if (!last) recent.set(layer, (last = []));
      // At most `window` numbers per layer: sorting a copy each step costs nothing next to the step.
      const median = last.length >= warmup ? medianOf(last) : undefined;
      last.push(norm);
      if (last.length > window) last.shift();
      return median;
    },
  };
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
