/** Inference in batches, outside the graph: predict and evaluate. */
import { fromData, noGrad, reusing, takeRows, Tensor } from '@chainrule/core';
import { batchIndices } from './batching.ts';
import { getMetric, type MetricName } from './metrics.ts';
import type { Model } from './model.ts';
import type { ModelState } from './model-state.ts';
import type { Params } from './params.ts';
import type { Target } from './targets.ts';
import { objective, type LossSpec } from './train-step.ts';
import { checkEvaluate, checkPredict } from './validate.ts';

/**
 * The model's outputs for every row of x, computed batchSize rows at a time (default 256) outside
 * the graph, in evaluation mode. x: [samples, ...model.inputShape] in the model's dtype; returns [samples, ...model.outputShape] after
 * the final activation (probabilities for a softmax model), in the same dtype. x may have no rows.
 *
 * @throws Error when x is not a rank-2 tensor of the model's width and dtype, or the params are not
 *   the model's, naming both shapes.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { mlp, predict } from '@chainrule/nn';
 * const model = mlp([2, 8, 3], { output: 'softmax' });
 * const probs = predict(model, model.init(0), tensor([[0, 1], [1, 0]])); // [2, 3], rows sum to 1
 * ```
 */
export function predict(model: Model, params: Params, x: Tensor, options: PredictOptions = {}): Tensor {
  const n = checkPredict(model, params, x, options);
  const state = options.state;
  const parts = batchIndices(n, { batchSize: options.batchSize ?? 256 });
  if (parts.length === 1) return noGrad(() => model.apply(params, x, { state }).detach());
  const out = outputRows(n, model.outputShape, x.dtype);
  // Each batch's rows are copied out, so nothing it made is needed after it: its buffers serve the next.
  const batch = reusing((idx: Int32Array) => out.put(model.apply(params, takeRows(x, idx), { state })), { pure: true });
  noGrad(() => parts.forEach(batch));
  return out.tensor();
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Rows per forward pass (default 256). */
  readonly batchSize?: number;
  /** The layer state (FitResult.state); needed when the model has stateful layers such as batchNorm. */
  readonly state?: ModelState;
}

/** What {@link evaluate} computes, and how many rows at a time. */
export interface EvaluateOptions {
  /** The layer state (FitResult.state); needed when the model has stateful layers such as batchNorm. */
  readonly state?: ModelState;
  /** A loss to average over the data (as fit takes it); default none. */
  readonly loss?: LossSpec;
  /** Metrics to compute on the outputs, e.g. ['accuracy']; default none. */
  readonly metrics?: readonly MetricName[];
  /** Rows per forward pass (default 256); the result does not depend on it beyond rounding. */
  readonly batchSize?: number;
}

/** What {@link evaluate} returns. */
export interface Evaluation {
  /** The mean loss over all samples (weighted by batch size), when a loss was given. */
  readonly loss?: number;
  /** Each requested metric by name. */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Scores the model on data outside the graph: the mean loss and the metrics asked for, computed
 * batchSize rows at a time, in evaluation mode. data.x: [samples, ...model.inputShape]; data.y as fit takes it for the loss.
 *
 * @throws Error when data does not fit the model or the loss (naming the argument and both shapes),
 *   when x has no rows, or for an unknown loss or metric name (listing the valid ones).
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { evaluate, mlp } from '@chainrule/nn';
 * const model = mlp([2, 3], { output: 'softmax' });
 * const { loss, metrics } = evaluate(model, model.init(0), { x: tensor([[0, 1], [1, 0]]), y: [0, 2] }, { loss: 'crossEntropy', metrics: ['accuracy'] });
 * ```
 */
export function evaluate(model: Model, params: Params, data: { x: Tensor; y: Target }, options: EvaluateOptions = {}): Evaluation {
  checkEvaluate(model, params, data, options);
  return score(model, params, data, options);
}

/** evaluate without the boundary checks, for callers that made them already (fit's validation, every epoch). */
export function score(model: Model, params: Params, data: { x: Tensor; y: Target }, options: EvaluateOptions): Evaluation {
  const n = data.x.shape[0]!;
  const f = options.loss ? objective(model, options.loss) : undefined;
  const parts = batchIndices(n, { batchSize: options.batchSize ?? 256 });
  let total = 0;
  const out = outputRows(n, model.outputShape, data.x.dtype);
  const state = options.state;
  // As in predict; a custom loss runs under its own declaration (objective), so what it keeps stays.
  const batch = reusing((idx: Int32Array) => {
    const [x, y] = parts.length === 1 ? [data.x, data.y] : [takeRows(data.x, idx), takeRows(data.y, idx)];
    if (!f) return out.put(model.apply(params, x, { state }));
    const r = f(params, x, y, { state });
    total += r.loss.item() * idx.length;
    out.put(r.logits ? model.activateOutput(r.output) : r.output);
  }, { pure: true });
  noGrad(() => parts.forEach(batch));
  const pred = out.tensor();
  const metrics: Record<string, number> = {};
  for (const m of options.metrics ?? []) metrics[m] = getMetric(m)(pred, data.y);
  return { loss: f ? total / n : undefined, metrics };
}

/** The [n, ...shape] result, filled batch by batch in order. */
function outputRows(n: number, shape: readonly number[], dtype: Tensor['dtype']) {
  const width = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n * width) : new Float32Array(n * width);
  let at = 0;
  return {
    put(rows: Tensor): void {
      data.set(rows.data, at);
      at += rows.size;
    },
    tensor: (): Tensor => fromData(data, [n, ...shape]),
  };
}
