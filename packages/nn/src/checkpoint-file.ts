/// <reference types="node" />
/**
 * Checkpoints on disk (Node only): the bytes of checkpoint.ts written atomically, so a run killed
 * mid-save leaves the previous checkpoint whole, and read back with the file named in every error.
 */
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type TrainingState } from './checkpoint.ts';
import { writeFileAtomic } from '@chainrule/core/node';
import { readSafetensorsFile } from './files.ts';
import type { Callbacks } from './fit-types.ts';
import type { Model } from './model.ts';
import { positiveInt } from './names.ts';

/**
 * Saves a run's state (a FitResult, `info.trainingState()` in a callback, or `trainer.checkpoint()`,
 * mid-epoch too) as one safetensors file. With early stopping's restoreBest a FitResult holds the best
 * epoch's params beside the last epoch's optimiser state: to resume exactly, checkpoint from a
 * callback (checkpointEvery) instead.
 *
 * @throws Error as encodeCheckpoint does, or when the file cannot be written.
 * @example
 * ```ts
 * import { fit } from '@chainrule/nn';
 * import { loadCheckpoint, saveCheckpoint } from '@chainrule/nn/node';
 * // model, params, x and y as in fit's example
 * saveCheckpoint('run.safetensors', model, fit(model, params, { x, y }, { loss: 'mse', epochs: 5 }));
 * ```
 */
export function saveCheckpoint(path: string, model: Model, state: TrainingState): void {
  writeFileAtomic(path, encodeCheckpoint(model, state, 'saveCheckpoint'));
}

/**
 * Loads a file saveCheckpoint wrote; continue with `fit(ckpt.model, ckpt.params, data, { ...options,
 * resume: ckpt })`. Pass `model` to load into a known architecture instead of the embedded spec.
 *
 * @throws Error when the path is missing or a directory, or as decodeCheckpoint does, naming the file.
 * @example
 * ```ts
 * import { fit } from '@chainrule/nn';
 * import { loadCheckpoint } from '@chainrule/nn/node';
 * // x and y as in fit's example
 * const ckpt = loadCheckpoint('run.safetensors');
 * const result = fit(ckpt.model, ckpt.params, { x, y }, { loss: 'mse', epochs: 20, resume: ckpt });
 * ```
 */
export function loadCheckpoint(path: string, options: {
  /** Load into this architecture instead of the spec in the file. */
  model?: Model;
} = {}): Checkpoint {
  return decodeCheckpoint(readSafetensorsFile(path), { model: options.model, source: path });
}

/**
 * A callback that saves a checkpoint to `path` at the end of every `every`-th epoch (and so always
 * holds the latest whole epoch): `fit(model, params, data, { ..., callbacks: checkpointEvery(path, model) })`.
 *
 * @throws Error when `every` is not a positive integer.
 * @example
 * ```ts
 * import { fit } from '@chainrule/nn';
 * import { checkpointEvery } from '@chainrule/nn/node';
 * // model, params, x and y as in fit's example
 * fit(model, params, { x, y }, { loss: 'mse', epochs: 50, callbacks: checkpointEvery('run.safetensors', model, { every: 5 }) });
 * ```
 */
export function checkpointEvery(path: string, model: Model, options: {
  /** Save after every this many epochs (default 1). */
  every?: number;
} = {}): Callbacks {
  const every = positiveInt('checkpointEvery', 'every', options.every ?? 1);
  return {
    onEpochEnd: (info) => {
      if (info.epochsDone % every === 0) saveCheckpoint(path, model, info.trainingState());
    },
  };
}
