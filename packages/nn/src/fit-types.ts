/** fit's interface: its options, what its callbacks are shown, and what it returns. */
import type { Rng, Tensor } from '@chainrule/core';
import type { OrderedMap } from 'immutable';
import type { ResumeState, TrainingState } from './checkpoint.ts';
import type { EarlyStopping } from './early-stopping.ts';
import type { FitRngState } from './fit-streams.ts';
import type { History } from './history.ts';
import type { MetricName } from './metrics.ts';
import type { ModelState } from './model-state.ts';
import type { GradientWarning, MonitorOptions } from './monitor.ts';
import type { Optimizer, OptimizerName, OptState } from './optimizers/index.ts';
import type { Params } from './params.ts';
import type { ProgressOptions } from './progress.ts';
import type { Target } from './targets.ts';
import type { LossSpec } from './train-step.ts';

/** What a {@link Callbacks.onStep} callback is shown after each training step, and what `trainer.step()` returns. */
export interface StepInfo {
  /** The step's number over the whole run, counting resumed steps (0 for the first update). */
  readonly step: number;
  /** The epoch it belongs to (0-based). */
  readonly epoch: number;
  /** The batch within the epoch (0-based). */
  readonly batch: number;
  /** The batch's loss, computed before the update. */
  readonly loss: number;
  /** The learning rate this step used. */
  readonly lr: number;
  /** Each layer's gradient L2 norm, keyed by layer name in parameter order (empty with `monitor: false`). */
  readonly gradNorms: OrderedMap<string, number>;
  /** The gradient monitor's warnings that this step gave (usually none; empty with `monitor: false`). */
  readonly warnings: readonly GradientWarning[];
  /** The params after the update; a callback may keep them. */
  readonly params: Params;
}

/** What a {@link Callbacks.onEpochEnd} callback and a progress reporter are shown after each epoch. */
export interface EpochInfo {
  /** The epoch that ended (0-based, counting resumed epochs). */
  readonly epoch: number;
  /** The mean training loss over the epoch's samples (each step weighted by its batch size). */
  readonly loss: number;
  /** Each metric of `metrics` on the epoch's training outputs, as the steps produced them. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The loss on the validation data with the epoch's final params; undefined without validation data. */
  readonly valLoss?: number;
  /** Each metric on the validation data; undefined without validation data. */
  readonly valMetrics?: Readonly<Record<string, number>>;
  /** The params at the epoch's end; a callback may keep them. */
  readonly params: Params;
  /** The layer state at the epoch's end (batchNorm's running statistics); empty without stateful layers. */
  readonly state: ModelState;
  /** The history so far, this epoch included. */
  readonly history: History;
  /** Epochs completed, counting resumed ones (epoch + 1). */
  readonly epochsDone: number;
  /**
   * The run as it stands at this epoch's end, what a checkpoint holds: `saveCheckpoint(path, model,
   * info.trainingState())`. Ask for it inside onEpochEnd: once training goes on, it throws.
   */
  readonly trainingState: () => TrainingState;
}

/**
 * Functions fit (or a {@link Trainer}) calls as it trains; return 'stop' to end training after this
 * step or epoch (a stop mid-epoch still ends that epoch: its numbers cover the steps that ran; a
 * Trainer then only sets `stopped`).
 *
 * @example
 * ```ts
 * // model, params, x and y as in fit's example
 * fit(model, params, { x, y }, {
 *   loss: 'mse', epochs: 100,
 *   callbacks: { onEpochEnd: (info) => (info.loss < 0.01 ? 'stop' : undefined) },
 * });
 * ```
 */
export interface Callbacks {
  /** Called after every training step (asking for it costs a little: its params are never reused). */
  readonly onStep?: (info: StepInfo) => void | 'stop';
  /** Called after every epoch, after validation and before early stopping looks at the epoch. */
  readonly onEpochEnd?: (info: EpochInfo) => void | 'stop';
}

/**
 * fit's options. Only `loss` is required; everything is checked before the first step, and a bad
 * option throws an Error naming it.
 *
 * @example
 * ```ts
 * import { adam, cosineDecay, type FitOptions } from '@chainrule/nn';
 * const options: FitOptions = {
 *   loss: 'crossEntropy', optimizer: adam({ lr: cosineDecay(1e-3, { decaySteps: 1000 }) }), epochs: 10, batchSize: 64,
 *   metrics: ['accuracy'], validationSplit: 0.1, earlyStopping: { patience: 3 },
 * };
 * ```
 */
