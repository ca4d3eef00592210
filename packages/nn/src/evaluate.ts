/** Inference in batches, outside the graph: predict and evaluate. */
import { fromData, noGrad, Tensor } from '@chainrule/core';
import { batchIndices, checkSameCount } from './batching.ts';
import { getMetric, type MetricName } from './metrics.ts';
import type { Model } from './model.ts';
import type { Params } from './params.ts';
import { takeRows, type Target } from './targets.ts';
import { objective, type LossSpec } from './train-step.ts';

/** The model's outputs for every row of x, computed batchSize rows at a time. */
export function predict(model: Model, params: Params, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const n = x.rank === 0 ? 0 : x.shape[0]!;
  const parts = batchIndices(n, { batchSize: options.batchSize ?? 256 });
  return noGrad(() => {
    const outs = parts.map((idx) => model.apply(params, parts.length === 1 ? x : takeRows(x, idx)));
    return concatRows(outs, model.outputs, x.dtype);
  });
}

function concatRows(parts: Tensor[], width: number, dtype: Tensor['dtype']): Tensor {
  if (parts.length === 1) return parts[0]!.detach();
  const n = parts.reduce((s, p) => s + p.shape[0]!, 0);
  const out = dtype === 'float64' ? new Float64Array(n * width) : new Float32Array(n * width);
  let at = 0;
  for (const p of parts) {
    out.set(p.data, at);
    at += p.size;
  }
  return fromData(out, [n, width]);
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
  const n = checkSameCount('evaluate', data.x, data.y);
  const f = options.loss ? objective(model, options.loss) : undefined;
  const parts = batchIndices(n, { batchSize: options.batchSize ?? 256 });
  let total = 0;
  const outs: Tensor[] = [];
  noGrad(() => {
    for (const idx of parts) {
      const [x, y] = parts.length === 1 ? [data.x, data.y] : [takeRows(data.x, idx), takeRows(data.y, idx)];
      if (f) {
        const r = f(params, x, y);
        total += r.loss.item() * idx.length;
        outs.push(r.logits ? model.activateOutput(r.output) : r.output);
      } else outs.push(model.apply(params, x));
    }
  });
  const pred = concatRows(outs, model.outputs, data.x.dtype);
  const metrics: Record<string, number> = {};
  for (const m of options.metrics ?? []) metrics[m] = getMetric(m)(pred, data.y);
  return { loss: f ? total / Math.max(n, 1) : undefined, metrics };
}
