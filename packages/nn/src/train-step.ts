/**
 * The training step as a pure function: (params, optState, batch) → (params', optState', loss).
 * When the model ends in the activation a loss absorbs (softmax for crossEntropy, sigmoid for
 * binaryCrossEntropy), the loss sees the pre-activation: log(softmax) would underflow to log 0.
 */
import { grad, nameScope, noGrad, reuseBuffers, type Tensor } from '@chainrule/core';
import type { OrderedMap } from 'immutable';
import { getLoss, isBuiltinLoss, type Loss, type LossName } from './losses.ts';
import type { Model } from './model.ts';
import { getOptimizer, type OptimizerName, type Optimizer, type OptState } from './optimizers/index.ts';
import type { Params } from './params.ts';
import type { Target } from './targets.ts';

export type LossSpec = LossName | Loss | ((pred: Tensor, target: Target) => Tensor);

/** Whether `loss` should be given the model's pre-activation output. */
export const usesLogits = (model: Model, loss: Loss): boolean => loss.fused !== undefined && loss.fused === model.outputActivation;

/** The scalar to minimise, and the model output it was computed from (logits when fused). */
export function objective(model: Model, lossSpec: LossSpec) {
  const loss = getLoss(lossSpec);
  const logits = usesLogits(model, loss);
  return (params: Params, x: Tensor, y: Target): { loss: Tensor; output: Tensor; logits: boolean } => {
    const output = model.apply(params, x, { logits });
    // Its own scope, so a drawing of the graph shows the loss as one block beside the layers.
    const value = nameScope('loss', () => loss(output, y));
    if (value.size !== 1) throw new Error(`loss '${loss.name}' returned shape [${value.shape.join(',')}]; a loss must return a scalar`);
    return { loss: value, output, logits };
  };
}

export interface StepResult {
  readonly params: Params;
  readonly optState: OptState;
  readonly loss: number;
  readonly grads: Params;
  /** The model's output for the batch (after its final activation), for metrics. */
  readonly output: Tensor;
}

/** Every tensor a step hands back: their buffers must survive it. */
function* outputsOf(r: StepResult): Iterable<Tensor> {
  yield* r.params.values();
  for (const slot of r.optState.slots.values()) yield* slot.values();
  yield* r.grads.values();
  yield r.output;
}

export function makeTrainStep(model: Model, options: { loss: LossSpec; optimizer: OptimizerName | Optimizer }) {
  const f = objective(model, options.loss);
  const opt = getOptimizer(options.optimizer);
  // With a built-in loss every tensor made inside the step is ours, so the ones the step does not
  // return (activations, cotangents) are handed back for the next step's buffers. A custom loss
  // might keep a tensor it made, so then nothing is reused.
  const reuse = isBuiltinLoss(getLoss(options.loss));
  const step = (params: Params, optState: OptState, batch: { x: Tensor; y: Target }): StepResult => {
    const { loss, output, logits } = f(params, batch.x, batch.y);
    const grads = grad(loss, params) as OrderedMap<string, Tensor>;
    return noGrad(() => {
      const next = opt.update(params, grads, optState);
      return {
        params: next.params,
        optState: next.state,
        loss: loss.item(),
        grads,
        output: (logits ? model.activateOutput(output) : output).detach(),
      };
    });
  };
  return reuse
    ? (params: Params, optState: OptState, batch: { x: Tensor; y: Target }): StepResult => reuseBuffers(() => step(params, optState, batch), outputsOf)
    : step;
}