export interface FitOptions extends ProgressOptions {
  /**
   * What to minimise: 'mse', 'mae', 'crossEntropy', 'binaryCrossEntropy', a {@link Loss}, or your own
   * `(pred, target) => Tensor` returning a scalar. crossEntropy and binaryCrossEntropy are given the
   * logits when the model ends in softmax or sigmoid.
   */
  readonly loss: LossSpec;
  /** An optimiser by name (with its default options) or one made by sgd(), adam(), … (default 'adam', lr 0.001). */
  readonly optimizer?: OptimizerName | Optimizer;
  /**
   * Passes over the training data, a whole number ≥ 0 (default 1). With `resume`, the total, counting
   * earlier runs. A {@link Trainer} never stops on its own: for it, this is only the total its progress shows.
   */
  readonly epochs?: number;
  /** Samples per training step (default 32); the last batch of an epoch holds what is left. */
  readonly batchSize?: number;
  /** Reorder the training rows every epoch, from the stream seeded by `seed` (default true). */
  readonly shuffle?: boolean;
  /** Seeds the shuffling and validationSplit's choice of rows (default 0). */
  readonly seed?: number;
  /** Data scored at every epoch's end (valLoss, valMetrics), checked like the training data; never trained on. */
  readonly validation?: {
    /** The validation inputs, [samples, ...model.inputShape], in the model's dtype. */
    x: Tensor;
    /** Their targets, in the form the loss takes. */
    y: Target;
  };
  /**
   * Holds out this fraction of the training rows (in (0, 1), round(n · fraction) of them) as the
   * validation set, drawn at random from `seed`; the rest trains. Not together with `validation`.
   */
  readonly validationSplit?: number;
  /** Metrics computed each epoch on the training outputs and the validation data, e.g. ['accuracy'] (default none). */
  readonly metrics?: readonly MetricName[];
  /** Called at each step and epoch end, in the order given (default none). */
  readonly callbacks?: Callbacks | readonly Callbacks[];
  /** Stop when the monitored value stops improving: true for the defaults, or its options (default off). */
  readonly earlyStopping?: EarlyStopping | boolean;
  /** Gradient health monitor options (default {@link defaultMonitorOptions}), or false to turn it off. */
  readonly monitor?: MonitorOptions | false;
  /** Start from an earlier optimiser state (e.g. FitResult.optState) instead of `optimizer.init(params)`; not together with `resume`. */
  readonly optState?: OptState;
  /** The layer state to start from (default: the resumed run's, else `model.initState()`). */
  readonly state?: ModelState;
  /**
   * Applied to each training batch's x before the step (data augmentation); validation data is left
   * alone. Like a loss, it may declare itself pure (`Object.assign(fn, { pure: true })`: it keeps no
   * tensor it is given or makes), so the batch's buffers are reused; undeclared, it may keep anything.
   */
  readonly transform?: ((x: Tensor, context: TransformContext) => Tensor) & {
    /** Declares that the transform keeps no tensor it is given or makes, so its buffers may be reused. */
    readonly pure?: boolean;
  };
  /**
   * Continue a run: a FitResult or a loaded checkpoint (`resume: ckpt`, with `ckpt.params` as the
   * params). Its optimiser state (whose step drives the schedule), history and random streams pick up
   * where they stopped, and training starts at epoch `epochsDone` of the `epochs` in total (Keras's
   * initial_epoch). A run stopped mid-epoch by a callback resumes at the next epoch; a checkpoint a
   * {@link Trainer} took between the steps of an epoch goes on from its next step.
   */
  readonly resume?: ResumeState;
}

/** What a `transform` is given besides the batch. */
export interface TransformContext {
  /** fit's augmentation stream (seeded from `seed`, saved in checkpoints): draw random augmentations from it. */
  readonly rng: Rng;
  /** The epoch being trained (0-based). */
  readonly epoch: number;
}

/**
 * What fit returns: the trained params, and everything needed to continue the run (pass the result
 * as `resume`) or save it (`saveCheckpoint(path, model, result)`).
 */
export interface FitResult {
  /** The trained params: the last epoch's, or with early stopping's restoreBest the best epoch's. */
  readonly params: Params;
  /** The layer state that goes with those params (pass it to evaluate and predict); empty without stateful layers. */
  readonly state: ModelState;
  /** The optimiser state after the last step (its `step` counts every update). */
  readonly optState: OptState;
  /** Every epoch's (and step's) numbers, resumed epochs included. */
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
