/** Inference in batches, outside the graph: predict and evaluate. */
import { fromData, noGrad, reusing, takeRows, Tensor } from '@chainrule/core';
import { batchIndices } from './batching.ts';
import { getMetric, type MetricName } from './metrics.ts';
import type { Model } from './model.ts';
import type { Params } from './params.ts';
import type { Target } from './targets.ts';
import { objective, type LossSpec } from './train-step.ts';
import { checkEvaluate, checkPredict } from './validate.ts';

/** The model's outputs for every row of x, computed batchSize rows at a time. */
export function predict(model: Model, params: Params, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const n = checkPredict(model, params, x, options);
  const parts = batchIndices(n, { batchSize: options.batchSize ?? 256 });
  if (parts.length === 1) return noGrad(() => model.apply(params, x).detach());
  const out = outputRows(n, model.outputs, x.dtype);
  // Each batch's rows are copied out, so nothing it made is needed after it: its buffers serve the next.
  const batch = reusing((idx: Int32Array) => out.put(model.apply(params, takeRows(x, idx))), { pure: true });
  noGrad(() => parts.forEach(batch));
  return out.tensor();
}

export interface EvaluateOptions {
  readonly loss?: LossSpec;
  readonly metrics?: readonly MetricName[];
  readonly batchSize?: number;
}

export interface Evaluation {
  /** The mean loss over all samples (weighted by batch size), when a loss was given. */
  readonly loss?: number;
  readonly metrics: Readonly<Record<string, number>>;
}

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
  const out = outputRows(n, model.outputs, data.x.dtype);
  // As in predict; a custom loss runs under its own declaration (objective), so what it keeps stays.
  const batch = reusing((idx: Int32Array) => {
    const [x, y] = parts.length === 1 ? [data.x, data.y] : [takeRows(data.x, idx), takeRows(data.y, idx)];
    if (!f) return out.put(model.apply(params, x));
    const r = f(params, x, y);
    total += r.loss.item() * idx.length;
    out.put(r.logits ? model.activateOutput(r.output) : r.output);
  }, { pure: true });
  noGrad(() => parts.forEach(batch));
  const pred = out.tensor();
  const metrics: Record<string, number> = {};
  for (const m of options.metrics ?? []) metrics[m] = getMetric(m)(pred, data.y);
  return { loss: f ? total / n : undefined, metrics };
}

/** The [n, width] result, filled batch by batch in order. */
function outputRows(n: number, width: number, dtype: Tensor['dtype']) {
  const data = dtype === 'float64' ? new Float64Array(n * width) : new Float32Array(n * width);
  let at = 0;
  return {
    put(rows: Tensor): void {
      data.set(rows.data, at);
      at += rows.size;
    },
    tensor: (): Tensor => fromData(data, [n, width]),
  };
}
