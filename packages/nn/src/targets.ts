/**
 * Targets: a float tensor (regression, one-hot, probabilities) or integer class labels, and the two
 * ways between them. Rows of either are cut with core's takeRows.
 */
import { oneHot, Tensor, toIntegers, type DType, type Labels } from '@chainrule/core';

/** What a model is trained against: a float tensor (regression, one-hot, probabilities) or integer class labels. */
export type Target = Tensor | Labels;

/** The number of samples in a target: its rows (1 for a scalar), or the labels' count. */
export const sampleCount = (t: Target): number => (t instanceof Tensor ? (t.rank === 0 ? 1 : t.shape[0]!) : t.length);

/**
 * Integer labels from a label list or a rank-1 (or [n,1]) tensor of whole numbers.
 *
 * @param where Starts the error message, e.g. the caller's name.
 * @throws Error when the tensor has another shape or a value is not a whole number.
 */
export function toLabels(where: string, t: Target): Int32Array {
  if (t instanceof Tensor && !(t.rank === 1 || (t.rank === 2 && t.shape[1] === 1))) {
    throw new Error(`${where}: labels must have shape [n] or [n,1], got [${t.shape.join(',')}]`);
  }
  return toIntegers(where, t instanceof Tensor ? t.data : t, 'label');
}

/**
 * One-hot rows [n, classes] for integer labels (a list, or a [n] or [n,1] tensor); the number of
 * classes defaults to the largest label + 1. Core's `oneHot(labels, depth)` is the op underneath,
 * for labels of any shape and a depth given.
 *
 * @throws Error when a label is not a whole number or the shape is not [n] or [n,1].
 * @example
 * ```ts
 * import { toOneHot } from '@chainrule/nn';
 * toOneHot([0, 2, 1]); // [[1, 0, 0], [0, 0, 1], [0, 1, 0]], float32
 * ```
 */
export function toOneHot(labels: Target, classes?: number, options: { dtype?: DType } = {}): Tensor {
  const ints = toLabels('toOneHot', labels);
  const depth = classes ?? ints.reduce((top, v) => Math.max(top, v), -1) + 1; // a loop: spreading 60,000 labels overflows the stack
  return oneHot(ints, depth, options);
}
