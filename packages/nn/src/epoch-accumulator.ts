/**
 * One epoch as fit trains it: each step's loss, learning rate and gradient norms, and the model's
 * output rows for the training metrics; at the epoch's end, its loss, metrics and History entry. An
 * epoch left half-way (a Trainer's checkpoint) is taken as a snapshot and replayed step by step, so
 * its sums are added in the same order and come out the same to the last bit.
 */
import { fromData, takeRows, type Tensor, type TypedArray } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import type { Evaluation } from './evaluate.ts';
import type { EpochEntry } from './history.ts';
import { getMetric, type MetricName } from './metrics.ts';
import type { StepNorms } from './step-norms.ts';
import type { Target } from './targets.ts';

export interface EpochSummary {
  /** The mean loss over the samples trained on, each step weighted by its batch size. */
  readonly loss: number;
  readonly metrics: Record<string, number>;
  /** What History records of the epoch. */
  readonly entry: EpochEntry;
}

/** An epoch's numbers so far (what a checkpoint's position holds besides where the epoch stands). */
export interface EpochSnapshot {
  readonly stepLoss: readonly number[];
  readonly stepLr: readonly number[];
  readonly stepGradNorms: Readonly<Record<string, readonly number[]>>;
  /** The output rows so far in sample order, [samples, outputs]; only with metrics. */
  readonly outputs?: Tensor;
}

export class EpochAccumulator {
  private lossSum = 0;
  private lr = 0;
  private readonly stepLoss: number[] = [];
  private readonly stepLr: number[] = [];
  private readonly stepNorms: Record<string, number[]> = {};
  private readonly normSum = new Map<string, number>();
  private readonly seen: Int32Array[] = [];
  private samples = 0;
  /** The output rows in sample order, only when there are metrics to compute from them. */
  private readonly outRows: TypedArray | undefined;

  /** `n` samples of `outputs` columns; the output rows are kept in the array type of `like` (the inputs'). */
  constructor(private readonly n: number, private readonly outputs: number, private readonly metricNames: readonly MetricName[], like: TypedArray) {
    this.outRows = metricNames.length ? new (like.constructor as Float32ArrayConstructor)(n * outputs) : undefined;
  }

  /** Whether recordOutput keeps anything: only with metrics (reading a step's output runs the model's final activation). */
  get keepsOutputs(): boolean {
    return this.outRows !== undefined;
  }

  /**
   * Copies a step's output rows (for samples `rows`) into place. Call it while the output is alive:
   * inside the step, before its buffers are reused.
   */
  recordOutput(rows: Int32Array, output: Tensor): void {
    const out = this.outRows;
    if (!out) return;
    const w = this.outputs;
    for (let i = 0; i < rows.length; i++) out.set(output.data.subarray(i * w, (i + 1) * w), rows[i]! * w);
  }

  /** A finished step on samples `rows`: its loss, the learning rate it used and each layer's gradient norm. */
  recordStep(rows: Int32Array, loss: number, lr: number, { layers, norms }: StepNorms): void {
    this.seen.push(rows);
    this.samples += rows.length;
    this.lossSum += loss * rows.length;
    this.lr = lr;
    this.stepLoss.push(loss);
    this.stepLr.push(lr);
    for (let i = 0; i < layers.length; i++) {
      const k = layers[i]!, v = norms[i]!;
      (this.stepNorms[k] ??= []).push(v);
      this.normSum.set(k, (this.normSum.get(k) ?? 0) + v);
    }
  }

  /** What the epoch holds so far, copied: a checkpoint's position inside it. */
  snapshot(): EpochSnapshot {
    const stepGradNorms: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(this.stepNorms)) stepGradNorms[k] = [...v];
    const outputs = this.outRows && fromData(this.outRows.slice(), [this.n, this.outputs]);
    return { stepLoss: [...this.stepLoss], stepLr: [...this.stepLr], stepGradNorms, ...(outputs && { outputs }) };
  }

  /**
   * Records again the steps a snapshot holds, which ran on `rows[0]`, `rows[1]`, …; the output rows
   * come from `snapshot.outputs` (needed when there are metrics).
   */
  replay(rows: readonly Int32Array[], snapshot: EpochSnapshot): void {
    const layers = Object.keys(snapshot.stepGradNorms);
    snapshot.stepLoss.forEach((loss, i) => {
      const norms = layers.map((k) => snapshot.stepGradNorms[k]![i]!);
      this.recordStep(rows[i]!, loss, snapshot.stepLr[i]!, { layers, norms });
    });
    if (this.outRows && snapshot.outputs) this.outRows.set(snapshot.outputs.data);
  }

  /** The epoch's numbers, its metrics scored against `target` (the training targets, in sample order), with the validation score if any. */
  finish(target: Target, validation?: Evaluation): EpochSummary {
    const steps = this.stepLoss.length;
    const loss = this.lossSum / Math.max(1, this.samples);
    const metrics = this.metrics(target);
    const entry: EpochEntry = {
      loss, metrics, valLoss: validation?.loss, valMetrics: validation?.metrics, lr: this.lr,
      gradNorms: OrderedMap([...this.normSum].map(([k, s]) => [k, s / Math.max(steps, 1)] as const)),
      stepLoss: this.stepLoss, stepLr: this.stepLr, stepGradNorms: this.stepNorms,
    };
    return { loss, metrics, entry };
  }

  private metrics(target: Target): Record<string, number> {
    const metrics: Record<string, number> = {};
    if (!this.outRows) return metrics;
    let pred = fromData(this.outRows, [this.n, this.outputs]);
    if (this.samples < this.n) {
      // Stopped mid-epoch by a callback: score only the samples that were seen.
      const seen = Int32Array.from(this.seen.flatMap((rows) => Array.from(rows)));
      [pred, target] = [takeRows(pred, seen), takeRows(target, seen)];
    }
    for (const m of this.metricNames) metrics[m] = getMetric(m)(pred, target);
    return metrics;
  }
}
