/**
 * The training loop, one step at a time. fit is a Trainer stepped for `epochs` epochs; a page that
 * trains live steps the same Trainer one optimiser step per click or frame, so both shuffle, batch,
 * schedule and draw random numbers alike. An epoch opens at its first step (drawing its batch order)
 * and closes at the step that runs its last batch (validation, metrics, History, callbacks, early
 * stopping): nothing about an epoch depends on whether step() or epoch() drove it.
 */
import { describeValue, expose, reusing, Rng, takeRows, type RngState, type Tensor } from '@chainrule/core';
import { batchIndices } from './batching.ts';
import { resumeFrom, type EpochPosition, type TrainingState } from './checkpoint.ts';
import { explainNonFinite } from './diagnose.ts';
import { earlyStopper, type EarlyStopper } from './early-stopping.ts';
import { EpochAccumulator } from './epoch-accumulator.ts';
import { epochLine } from './epoch-line.ts';
import { score } from './evaluate.ts';
import { seededStreams, streamStates, type FitStreams } from './fit-streams.ts';
import type { Callbacks, EpochInfo, FitOptions, FitResult, StepInfo } from './fit-types.ts';
import { History, HistoryLog } from './history.ts';
import type { Loss } from './losses.ts';
import type { MetricName } from './metrics.ts';
import type { Model } from './model.ts';
import type { ModelState } from './model-state.ts';
import { NonFiniteError, stepMonitor, type GradientWarning, type StepMonitor } from './monitor.ts';
import type { Optimizer, OptState } from './optimizers/index.ts';
import type { Params } from './params.ts';
import { progressReporter, type ProgressReporter } from './progress.ts';
import { NO_NORMS, normsMap, type StepNorms } from './step-norms.ts';
import type { Target } from './targets.ts';
import { makeTrainStep } from './train-step.ts';
import { checkFit } from './validate.ts';
import { checkOptState } from './validate-state.ts';

/** The epoch under way: its batch order, how far it has gone, and its numbers so far. */
interface OpenEpoch {
  readonly epoch: number;
  readonly parts: readonly Int32Array[];
  /** The shuffle stream before it drew `parts`: a checkpoint draws them again from here. */
  readonly shuffleAtStart: RngState;
  readonly record: EpochAccumulator;
  readonly started: number;
  /** Steps run in it so far. */
  batch: number;
  /** A step callback said 'stop': the epoch closes at once, as fit's did. */
  stopped: boolean;
}

/** What one step of the training function gives back. */
interface StepOutcome {
  readonly params: Params;
  readonly optState: OptState;
  readonly state: ModelState;
  readonly loss: number;
}

/** A step as it ran (StepInfo without the params, and the norms not yet an OrderedMap): StepInfo is made from it when asked for. */
type StepRecord = Omit<StepInfo, 'params' | 'gradNorms'> & { readonly norms: StepNorms };

/** Who started a Trainer: the name its errors begin with, and whether progress is on by default. */
interface Origin {
  readonly where: string;
  readonly progressByDefault: boolean;
  /** Whether anyone but the caller sees the Trainer: fit's is seen by fit alone, which reads no epoch's params. */
  readonly private: boolean;
}

/** fit's origin while fit constructs its Trainer (a constructor parameter for it would show in the public signature). */
let starting: Origin | undefined;

/** fit's Trainer: errors begin with 'fit', and progress is on unless `progress: false`. */
export function trainerForFit(model: Model, params: Params, data: { x: Tensor; y: Target }, options: FitOptions): Trainer {
  starting = { where: 'fit', progressByDefault: true, private: true };
  try {
    return new Trainer(model, params, data, options);
  } finally {
    starting = undefined;
  }
}

