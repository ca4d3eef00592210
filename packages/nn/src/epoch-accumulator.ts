/**
 * One epoch as fit trains it: each step's loss, learning rate and gradient norms, and the model's
 * output rows for the training metrics; at the epoch's end, its loss, metrics and History entry. An
 * epoch left half-way (a Trainer's checkpoint) is taken as a snapshot and replayed step by step, so
 * its sums are added in the same order and come out the same to the last bit.
 *
 * A step only writes its numbers into typed arrays sized for the epoch: nothing grows, and no field
 * changes from an integer to a fraction, which would make V8 throw away the step's compiled code at
 * the next epoch. The sums are taken at the end, in step order, as they always were.
 */
import { fromData, takeRows, type Tensor, type TypedArray } from '@chainrule/core';
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

const NO_LAYERS: readonly string[] = Object.freeze([]);
const NO_COLUMNS: readonly Float64Array[] = Object.freeze([]);

export class EpochAccumulator {
  /** The epoch's batches in the order they are trained: step i ran on `parts[i]`. */
  readonly #parts: readonly Int32Array[];
  readonly #stepLoss: Float64Array;
  readonly #stepLr: Float64Array;
  /**
   * The layers the monitor names (none with it off), fixed at the first step, and each one's norm per
   * step. Both are frozen arrays from the start: a field that holds arrays of one kind keeps its
   * object's shape, so the step's compiled code stays valid from one epoch's accumulator to the next.
   */
  #layers: readonly string[] = NO_LAYERS;
  #stepNorms: readonly Float64Array[] = NO_COLUMNS;
  #steps = 0;
  readonly #n: number;
  readonly #outputs: number;
  readonly #metricNames: readonly MetricName[];
  /** The output rows in sample order, only when there are metrics to compute from them. */
  readonly #outRows: TypedArray | undefined;

  /**
   * An epoch that trains the batches `parts` in order, over `n` samples of `outputs` columns; the output
   * rows are kept in the array type of `like` (the inputs').
   */
  constructor(parts: readonly Int32Array[], n: number, outputs: number, metricNames: readonly MetricName[], like: TypedArray) {
    this.#parts = parts;
    this.#stepLoss = new Float64Array(parts.length);
    this.#stepLr = new Float64Array(parts.length);
    this.#n = n;
    this.#outputs = outputs;
    this.#metricNames = metricNames;
    this.#outRows = metricNames.length ? new (like.constructor as Float32ArrayConstructor)(n * outputs) : undefined;
  }

  /** Whether recordOutput keeps anything: only with metrics (reading a step's output runs the model's final activation). */
  get keepsOutputs(): boolean {
    return this.#outRows !== undefined;
  }

  /**
   * Copies a step's output rows (for samples `rows`) into place. Call it while the output is alive:
   * inside the step, before its buffers are reused.
   */
  recordOutput(rows: Int32Array, output: Tensor): void {
    const out = this.#outRows;
    if (!out) return;
    const w = this.#outputs;
    for (let i = 0; i < rows.length; i++) out.set(output.data.subarray(i * w, (i + 1) * w), rows[i]! * w);
  }

