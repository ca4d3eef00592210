/**
 * fit: epochs of shuffled mini-batches through the pure training step, with the gradient monitor,
 * callbacks, validation, early stopping, progress output and a History of what happened. The loop is
 * the Trainer's (trainer.ts), which a page that trains live steps one batch at a time: fit only runs
 * it for `epochs` epochs, so a step there is exactly a step here.
 */
import type { Tensor } from '@chainrule/core';
import type { FitOptions, FitResult } from './fit-types.ts';
import type { Model } from './model.ts';
import type { Params } from './params.ts';
import type { Target } from './targets.ts';
import { trainerForFit } from './trainer.ts';

/**
 * Trains `model` from `params` on `given` for `options.epochs` epochs of shuffled mini-batches and
 * returns the trained params with the optimiser state and the history. Nothing is mutated: the params
 * given are left as they were. Each epoch prints one line (or a bar in a Node terminal) unless
 * `progress: false`. To step the same loop yourself, one batch at a time, use {@link Trainer}.
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
  const trainer = trainerForFit(model, params, given, options);
  const epochs = options.epochs ?? 1; // checked by the Trainer
  try {
    while (trainer.epochCount < epochs && !trainer.stopped) trainer.epoch();
  } finally {
    trainer.endProgress();
  }
  return trainer.result();
}