/**
 * A training run you step yourself: the loop fit runs, one optimiser step at a time. `step()` trains
 * one batch (opening the next epoch, with a fresh shuffle, when the last one closed; closing the epoch
 * when it trains its last batch); `epoch()` steps to the end of the current epoch. For the same model,
 * data, params and options, N epochs of a Trainer and `fit(…, { epochs: N })` give the same params,
 * History and streams to the last bit, however the steps were driven.
 *
 * Options are {@link FitOptions}, checked as fit checks them (errors begin with 'Trainer'). A Trainer
 * never stops by itself: `epochs` is only the total its progress shows, progress is off unless
 * `progress` is given, and when a callback or early stopping says 'stop', {@link Trainer.stopped} turns
 * true and stepping on is up to you. Nothing is mutated but the Trainer: what its getters hand out
 * (params, state, a checkpoint) stays as it was however the run goes on.
 *
 * @throws Error from the constructor when an argument or option is wrong, as fit throws.
 * @throws NonFiniteError from step() or epoch() when the loss or a gradient becomes NaN or ±Inf (the
 *   params stay those of the last good step); after that, or after any other error in a step, the
 *   Trainer refuses to go on: make a new one, or resume one from a checkpoint.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { mlp, sgd, Trainer } from '@chainrule/nn';
 * const model = mlp([1, 16, 1], { hidden: 'tanh' });
 * const x = tensor([[0], [0.25], [0.5], [0.75], [1]]), y = tensor([[0], [0.5], [1], [1.5], [2]]);
 * const trainer = new Trainer(model, model.init(0), { x, y }, { loss: 'mse', optimizer: sgd({ lr: 0.1 }), batchSize: 2, seed: 1 });
 * const first = trainer.step();                 // one optimiser step: first.loss, first.lr, first.gradNorms
 * const epoch = trainer.epoch();                // the rest of epoch 0: epoch.loss, trainer.history
 * const saved = trainer.checkpoint();           // anywhere, mid-epoch too; encodeCheckpoint(model, saved) for bytes
 * const again = Trainer.resume(model, { x, y }, { loss: 'mse', optimizer: sgd({ lr: 0.1 }), batchSize: 2, seed: 1 }, saved);
 * ```
 */
export class Trainer {
  /** The model being trained. */
  readonly model: Model;
  readonly #where: string;
  /** Whether an epoch's params may be kept by someone (its EpochInfo is handed out): then they are never reused. */
  readonly #epochsSeen: boolean;
  readonly #data: { readonly x: Tensor; readonly y: Target };
  readonly #validation?: { readonly x: Tensor; readonly y: Target };
  readonly #n: number;
  readonly #batchSize: number;
  readonly #epochs: number;
  readonly #loss: Loss;
  readonly #optimizer: Optimizer;
  readonly #metricNames: readonly MetricName[];
  readonly #shuffle: boolean;
  readonly #monitor?: StepMonitor;
  readonly #callbacks: readonly Callbacks[];
  readonly #stepCallbacks: boolean;
  readonly #early?: EarlyStopper;
  readonly #progress?: ProgressReporter;
  readonly #streams: FitStreams;
  readonly #trainOn: (p: Params, s: OptState, ls: ModelState, idx: Int32Array, open: OpenEpoch, step: number) => StepOutcome;
  /** The last batch a step trained on, to explain a non-finite step (nothing is reused when a step throws). */
  #lastBatch?: { x: Tensor; y: Target };
  /**
   * The last step's gradient norms. Kept here, not in the step's result: the result is walked for
   * buffers after every step, and walking the norms' two arrays cost ~0.4 µs a step for nothing.
   */
  #stepNorms: StepNorms = NO_NORMS;

  #params: Params;
  #optState: OptState;
  #state: ModelState;
  /** The History, built when read: see HistoryLog. */
  readonly #history: HistoryLog;
  #epochsDone: number;
  #stepCount: number;
  #open?: OpenEpoch;
  #lastStep?: StepRecord;
  #lastStepInfo?: StepInfo;
  #lastEpoch?: EpochInfo;
  #stopped = false;
  #failed?: unknown;