  /**
   * The next step finished (it trained on the next of the epoch's batches): its loss, the learning rate
   * it used and each layer's gradient norm.
   *
   * @throws Error when the step names other layers than the epoch's first step did.
   */
  recordStep(loss: number, lr: number, { layers, norms }: StepNorms): void {
    const i = this.#steps;
    if (i >= this.#parts.length) throw new Error(`EpochAccumulator: step ${i + 1} recorded in an epoch of ${this.#parts.length} batches`);
    if (i === 0) this.#takeLayers(layers);
    else if (!sameNames(layers, this.#layers)) {
      throw new Error(`EpochAccumulator: step ${i} has gradient norms of layers [${layers.join(', ')}], but the epoch's first step had [${this.#layers.join(', ')}]`);
    }
    this.#stepLoss[i] = loss;
    this.#stepLr[i] = lr;
    const columns = this.#stepNorms;
    for (let l = 0; l < columns.length; l++) columns[l]![i] = norms[l]!;
    this.#steps = i + 1;
  }

  /** The first step's layers become the epoch's. */
  #takeLayers(layers: readonly string[]): void {
    this.#layers = Object.freeze([...layers]);
    this.#stepNorms = Object.freeze(layers.map(() => new Float64Array(this.#parts.length)));
  }

  /** What the epoch holds so far, copied: a checkpoint's position inside it. */
  snapshot(): EpochSnapshot {
    const steps = this.#steps;
    const stepGradNorms: Record<string, number[]> = {};
    this.#layers.forEach((k, l) => (stepGradNorms[k] = Array.from(this.#stepNorms[l]!.subarray(0, steps))));
    const outputs = this.#outRows && fromData(this.#outRows.slice(), [this.#n, this.#outputs]);
    return { stepLoss: Array.from(this.#stepLoss.subarray(0, steps)), stepLr: Array.from(this.#stepLr.subarray(0, steps)), stepGradNorms, ...(outputs && { outputs }) };
  }

  /**
   * Records again the steps a snapshot holds, which ran on the epoch's first batches; the output rows
   * come from `snapshot.outputs` (needed when there are metrics).
   */
  replay(snapshot: EpochSnapshot): void {
    const layers = Object.keys(snapshot.stepGradNorms);
    snapshot.stepLoss.forEach((loss, i) => {
      const norms = layers.map((k) => snapshot.stepGradNorms[k]![i]!);
      this.recordStep(loss, snapshot.stepLr[i]!, { layers, norms });
    });
    if (this.#outRows && snapshot.outputs) this.#outRows.set(snapshot.outputs.data);
  }

  /** The epoch's numbers, its metrics scored against `target` (the training targets, in sample order), with the validation score if any. */
  finish(target: Target, validation?: Evaluation): EpochSummary {
    const steps = this.#steps, stepLoss = this.#stepLoss.subarray(0, steps), stepLr = this.#stepLr.subarray(0, steps);
    // Summed in step order from 0, as the steps came: the same bits as a running sum.
    let lossSum = 0, samples = 0;
    for (let i = 0; i < steps; i++) {
      const size = this.#parts[i]!.length;
      lossSum += stepLoss[i]! * size;
      samples += size;
    }
    const loss = lossSum / Math.max(1, samples);
    const metrics = this.#metrics(target, samples);
    const stepGradNorms: Record<string, Float64Array> = {};
    const gradNorms = this.#layers.map((k, l) => {
      const column = stepGradNorms[k] = this.#stepNorms[l]!.subarray(0, steps);
      let sum = 0;
      for (let i = 0; i < steps; i++) sum += column[i]!;
      return [k, sum / Math.max(steps, 1)] as [string, number];
    });
    const entry: EpochEntry = {
      loss, metrics, valLoss: validation?.loss, valMetrics: validation?.metrics, lr: steps > 0 ? stepLr[steps - 1]! : 0,
      gradNorms, stepLoss, stepLr, stepGradNorms,
    };
    return { loss, metrics, entry };
  }

  #metrics(target: Target, samples: number): Record<string, number> {
    const metrics: Record<string, number> = {};
    if (!this.#outRows) return metrics;
    let pred = fromData(this.#outRows, [this.#n, this.#outputs]);
    if (samples < this.#n) {
      // Stopped mid-epoch by a callback: score only the samples that were seen.
      const seen = Int32Array.from(this.#parts.slice(0, this.#steps).flatMap((rows) => Array.from(rows)));
      [pred, target] = [takeRows(pred, seen), takeRows(target, seen)];
    }
    for (const m of this.#metricNames) metrics[m] = getMetric(m)(pred, target);
    return metrics;
  }
}

/** Whether two lists of layer names are the same, in the same order. */
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
