/**
 * fit: epochs of shuffled mini-batches through the pure training step, with the gradient monitor,
 * callbacks, validation, early stopping, progress output and a History of what happened.
 */
import { fromData, recycle, Rng, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { batchIndices } from './batching.ts';
import { resumeFrom, type FitRngState, type ResumeState, type TrainingState } from './checkpoint.ts';
import { monitoredNorms } from './diagnose.ts';
import { earlyStopper, type EarlyStopping } from './early-stopping.ts';
import { score } from './evaluate.ts';
import { addEpoch, History } from './history.ts';
import { getMetric, type MetricName } from './metrics.ts';
import type { Model } from './model.ts';
import { gradientMonitor, type MonitorOptions } from './monitor.ts';
import type { Optimizer, OptimizerName, OptState } from './optimizers/index.ts';
import type { Params } from './params.ts';
import { progressReporter, type ProgressOptions } from './progress.ts';
import { takeRows, type Target } from './targets.ts';
import { makeTrainStep, type LossSpec } from './train-step.ts';
import { checkFit } from './validate.ts';
import { checkOptState } from './validate-state.ts';

export interface StepInfo {
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorms: OrderedMap<string, number>;
  readonly params: Params;
}

export interface EpochInfo {
  readonly epoch: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly valLoss?: number;
  readonly valMetrics?: Readonly<Record<string, number>>;
  readonly params: Params;
  readonly history: History;
  /** Epochs completed, counting resumed ones (epoch + 1). */
  readonly epochsDone: number;
  /**
   * The run as it stands at this epoch's end, what a checkpoint holds: `saveCheckpoint(path, model,
   * info.trainingState())`. Asking for it keeps this epoch's optimiser state from buffer reuse.
   */
  readonly trainingState: () => TrainingState;
}

/** Return 'stop' to end training after this step or epoch. */
export interface Callbacks {
  readonly onStep?: (info: StepInfo) => void | 'stop';
  readonly onEpochEnd?: (info: EpochInfo) => void | 'stop';
}

export type { EarlyStopping };

export interface FitOptions extends ProgressOptions {
  readonly loss: LossSpec;
  readonly optimizer?: OptimizerName | Optimizer;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly shuffle?: boolean;
  /** Seeds the shuffling and validationSplit's choice of rows (default 0). */
  readonly seed?: number;
  readonly validation?: { x: Tensor; y: Target };
  /**
   * Holds out this fraction of the training rows (in (0, 1), round(n · fraction) of them) as the
   * validation set, drawn at random from `seed`; the rest trains. Not together with `validation`.
   */
  readonly validationSplit?: number;
  readonly metrics?: readonly MetricName[];
  readonly callbacks?: Callbacks | readonly Callbacks[];
  readonly earlyStopping?: EarlyStopping | boolean;
  /** Gradient health monitor options, or false to turn it off. */
  readonly monitor?: MonitorOptions | false;
  /** Resume from an earlier optimiser state. */
  readonly optState?: OptState;
  /**
   * Applied to each training batch's x before the step (data augmentation); validation data is left
   * alone. It may return its input or a new tensor, but must not keep its input: fit reuses that
   * batch's buffer after the step.
   */
  readonly transform?: (x: Tensor, context: TransformContext) => Tensor;
  /**
   * Continue a run: a FitResult or a loaded checkpoint (`resume: ckpt`, with `ckpt.params` as the
   * params). Its optimiser state (whose step drives the schedule), history and random streams pick up
   * where they stopped, and training starts at epoch `epochsDone` of the `epochs` in total (Keras's
   * initial_epoch). A run stopped mid-epoch resumes at the next epoch.
   */
  readonly resume?: ResumeState;
}

export interface TransformContext {
  /** fit's augmentation stream (seeded from `seed`, saved in checkpoints): draw random augmentations from it. */
  readonly rng: Rng;
  readonly epoch: number;
}

export interface FitResult {
  readonly params: Params;
  readonly optState: OptState;
  readonly history: History;
  /** With early stopping: the epoch with the best monitored value, whose params are returned unless restoreBest is false (0-based). */
  readonly bestEpoch?: number;
  /** The last epoch that ran (0-based); undefined when none did. */
  readonly lastEpoch?: number;
  /** The epoch at which early stopping ended training (0-based), if it did; not set when the epoch budget or a callback ended it. */
  readonly stoppedAt?: number;
  /** Epochs completed, counting resumed ones: a resumed run starts here. */
  readonly epochsDone: number;
  /** Where fit's random streams stand: with the rest, what saveCheckpoint needs to resume bit for bit. */
  readonly rng: FitRngState;
}

export function fit(model: Model, params: Params, given: { x: Tensor; y: Target }, options: FitOptions): FitResult {
  const { data, validation, n, epochs, batchSize, loss, optimizer, rng } = checkFit(model, params, given, options);
  const metricNames = options.metrics ?? [];
  const step = makeTrainStep(model, { loss, optimizer });
  const monitor = options.monitor === false ? undefined : gradientMonitor(options.monitor ?? {});
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks as Callbacks];
  const early = earlyStopper(options.earlyStopping, validation !== undefined);
  const shuffle = options.shuffle ?? true;
  const progress = progressReporter(options);

  let p = params;
  const resumed = options.resume === undefined ? undefined : resumeFrom('fit: resume', model, options.resume);
  if (resumed) {
    if (options.optState !== undefined) throw new Error('fit: give resume or optState, not both (resume carries its own optState)');
    checkOptState('fit: resume', optimizer, resumed.optState, params);
  }
  const streams = resumed ?? { shuffle: rng, augment: augmentStream(rng) };
  let optState = resumed?.optState ?? options.optState ?? optimizer.init(params);
  let history = resumed?.history ?? History();
  let epochsDone = resumed?.epoch ?? 0;
  let lastEpoch: number | undefined;
  let globalStep = optState.step;
  // fit owns every params, optimiser state and gradient it makes; once a step has replaced them and
  // nothing outside can hold them, their buffers go back to the pool for the next step. Params that a
  // callback saw or early stopping kept have escaped and are never reused; nor are the caller's.
  const escaped = new WeakSet<Params>([params]);
  const escapedStates = new WeakSet<OptState>([options.optState, resumed?.optState].filter((s) => s !== undefined));
  const stepCallbacks = callbacks.some((cb) => cb.onStep !== undefined);

  try {
    for (let epoch = epochsDone; epoch < epochs; epoch++) {
      const started = Date.now();
      const parts = batchIndices(n, { batchSize, shuffle, rng: streams.shuffle });
      progress?.onEpochStart?.(epoch + 1, epochs, parts.length);
      let lossSum = 0;
      const stepLoss: number[] = [];
      const stepLr: number[] = [];
      const stepNorms: Record<string, number[]> = {};
      const normSum = new Map<string, number>();
      let lr = 0;
      let stop = false;
      const outRows = metricNames.length ? new (data.x.data.constructor as Float32ArrayConstructor)(n * model.outputs) : undefined;
      for (let b = 0; b < parts.length && !stop; b++) {
        const idx = parts[b]!;
        const whole = parts.length === 1 && !shuffle;
        const batch = whole ? { x: data.x, y: data.y } : { x: takeRows(data.x, idx), y: takeRows(data.y, idx) };
        const rows = batch.x;
        if (options.transform) batch.x = options.transform(batch.x, { rng: streams.augment, epoch });
        lr = optimizer.lr(optState.step);
        const r = step(p, optState, batch);
        // Checked before the update is accepted: a NaN never reaches the returned params.
        const norms = monitoredNorms(monitor, globalStep, r, { model, loss, params: p, batch });
        recycle(r.grads.values());
        if (!whole) recycle([rows]); // the transform's output, if any, is not ours to reuse
        if (!escaped.has(p)) recycle(p.values());
        if (!escapedStates.has(optState)) recycle(slotTensors(optState));
        p = r.params;
        optState = r.optState;
        lossSum += r.loss * idx.length;
        stepLoss.push(r.loss);
        stepLr.push(lr);
        for (const [k, v] of norms) {
          (stepNorms[k] ??= []).push(v);
          normSum.set(k, (normSum.get(k) ?? 0) + v);
        }
        if (outRows) for (let i = 0; i < idx.length; i++) outRows.set(r.output.data.subarray(i * model.outputs, (i + 1) * model.outputs), idx[i]! * model.outputs);
        progress?.onStep?.(r.loss);
        if (stepCallbacks) escaped.add(p);
        const info: StepInfo = { step: globalStep, epoch, batch: b, loss: r.loss, lr, gradNorms: norms, params: p };
        globalStep++;
        for (const cb of callbacks) if (cb.onStep?.(info) === 'stop') stop = true;
      }
      const steps = stepLoss.length;
      const trainLoss = lossSum / Math.max(1, parts.slice(0, steps).reduce((s, i) => s + i.length, 0));
      const trainMetrics: Record<string, number> = {};
      if (outRows) {
        let pred = fromData(outRows, [n, model.outputs]);
        let target = data.y;
        if (steps < parts.length) {
          // Stopped mid-epoch by a callback: score only the samples that were seen.
          const seen = Int32Array.from(parts.slice(0, steps).flatMap((i) => Array.from(i)));
          [pred, target] = [takeRows(pred, seen), takeRows(data.y, seen)];
        }
        for (const m of metricNames) trainMetrics[m] = getMetric(m)(pred, target);
      }
      const val = validation ? score(model, p, validation, { loss, metrics: metricNames, batchSize: Math.max(batchSize, 256) }) : undefined;
      history = addEpoch(history, {
        loss: trainLoss, metrics: trainMetrics, valLoss: val?.loss, valMetrics: val?.metrics, lr,
        gradNorms: OrderedMap([...normSum].map(([k, s]) => [k, s / Math.max(steps, 1)] as const)), stepLoss, stepLr, stepGradNorms: stepNorms,
      });
      epochsDone = epoch + 1;
      if (callbacks.length > 0) escaped.add(p);
      const atEnd = { params: p, optState, history, epochsDone, rng: streamStates(streams) };
      const info: EpochInfo = { epoch, loss: trainLoss, metrics: trainMetrics, valLoss: val?.loss, valMetrics: val?.metrics, params: p, history,
        epochsDone, trainingState: () => {
          escapedStates.add(atEnd.optState);
          return atEnd;
        } };
      if (progress?.onEpochEnd) progress.onEpochEnd(epochLine(epoch, epochs, info, Date.now() - started), info);
      for (const cb of callbacks) if (cb.onEpochEnd?.(info) === 'stop') stop = true;
      lastEpoch = epoch;
      const verdict = early?.observe(info);
      if (verdict === 'improved') escaped.add(p); // kept as the best epoch's params: never recycled
      if (verdict === 'stop') stop = true;
      if (stop) break;
    }
  } finally {
    progress?.onEnd?.();
  }
  const { params: kept, bestEpoch, stoppedAt } = early?.finish(p) ?? { params: p };
  return { params: kept, optState, history, bestEpoch, lastEpoch, stoppedAt, epochsDone, rng: streamStates(streams) };
}

/** The augmentation stream: 2^64 draws past the shuffling one, which keeps its sequence (split jumps the parent). */
function augmentStream(shuffle: Rng): Rng {
  const augment = Rng.fromState(shuffle.state());
  augment.split();
  return augment;
}

const streamStates = (s: { shuffle: Rng; augment: Rng }): FitRngState => ({ shuffle: s.shuffle.state(), augment: s.augment.state() });

function* slotTensors(state: OptState): Iterable<Tensor> {
  for (const slot of state.slots.values()) yield* slot.values();
}

const fmt = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(3));

function epochLine(epoch: number, epochs: number, e: EpochInfo, ms: number): string {
  const parts = [`epoch ${epoch + 1}/${epochs}`, `loss ${fmt(e.loss)}`];
  for (const [k, v] of Object.entries(e.metrics)) parts.push(`${k} ${fmt(v)}`);
  if (e.valLoss !== undefined) parts.push(`val_loss ${fmt(e.valLoss)}`);
  for (const [k, v] of Object.entries(e.valMetrics ?? {})) parts.push(`val_${k} ${fmt(v)}`);
  parts.push(`${(ms / 1000).toFixed(2)}s`);
  return parts.join(' - ');
}