  /**
   * A run of `model` from `params` on `data`, not yet stepped (or picking up `options.resume`).
   *
   * @param model The model to train (mlp(…) or sequential(…)).
   * @param params Its params to start from; they are left as they were.
   * @param data The training data: `x` [samples, ...model.inputShape] and `y` in the form the loss takes, one row per sample.
   * @param options fit's options; only `loss` is required.
   */
  constructor(model: Model, params: Params, data: { x: Tensor; y: Target }, options: FitOptions) {
    const origin = starting ?? { where: 'Trainer', progressByDefault: false, private: false };
    const where = this.#where = origin.where;
    try {
      const checked = checkFit(model, params, data, options);
      this.model = model;
      this.#data = checked.data;
      this.#validation = checked.validation;
      this.#n = checked.n;
      this.#batchSize = checked.batchSize;
      this.#epochs = checked.epochs;
      this.#loss = checked.loss;
      this.#optimizer = checked.optimizer;
      this.#metricNames = options.metrics ?? [];
      const step = makeTrainStep(model, { loss: checked.loss, optimizer: checked.optimizer });
      this.#monitor = options.monitor === false ? undefined : stepMonitor(options.monitor ?? {});
      this.#callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks as Callbacks];
      this.#stepCallbacks = this.#callbacks.some((cb) => cb.onStep !== undefined);
      this.#early = earlyStopper(options.earlyStopping, checked.validation !== undefined);
      this.#epochsSeen = !origin.private || this.#callbacks.length > 0 || this.#early !== undefined;
      this.#shuffle = options.shuffle ?? true;
      this.#progress = progressReporter({ progress: options.progress ?? origin.progressByDefault, log: options.log });

      this.#state = options.state ?? (resumedState(options) ?? model.initState());
      const resumed = options.resume === undefined ? undefined : resumeFrom(`${where}: resume`, model, options.resume);
      if (resumed) {
        if (options.optState !== undefined) throw new Error(`${where}: give resume or optState, not both (resume carries its own optState)`);
        checkOptState(`${where}: resume`, checked.optimizer, resumed.optState, params);
      }
      this.#streams = resumed ?? seededStreams(checked.rng);
      this.#params = params;
      this.#optState = resumed?.optState ?? options.optState ?? checked.optimizer.init(params);
      this.#history = new HistoryLog(resumed?.history ?? History());
      this.#epochsDone = resumed?.epoch ?? 0;
      this.#stepCount = this.#optState.step;

      const train = this.#data, streams = this.#streams, monitor = this.#monitor;
      const transform = options.transform && reusing(options.transform, { pure: options.transform.pure === true });
      /**
       * One step on the rows idx: the batch, the update, the monitor's check before the update is accepted
       * (a NaN never reaches the returned params) and the rows of output for the metrics, copied while they
       * live. Last step's params and optimiser state are donated: the Trainer never uses them again, and
       * only buffers this function made are reused (the caller's params, and anything exposed, have escaped).
       */
      this.#trainOn = reusing((p: Params, s: OptState, ls: ModelState, idx: Int32Array, open: OpenEpoch, stepNumber: number) => {
        const whole = open.parts.length === 1 && !this.#shuffle;
        const batch = whole ? { x: train.x, y: train.y } : { x: takeRows(train.x, idx), y: takeRows(train.y, idx) };
        if (transform) batch.x = transform(batch.x, { rng: streams.augment, epoch: open.epoch });
        this.#lastBatch = batch;
        const r = step(p, s, batch, { state: ls, rng: streams.dropout });
        if (monitor) this.#stepNorms = monitor.checkStep(stepNumber, r.loss, r.grads);
        // The output's final activation runs when it is read (makeTrainStep): only the metrics read it.
        if (open.record.keepsOutputs) open.record.recordOutput(idx, r.output);
        return { params: r.params, optState: r.optState, state: r.state, loss: r.loss };
      }, { pure: true, donate: [0, 1] });
      if (resumed?.position) this.#open = this.#reopen(resumed.position);
    } catch (e) {
      throw renamed(e, where);
    }
  }

  /**
   * Continues a run from a checkpoint: `trainer.checkpoint()`, a FitResult, or a loaded file
   * (`loadCheckpoint`, `decodeCheckpoint`), mid-epoch or not; the same as `new Trainer(model,
   * checkpoint.params, data, { ...options, resume: checkpoint })`. Give the data and options the run
   * had: a different batch size, shuffle or data size makes a mid-epoch checkpoint fail with an Error.
   *
   * @throws Error as the constructor does, or when `checkpoint` is not a training state.
   */
  static resume(model: Model, data: { x: Tensor; y: Target }, options: FitOptions, checkpoint: TrainingState): Trainer {
    if (checkpoint === null || typeof checkpoint !== 'object') {
      throw new Error(`Trainer.resume: checkpoint must be trainer.checkpoint(), a FitResult or a loaded checkpoint, got ${describeValue(checkpoint)}`);
    }
    return new Trainer(model, checkpoint.params, data, { ...options, resume: checkpoint });
  }

  /** The params now (after the last step); yours to keep. */
  get params(): Params {
    return expose(this.#params);
  }

  /** The layer state now (batchNorm's running statistics); empty for a model without stateful layers. */
  get state(): ModelState {
    return this.#state;
  }

  /** The optimiser state now (its `step` counts every update, resumed ones too); yours to keep. */
  get optState(): OptState {
    return expose(this.#optState);
  }

  /** Every closed epoch's numbers (and each of their steps'), as fit returns them. */
  get history(): History {
    return this.#history.at();
  }

  /** Optimiser steps taken, counting those of the run resumed (the next step's number). */
  get stepCount(): number {
    return this.#stepCount;
  }

  /** Epochs closed, counting those of the run resumed (the number of the epoch under way, or of the next). */
  get epochCount(): number {
    return this.#epochsDone;
  }

  /** Steps taken in the epoch under way: 0 between epochs. */
  get stepInEpoch(): number {
    return this.#open?.batch ?? 0;
  }

  /** Steps in a whole epoch: ⌈training samples / batchSize⌉. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.#n / this.#batchSize);
  }

  /** The last step's numbers (what step() returned); undefined before the first step. */
  get lastStep(): StepInfo | undefined {
    const last = this.#lastStep;
    if (!last) return undefined;
    // Built when asked for: its params are the current ones, which exposing keeps from reuse.
    const { norms, warnings, ...numbers } = last;
    return (this.#lastStepInfo ??= { ...numbers, gradNorms: normsMap(norms), warnings, params: this.params });
  }

  /** The last closed epoch's numbers (what epoch() returned, or what the step that closed it produced); undefined before one closes. */
  get lastEpoch(): EpochInfo | undefined {
    return this.#lastEpoch;
  }

  /** Every warning the gradient monitor has given, in order (empty with `monitor: false`). */
  get warnings(): readonly GradientWarning[] {
    return this.#monitor?.warnings ?? [];
  }

  /** Whether a callback or early stopping has said 'stop' (fit ends there; stepping on is allowed). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Trains exactly one batch: opens the next epoch (drawing its batch order) if none is under way, takes
   * one optimiser step, runs onStep callbacks, and closes the epoch when this was its last batch (or a
   * callback said 'stop'): validation, metrics, History, onEpochEnd callbacks and early stopping.
   *
   * @throws NonFiniteError when the loss or a gradient is NaN or ±Inf; Error when the Trainer failed before.
   */
  step(): StepInfo {
    this.#guard(() => this.#advance());
    return this.lastStep!;
  }

  /**
   * Steps to the end of the epoch under way (a whole epoch between epochs) and returns what fit shows
   * at an epoch's end. N step() calls and then epoch() give what one epoch() gives.
   *
   * @throws NonFiniteError when the loss or a gradient is NaN or ±Inf; Error when the Trainer failed before.
   */
  epoch(): EpochInfo {
    return this.#guard(() => {
      const epoch = this.#epochsDone;
      do this.#advance(); while (this.#epochsDone === epoch);
      return this.#lastEpoch!;
    });
  }

  /**
   * Everything needed to go on bit for bit, at any point: params, layer and optimiser state, History,
   * the random streams and, inside an epoch, where it stands ({@link EpochPosition}). It is a
   * {@link TrainingState}: `encodeCheckpoint(model, it)` / `saveCheckpoint(path, model, it)` store it,
   * {@link Trainer.resume} or fit's `resume` continue from it (loaded or not). The gradient monitor's
   * memory of recent norms and early stopping's best epoch are not kept: they start afresh.
   */
  checkpoint(): TrainingState {
    const open = this.#open;
    const position: EpochPosition | undefined = open && { batch: open.batch, shuffle: open.shuffleAtStart, ...open.record.snapshot() };
    return expose({
      params: this.#params, state: this.#state, optState: this.#optState, history: this.#history.at(), epochsDone: this.#epochsDone,
      rng: streamStates(this.#streams), ...(position && { position }),
    });
  }

  /**
   * What fit returns if it ends here: the params (with early stopping's restoreBest, the best epoch's),
   * layer and optimiser state, History, the epochs and the streams. Taken inside an epoch, it leaves out
   * the epoch's steps so far (use {@link Trainer.checkpoint} to go on from there).
   */
  result(): FitResult {
    const { params, state = this.#state, bestEpoch, stoppedAt } = this.#early?.finish(this.#params, this.#state) ?? { params: this.#params };
    return expose({
      params, state, optState: this.#optState, history: this.#history.at(), bestEpoch, lastEpoch: this.#lastEpoch?.epoch, stoppedAt,
      epochsDone: this.#epochsDone, rng: streamStates(this.#streams),
    });
  }

  /**
   * Tells the progress reporter that training is over (fit calls it when it ends, also on an error).
   *
   * @internal
   */
  endProgress(): void {
    this.#progress?.onEnd?.();
  }

  /** Runs fn unless an earlier step failed; a failure leaves the run half-updated, so it ends the Trainer. */
  #guard<T>(fn: () => T): T {
    if (this.#failed !== undefined) {
      const why = this.#failed instanceof Error ? this.#failed.message : String(this.#failed);
      throw new Error(`${this.#where}: this Trainer stopped at step ${this.#stepCount} with an error (${why}); make a new Trainer, or resume one from a checkpoint taken before`);
    }
    try {
      return fn();
    } catch (e) {
      this.#failed = e;
      throw e;
    }
  }

  /** One optimiser step, opening and closing the epoch around it as needed. */
  #advance(): void {
    const open = this.#open ?? this.#begin();
    const b = open.batch, idx = open.parts[b]!, stepNumber = this.#stepCount;
    const lr = this.#optimizer.lr(this.#optState.step);
    const dropoutAt = this.#streams.dropout.state();
    const warnedBefore = this.#monitor?.warnings.length ?? 0;
    let r: StepOutcome;
    try {
      r = this.#trainOn(this.#params, this.#optState, this.#state, idx, open, stepNumber);
    } catch (e) {
      if (!(e instanceof NonFiniteError)) throw e;
      throw explainNonFinite(e, { model: this.model, loss: this.#loss, params: this.#params, batch: this.#lastBatch!, state: this.#state, rng: Rng.fromState(dropoutAt) });
    }
    this.#params = r.params;
    this.#optState = r.optState;
    this.#state = r.state;
    const norms = this.#stepNorms;
    open.record.recordStep(r.loss, lr, norms);
    open.batch++;
    this.#progress?.onStep?.(r.loss);
    const warned = this.#monitor?.warnings ?? NO_WARNINGS;
    const warnings = warned.length === warnedBefore ? NO_WARNINGS : warned.slice(warnedBefore);
    this.#lastStep = { step: stepNumber, epoch: open.epoch, batch: b, loss: r.loss, lr, norms, warnings };
    this.#lastStepInfo = undefined;
    if (this.#stepCallbacks) {
      // A callback may keep what it is shown: those params are never reused.
      const info = this.lastStep!;
      for (const cb of this.#callbacks) if (cb.onStep?.(info) === 'stop') open.stopped = this.#stopped = true;
    }
    this.#stepCount++;
    if (open.batch === open.parts.length || open.stopped) this.#close(open);
  }

  /** Opens the next epoch: its batch order from the shuffle stream. */
  #begin(): OpenEpoch {
    const epoch = this.#epochsDone, started = Date.now();
    const shuffleAtStart = this.#streams.shuffle.state();
    const parts = batchIndices(this.#n, { batchSize: this.#batchSize, shuffle: this.#shuffle, rng: this.#streams.shuffle });
    this.#progress?.onEpochStart?.(epoch + 1, this.#epochs, parts.length);
    const record = new EpochAccumulator(parts, this.#n, this.model.outputs, this.#metricNames, this.#data.x.data);
    return (this.#open = { epoch, parts, shuffleAtStart, record, started, batch: 0, stopped: false });
  }

  /** The epoch a checkpoint was taken in, with its batch order drawn again and its steps so far replayed. */
  #reopen(position: EpochPosition): OpenEpoch {
    const where = `${this.#where}: resume.position`;
    const redraw = Rng.fromState(position.shuffle);
    const parts = batchIndices(this.#n, { batchSize: this.#batchSize, shuffle: this.#shuffle, rng: redraw });
    const same = JSON.stringify(redraw.state()) === JSON.stringify(this.#streams.shuffle.state());
    if (!same || position.batch >= parts.length) {
      throw new Error(`${where}: the checkpoint was taken ${position.batch} steps into an epoch that these data and options do not make `
        + `(${parts.length} batches of ${this.#batchSize} from ${this.#n} training rows, shuffle ${this.#shuffle}); resume with the data, batchSize, shuffle and validationSplit of the run that took it`);
    }
    const outputs = position.outputs;
    if (this.#metricNames.length > 0) {
      const want = [this.#n, this.model.outputs];
      if (!outputs) throw new Error(`${where}: the checkpoint holds no outputs for the metrics (${this.#metricNames.join(', ')}): it was taken by a run without metrics; resume with the metrics it had`);
      if (outputs.shape.join() !== want.join() || outputs.dtype !== this.#data.x.dtype) {
        throw new Error(`${where}.outputs is [${outputs.shape.join(', ')}] ${outputs.dtype}, but these data and model make [${want.join(', ')}] ${this.#data.x.dtype}`);
      }
    }
    const record = new EpochAccumulator(parts, this.#n, this.model.outputs, this.#metricNames, this.#data.x.data);
    record.replay(position);
    const epoch = this.#epochsDone;
    this.#progress?.onEpochStart?.(epoch + 1, this.#epochs, parts.length);
    return { epoch, parts, shuffleAtStart: position.shuffle, record, started: Date.now(), batch: position.batch, stopped: false };
  }

  /** Closes an epoch as fit does: validation, the epoch's numbers into the History, progress, callbacks, early stopping. */
  #close(open: OpenEpoch): void {
    this.#open = undefined;
    const { model, params, state } = { model: this.model, params: this.#params, state: this.#state };
    const val = this.#validation
      ? score(model, params, this.#validation, { loss: this.#loss, metrics: this.#metricNames, batchSize: Math.max(this.#batchSize, 256), state })
      : undefined;
    const trained = open.record.finish(this.#data.y, val);
    const log = this.#history;
    log.add(trained.entry);
    const filed = log.size;
    const epochsDone = this.#epochsDone = open.epoch + 1;
    // The epoch's numbers may be kept (lastEpoch, callbacks, early stopping's best): then its params are
    // never reused, which costs one set of params per epoch. The optimiser state escapes only when
    // trainingState() is asked for, which must come before training goes on.
    if (this.#epochsSeen) expose(params);
    const optState = this.#optState, rng = streamStates(this.#streams);
    const asOf = this.#stepCount;
    const trainingState = (): TrainingState => {
      if (this.#stepCount !== asOf) throw new Error(`${this.#where}: the training state of epoch ${open.epoch + 1} was asked for after training went on; call info.trainingState() inside onEpochEnd`);
      return expose({ params, state, optState, history: log.at(filed), epochsDone, rng });
    };
    // The History as of this epoch is built only if it is read (HistoryLog).
    const info: EpochInfo = {
      epoch: open.epoch, loss: trained.loss, metrics: trained.metrics, valLoss: val?.loss, valMetrics: val?.metrics, params, state,
      get history() {
        return log.at(filed);
      },
      epochsDone, trainingState,
    };
    this.#lastEpoch = info;
    if (this.#progress?.onEpochEnd) this.#progress.onEpochEnd(epochLine(this.#epochs, info, Date.now() - open.started), info);
    for (const cb of this.#callbacks) if (cb.onEpochEnd?.(info) === 'stop') this.#stopped = true;
    if (this.#early?.observe(info) === 'stop') this.#stopped = true;
  }
}

/** A step's warnings when it gave none (frozen: a callback may keep the list). */
const NO_WARNINGS: readonly GradientWarning[] = Object.freeze([]);

/** The layer state a resume carries (a loaded checkpoint or a FitResult), if any. */
const resumedState = (options: FitOptions): ModelState | undefined => (options.resume as { state?: ModelState } | undefined)?.state;

/** fit's checks name fit; the same checks made for a Trainer name it instead. */
function renamed(e: unknown, where: string): unknown {
  if (where !== 'fit' && e instanceof Error && /^fit\b/.test(e.message)) e.message = where + e.message.slice(3);
  return e;
}
