/**
 * fit: epochs of shuffled mini-batches through the pure training step, with the gradient monitor,
 * callbacks, validation, early stopping, progress output and a History of what happened. This file is
 * the loop; an epoch's numbers are gathered in epoch-accumulator.ts, the random streams are in
 * fit-streams.ts, early stopping in early-stopping.ts and the options and results in fit-types.ts.
 */
import { expose, reusing, Rng, takeRows, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { batchIndices } from './batching.ts';
import { resumeFrom, type TrainingState } from './checkpoint.ts';
import { explainNonFinite } from './diagnose.ts';
import { earlyStopper } from './early-stopping.ts';
import { EpochAccumulator } from './epoch-accumulator.ts';
import { epochLine } from './epoch-line.ts';
import { score } from './evaluate.ts';
import { seededStreams, streamStates } from './fit-streams.ts';
import type { Callbacks, EpochInfo, FitOptions, FitResult, StepInfo } from './fit-types.ts';
import { addEpoch, History } from './history.ts';
import type { Model } from './model.ts';
import { gradientMonitor, NonFiniteError } from './monitor.ts';
import type { OptState } from './optimizers/index.ts';
import type { ModelState } from './model-state.ts';
import type { Params } from './params.ts';
import { progressReporter } from './progress.ts';
import type { Target } from './targets.ts';
import { makeTrainStep } from './train-step.ts';
import { checkFit } from './validate.ts';
import { checkOptState } from './validate-state.ts';

/**
 * Trains `model` from `params` on `given` for `options.epochs` epochs of shuffled mini-batches and
 * returns the trained params with the optimiser state and the history. Nothing is mutated: the params
 * given are left as they were. Each epoch prints one line (or a bar in a Node terminal) unless
 * `progress: false`.
 *
 * Shapes: `given.x` is [samples, ...model.inputShape] in the model's dtype; `given.y` is a [samples, outputs]
 * tensor for mse, mae and binaryCrossEntropy (an [samples] tensor for one output), and class labels
 * ([samples] list or tensor) or one-hot rows [samples, classes] for crossEntropy.
 *
 * @param given The training data; `x` and `y` have one row per sample.
 * @throws Error before the first step when an argument or option is wrong (naming it, with both
 *   shapes for a shape mismatch), e.g. params of another model, a non-finite parameter, a label out of
 *   range, or `resume` together with `optState`.
 * @throws NonFiniteError when the loss or a gradient becomes NaN or ±Inf, naming the step, the
 *   parameter and the op that produced it (unless `monitor: false`).
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { fit, mlp } from '@chainrule/nn';
 * const model = mlp([1, 16, 1], { hidden: 'tanh' });
 * const x = tensor([[0], [0.25], [0.5], [0.75], [1]]), y = tensor([[0], [0.5], [1], [1.5], [2]]);
 * const { params, history } = fit(model, model.init(0), { x, y }, { loss: 'mse', epochs: 200, batchSize: 5, progress: false });
 * ```
 */
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
  let layerState: ModelState = options.state ?? (resumedState(options) ?? model.initState());
  const resumed = options.resume === undefined ? undefined : resumeFrom('fit: resume', model, options.resume);
  if (resumed) {
    if (options.optState !== undefined) throw new Error('fit: give resume or optState, not both (resume carries its own optState)');
    checkOptState('fit: resume', optimizer, resumed.optState, params);
  }
  const streams = resumed ?? seededStreams(rng);
  let optState = resumed?.optState ?? options.optState ?? optimizer.init(params);
  let history = resumed?.history ?? History();
  let epochsDone = resumed?.epoch ?? 0;
  let lastEpoch: number | undefined;
  let globalStep = optState.step;
  let stop = false;
  const transform = options.transform && reusing(options.transform, { pure: options.transform.pure === true });
  const stepCallbacks = callbacks.some((cb) => cb.onStep !== undefined);
  /** The last batch a step trained on, to explain a non-finite step (nothing is reused when a step throws). */
  let lastBatch: { x: Tensor; y: Target } | undefined;

  /**
   * One step on the rows idx: the batch, the update, the monitor's check before the update is accepted
   * (a NaN never reaches the returned params) and the rows of output for the metrics, copied while they
   * live. Last step's params and state are donated: fit never uses them again, and only buffers this
   * function made are reused (the caller's params, and anything a callback saw, have escaped).
   */
  const trainOn = reusing((p: Params, s: OptState, ls: ModelState, idx: Int32Array, record: EpochAccumulator, epoch: number, whole: boolean) => {
    const batch = whole ? { x: data.x, y: data.y } : { x: takeRows(data.x, idx), y: takeRows(data.y, idx) };
    if (transform) batch.x = transform(batch.x, { rng: streams.augment, epoch });
    lastBatch = batch;
    const r = step(p, s, batch, { state: ls, rng: streams.dropout });
    const norms = monitor ? monitor.check(globalStep, r.loss, r.grads) : OrderedMap<string, number>();
    record.recordOutput(idx, r.output);
    return { params: r.params, optState: r.optState, state: r.state, loss: r.loss, norms };
  }, { pure: true, donate: [0, 1] });

  try {
    for (let epoch = epochsDone; epoch < epochs && !stop; epoch++) {
      const started = Date.now();
      const parts = batchIndices(n, { batchSize, shuffle, rng: streams.shuffle });
      progress?.onEpochStart?.(epoch + 1, epochs, parts.length);
      const record = new EpochAccumulator(n, model.outputs, metricNames, data.x.data);
      for (let b = 0; b < parts.length && !stop; b++) {
        const idx = parts[b]!;
        const lr = optimizer.lr(optState.step);
        let r: ReturnType<typeof trainOn>;
        const dropoutAt = streams.dropout.state();
        try {
          r = trainOn(p, optState, layerState, idx, record, epoch, parts.length === 1 && !shuffle);
        } catch (e) {
          throw e instanceof NonFiniteError ? explainNonFinite(e, { model, loss, params: p, batch: lastBatch!, state: layerState, rng: Rng.fromState(dropoutAt) }) : e;
        }
        p = r.params;
        optState = r.optState;
        layerState = r.state;
        record.recordStep(idx, r.loss, lr, r.norms);
        progress?.onStep?.(r.loss);
        if (stepCallbacks) {
          // A callback may keep what it is shown: those params are never reused.
          const info: StepInfo = expose({ step: globalStep, epoch, batch: b, loss: r.loss, lr, gradNorms: r.norms, params: p });
          for (const cb of callbacks) if (cb.onStep?.(info) === 'stop') stop = true;
        }
        globalStep++;
      }
      const val = validation ? score(model, p, validation, { loss, metrics: metricNames, batchSize: Math.max(batchSize, 256), state: layerState }) : undefined;
      const trained = record.finish(data.y, val);
      history = addEpoch(history, trained.entry);
      epochsDone = epoch + 1;
      // Callbacks and early stopping may keep the params they are shown (early stopping keeps the best):
      // then these are never reused, which costs one set of params per epoch; the optimiser state only
      // when a callback asks for the training state (a checkpoint), which it must do before training goes on.
      const atEnd = { params: p, state: layerState, optState, history, epochsDone, rng: streamStates(streams) };
      const asOf = globalStep;
      const trainingState = (): TrainingState => {
        if (globalStep !== asOf) throw new Error(`fit: the training state of epoch ${epoch + 1} was asked for after training went on; call info.trainingState() inside onEpochEnd`);
        return expose(atEnd);
      };
      const info: EpochInfo = { epoch, loss: trained.loss, metrics: trained.metrics, valLoss: val?.loss, valMetrics: val?.metrics, params: p, state: layerState, history, epochsDone, trainingState };
      if (callbacks.length > 0 || early) expose(p);
      if (progress?.onEpochEnd) progress.onEpochEnd(epochLine(epochs, info, Date.now() - started), info);
      for (const cb of callbacks) if (cb.onEpochEnd?.(info) === 'stop') stop = true;
      lastEpoch = epoch;
      if (early?.observe(info) === 'stop') stop = true;
    }
  } finally {
    progress?.onEnd?.();
  }
  const { params: kept, state: keptState = layerState, bestEpoch, stoppedAt } = early?.finish(p, layerState) ?? { params: p };
  return { params: kept, state: keptState, optState, history, bestEpoch, lastEpoch, stoppedAt, epochsDone, rng: streamStates(streams) };
}

/** The layer state a resume carries (a loaded checkpoint or a FitResult), if any. */
const resumedState = (options: FitOptions): ModelState | undefined => (options.resume as { state?: ModelState } | undefined)?.state;
