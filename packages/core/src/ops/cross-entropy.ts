/**
 * Softmax cross-entropy from logits and integer labels as one op: the mean over rows of
 * −log softmax(x)[r, label_r]. Numerically stable (never log of a softmax), one kernel forward, and a
 * one-kernel backward (softmax − onehot)·g/n when no graph of the backward pass is wanted; with
 * `createGraph` the VJP is written with ops, so second derivatives work.
 */
import { allocate } from '../backend/index.ts';
import { isRecording } from '../autodiff/state.ts';
import { kernels } from '../backend/index.ts';
import { fmt } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { valuesArb, type FC } from '../testing/sample.ts';
import { softmax } from './activation.ts';
import { defineOp } from './define.ts';
import { opRow, opTable } from './table.ts';
import { div, mul, sub } from './elementwise.ts';
import { sum } from './reduce.ts';
import { gather, oneHot } from './indexing.ts';
import { checkIndices } from './check-indices.ts';
import { expectTensor } from '../validate.ts';
import { describeValue } from '../describe-value.ts';

type CrossEntropyAttrs = { labels: Int32Array };

/** Logits [rows, classes] (1–4 rows, 2–5 classes) and one valid label per row. */
function crossEntropySample(fc: FC) {
  const dims = fc.record({ rows: fc.integer({ min: 1, max: 4 }), len: fc.integer({ min: 2, max: 5 }) });
  return dims.chain(({ rows, len }) => fc.record({
    inputs: valuesArb(fc, [rows, len]).map((values) => [{ shape: [rows, len], values }]),
    attrs: fc.array(fc.integer({ min: 0, max: len - 1 }), { minLength: rows, maxLength: rows }).map((l) => ({ labels: Int32Array.from(l) })),
  }));
}

const softmaxCrossEntropyOp = defineOp({
  name: 'softmaxCrossEntropy', arity: 1,
  formula: ({ labels }: CrossEntropyAttrs) => ({
    text: `y = mean over ${labels.length} rows r of (logsumexp(xᵣ) − xᵣ[labelᵣ]);  x̄ = ȳ · (softmax(x) − oneHot(labels)) / ${labels.length}`,
    tex: String.raw`y = \frac{1}{${labels.length}} \sum_{r} \Big(\log \sum_{j} e^{x_{rj}} - x_{r \ell_r}\Big) \qquad \bar{x} = \frac{\bar{y}}{${labels.length}} \big(\operatorname{softmax}(x) - \operatorname{oneHot}(\ell)\big)`,
  }),
  forward: ([x], { labels }: CrossEntropyAttrs) => {
    if (x.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must have shape [rows, classes], got ${fmt(x.shape)}`);
    const [rows, len] = x.shape as [number, number];
    checkIndices('softmaxCrossEntropy (labels)', labels, 1, len);
    if (labels.length !== rows) throw new Error(`softmaxCrossEntropy: ${labels.length} labels for ${rows} rows of logits`);
    const probs = allocate(x.dtype, x.size, 'overwritten');
    const out = allocate(x.dtype, 1);
    out[0] = kernels().crossEntropy(x.data, rows, len, labels, probs);
    return { shape: [], data: out, saved: probs };
  },
  vjp: ([x], _, g, { labels }, probs: Float32Array | Float64Array) => {
    const [rows, len] = x.shape as [number, number];
    if (isRecording()) {
      // createGraph: the backward pass as ops, so it can be differentiated again.
      return [mul(sub(softmax(x, 1), oneHot(labels, len, { dtype: x.dtype })), div(g, rows))];
    }
    const dx = allocate(x.dtype, x.size, 'overwritten');
    kernels().crossEntropyGrad(probs, rows, len, labels, g.item() / rows, dx);
    return [new Tensor(dx, x.shape)];
  },
  // The loss is mean_r (logsumexp(x_r) − x_r[label_r]), so along dx it moves by
  // mean_r (Σ_j softmax(x_r)_j·dx_rj − dx_r[label_r]); the labels are integers and carry no tangent.
  jvp: ([x], _, [dx], { labels }, probs: Float32Array | Float64Array) => {
    if (!dx) return null;
    const [rows] = x.shape as [number, number];
    // When recording (forward over reverse, or reverse over forward), softmax as an op keeps x's dependence.
    const p = isRecording() ? softmax(x, 1) : new Tensor(probs, x.shape);
    const labelColumn = new Tensor(Float64Array.from(labels), [rows, 1]);
    return div(sub(sum(mul(p, dx)), sum(gather(dx, labelColumn, 1))), rows);
  },
  sample: crossEntropySample,
  describe: () => 'mean',
});

/**
 * Mean softmax cross-entropy of logits [rows, classes] against integer labels (one per row): the mean
 * over rows of −log softmax(logits)[r, labels[r]], computed stably in one op. Returns a scalar [] in the
 * logits' dtype. The gradient with respect to the logits is (softmax − onehot)/rows; the labels get none.
 * @param labels - one class index in 0..classes−1 per row (an array or Int32Array).
 * @throws Error when logits is not a Tensor of rank 2, when labels is not an array or Int32Array, when the
 * number of labels differs from the number of rows, or when a label is not a whole number in range (naming
 * it and its position).
 * @example
 * ```ts
 * import { softmaxCrossEntropy, tensor } from '@chainrule/core';
 * const logits = tensor([[2, 0, 0], [0, 0, 0]]);
 * softmaxCrossEntropy(logits, [0, 2]).item(); // ≈ 0.669, the mean of −log 0.787 and −log(1/3)
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array | readonly number[]): Tensor {
  expectTensor('softmaxCrossEntropy', 'logits', logits);
  if (!Array.isArray(labels) && !(labels instanceof Int32Array)) {
    throw new Error(`softmaxCrossEntropy: labels must be an array of class indices or an Int32Array, got ${describeValue(labels)}`);
  }
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must have shape [rows, classes], got ${fmt(logits.shape)}`);
  const [rows, len] = logits.shape as [number, number];
  if (labels.length !== rows) throw new Error(`softmaxCrossEntropy: ${labels.length} labels for ${rows} rows of logits`);
  // A copy (the op keeps it), by slice when it is one already: Int32Array.from walks an iterator.
  const ints = labels instanceof Int32Array ? labels.slice() : Int32Array.from(labels);
  for (let i = 0; i < ints.length; i++) {
    const v = ints[i]!;
    if (!(v >= 0 && v < len) || v !== labels[i]) throw new Error(`softmaxCrossEntropy: label ${labels[i]} at position ${i} is out of range for ${len} classes (valid labels 0..${len - 1})`);
  }
  return softmaxCrossEntropyOp.run([logits], { labels: ints });
}

/**
 * The cross-entropy family's table: its one row holds the op (`row.op`, as in {@link builtinOps}) and its
 * public function (`row.fn`), which is not a Tensor method.
 */
export const crossEntropyOps = opTable({
  /** The `softmaxCrossEntropy` op and {@link softmaxCrossEntropy} (no method). */
  softmaxCrossEntropy: opRow(softmaxCrossEntropyOp, softmaxCrossEntropy, 'none'),
});
