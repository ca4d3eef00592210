/** Softmax cross-entropy over the rows of logits [rows, len] with integer labels: the fused pair. */
import type { TypedArray } from '../../dtype.ts';

/** Writes softmax(x) row by row into `probs` and returns the mean of −log softmax(x)[i, labels[i]]. */
export function crossEntropy(x: TypedArray, rows: number, len: number, labels: Int32Array, probs: TypedArray): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * len;
    let m = -Infinity;
    for (let j = 0; j < len; j++) m = Math.max(m, x[base + j]!);
    let s = 0;
    for (let j = 0; j < len; j++) {
      const e = Math.exp(x[base + j]! - m);
      probs[base + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < len; j++) probs[base + j] = probs[base + j]! * inv;
    // −log softmax = log Σ e^(x − m) − (x_label − m): exact where the label's logit is the max.
    total += Math.log(s) - (x[base + labels[r]!]! - m);
  }
  return total / rows;
}

/** out = (probs − onehot(labels)) · scale: the gradient of the mean loss times `scale`. */
export function crossEntropyGrad(probs: TypedArray, rows: number, len: number, labels: Int32Array, scale: number, out: TypedArray): void {
  for (let i = 0; i < rows * len; i++) out[i] = probs[i]! * scale;
  for (let r = 0; r < rows; r++) out[r * len + labels[r]!] = (probs[r * len + labels[r]!]! - 1) * scale;
}
