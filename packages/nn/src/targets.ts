/** Targets: a float tensor (regression, one-hot, probabilities) or integer class labels. */
import { takeRows as takeTensorRows, Tensor } from '@chainrule/core';

export type Labels = Int32Array | readonly number[];
export type Target = Tensor | Labels;

export const sampleCount = (t: Target): number => (t instanceof Tensor ? (t.rank === 0 ? 1 : t.shape[0]!) : t.length);

/** Integer labels from a label list or a rank-1 (or [n,1]) tensor of whole numbers. */
export function toLabels(where: string, t: Target): Int32Array {
  const values: ArrayLike<number> = t instanceof Tensor ? t.data : t;
  if (t instanceof Tensor && !(t.rank === 1 || (t.rank === 2 && t.shape[1] === 1))) {
    throw new Error(`${where}: labels must have shape [n] or [n,1], got [${t.shape.join(',')}]`);
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) throw new Error(`${where}: label ${v} at position ${i} is not an integer`);
    out[i] = v;
  }
  return out;
}

/** The rows `idx` of a tensor (axis 0, through core's takeRows) or of a label list, as a new leaf. */
export function takeRows<T extends Target>(t: T, idx: Int32Array): T {
  if (t instanceof Tensor) return takeTensorRows(t, idx) as T;
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = t[idx[i]!]!;
  return out as unknown as T;
}
