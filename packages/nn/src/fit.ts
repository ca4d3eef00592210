/**
 * fit: epochs of shuffled mini-batches through the pure training step, with the gradient monitor,
 * callbacks, validation, early stopping, progress output and a History of what happened.
 */
import { expose, fromData, reusing, Rng, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { batchIndices } from './batching.ts';
import { resumeFrom, type FitRngState, type ResumeState, type TrainingState } from './checkpoint.ts';
import { explainNonFinite } from './diagnose.ts';
import { earlyStopper, type EarlyStopping } from './early-stopping.ts';
import { score } from './evaluate.ts';
import { addEpoch, History } from './history.ts';
import { getMetric, type MetricName } from './metrics.ts';
import type { Model } from './model.ts';
import { gradientMonitor, NonFiniteError, type MonitorOptions } from './monitor.ts';
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
   * info.trainingState())`. Ask for it inside onEpochEnd: once training goes on, it throws.
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
   * alone. Like a loss, it may declare itself pure (`Object.assign(fn, { pure: true })`: it keeps no
   * tensor it is given or makes), so the batch's buffers are reused; undeclared, it may keep anything.
   */
  readonly transform?: ((x: Tensor, context: TransformContext) => Tensor) & { readonly pure?: boolean };
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
  const transform = options.transform && reusing(options.transform, { pure: options.transform.pure === true });
  const stepCallbacks = callbacks.some((cb) => cb.onStep !== undefined);
  /** The last batch a step trained on, to explain a non-finite step (nothing is reused when a step throws). */
  let lastBatch: { x: Tensor; y: Target } | undefined;
  let outRows: Float32Array | Float64Array | undefined;

  /**
   * One step on the rows idx: the batch, the update, the monitor's check before the update is accepted
   * (a NaN never reaches the returned params) and the rows of output for the metrics. Last step's params
   * and state are donated: fit never uses them again, and only buffers this function made are reused
   * (the caller's params, and anything a callback saw, have escaped).
   */
  const trainOn = reusing((p: Params, s: OptState, idx: Int32Array, epoch: number, whole: boolean) => {
    const batch = whole ? { x: data.x, y: data.y } : { x: takeRows(data.x, idx), y: takeRows(data.y, idx) };
    if (transform) batch.x = transform(batch.x, { rng: streams.augment, epoch });
    lastBatch = batch;
    const r = step(p, s, batch);
    const norms = monitor ? monitor.check(globalStep, r.loss, r.grads) : OrderedMap<string, number>();
    if (outRows) for (let i = 0; i < idx.length; i++) outRows.set(r.output.data.subarray(i * model.outputs, (i + 1) * model.outputs), idx[i]! * model.outputs);
    return { params: r.params, optState: r.optState, loss: r.loss, norms };
  }, { pure: true, donate: [0, 1] });

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
      outRows = metricNames.length ? new (data.x.data.constructor as Float32ArrayConstructor)(n * model.outputs) : undefined;
      for (let b = 0; b < parts.length && !stop; b++) {
        const idx = parts[b]!;
        lr = optimizer.lr(optState.step);
        let r: ReturnType<typeof trainOn>;
        try {
          r = trainOn(p, optState, idx, epoch, parts.length === 1 && !shuffle);
        } catch (e) {
          throw e instanceof NonFiniteError ? explainNonFinite(e, { model, loss, params: p, batch: lastBatch! }) : e;
        }
        p = r.params;
        optState = r.optState;
        lossSum += r.loss * idx.length;
        stepLoss.push(r.loss);
        stepLr.push(lr);
        for (const [k, v] of r.norms) {
          (stepNorms[k] ??= []).push(v);
          normSum.set(k, (normSum.get(k) ?? 0) + v);
        }
        progress?.onStep?.(r.loss);
        if (stepCallbacks) {
          // A callback may keep what it is shown: those params are never reused.
          const info: StepInfo = expose({ step: globalStep, epoch, batch: b, loss: r.loss, lr, gradNorms: r.norms, params: p });
          for (const cb of callbacks) if (cb.onStep?.(info) === 'stop') stop = true;
        }
        globalStep++;
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
      // Callbacks and early stopping may keep the params they are shown (early stopping keeps the best):
      // then these are never reused, which costs one set of params per epoch; the optimiser state only
      // when a callback asks for the training state (a checkpoint), which it must do before training goes on.
      const atEnd = { params: p, optState, history, epochsDone, rng: streamStates(streams) };
      const asOf = globalStep;
      const trainingState = (): TrainingState => {
        if (globalStep !== asOf) throw new Error(`fit: the training state of epoch ${epoch + 1} was asked for after training went on; call info.trainingState() inside onEpochEnd`);
        return expose(atEnd);
      };
      const info: EpochInfo = { epoch, loss: trainLoss, metrics: trainMetrics, valLoss: val?.loss, valMetrics: val?.metrics, params: p, history, epochsDone, trainingState };
      if (callbacks.length > 0 || early) expose(p);
      if (progress?.onEpochEnd) progress.onEpochEnd(epochLine(epoch, epochs, info, Date.now() - started), info);
      for (const cb of callbacks) if (cb.onEpochEnd?.(info) === 'stop') stop = true;
      lastEpoch = epoch;
      if (early?.observe(info) === 'stop') stop = true;
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

const fmt = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(3));

function epochLine(epoch: number, epochs: number, e: EpochInfo, ms: number): string {
  const parts = [`epoch ${epoch + 1}/${epochs}`, `loss ${fmt(e.loss)}`];
  for (const [k, v] of Object.entries(e.metrics)) parts.push(`${k} ${fmt(v)}`);
  if (e.valLoss !== undefined) parts.push(`val_loss ${fmt(e.valLoss)}`);
  for (const [k, v] of Object.entries(e.valMetrics ?? {})) parts.push(`val_${k} ${fmt(v)}`);
  parts.push(`${(ms / 1000).toFixed(2)}s`);
  return parts.join(' - ');
}
