/** The page's colours: one per class, and a diverging scale for values (blue low, orange high). */
export const CLASS_COLORS: readonly (readonly [number, number, number])[] = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189]];

const LOW = [8, 119, 189] as const;
const MID = [245, 245, 245] as const;
const HIGH = [245, 147, 34] as const;

/** t in [0, 1] on the blue–white–orange scale. */
export function diverging(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
  const [a, b, s] = u < 0.5 ? [LOW, MID, u * 2] : [MID, HIGH, (u - 0.5) * 2];
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * s)) as [number, number, number];
}

export const css = ([r, g, b]: readonly number[], alpha = 1) => `rgba(${r},${g},${b},${alpha})`;
