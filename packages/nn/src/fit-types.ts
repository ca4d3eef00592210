/** fit's interface: its options, what its callbacks are shown, and what it returns. */
import type { Rng, Tensor } from '@chainrule/core';
import type { OrderedMap } from 'immutable';
import type { ResumeState, TrainingState } from './checkpoint.ts';
import type { EarlyStopping } from './early-stopping.ts';
import type { FitRngState } from './fit-streams.ts';
import type { History } from './history.ts';
import type { MetricName } from './metrics.ts';
import type { MonitorOptions } from './monitor.ts';
import type { Optimizer, OptimizerName, OptState } from './optimizers/index.ts';
import type { Params } from './params.ts';
import type { ProgressOptions } from './progress.ts';
import type { Target } from './targets.ts';
import type { LossSpec } from './train-step.ts';

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
