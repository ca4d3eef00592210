/**
 * The training step as a pure function: (params, optState, batch) → (params', optState', loss).
 * When the model ends in the activation a loss absorbs (softmax for crossEntropy, sigmoid for
 * binaryCrossEntropy), the loss sees the pre-activation: log(softmax) would underflow to log 0.
 */
import { grad, nameScope, noGrad, reusing, type Rng, type Tensor } from '@chainrule/core';
import { HOLDS } from '@chainrule/core/backend';
import type { OrderedMap } from 'immutable';
import type { ModelState } from './model-state.ts';
import { getLoss, type Loss, type LossName } from './losses.ts';
import type { Model } from './model.ts';
import { getOptimizer, type OptimizerName, type Optimizer, type OptState } from './optimizers/index.ts';
import type { Params } from './params.ts';
import type { Target } from './targets.ts';

/** A loss as fit, evaluate and makeTrainStep take it: a built-in's name, a {@link Loss}, or any function returning a scalar. */
export type LossSpec = LossName | Loss | ((pred: Tensor, target: Target) => Tensor);

/** Whether `loss` should be given the model's pre-activation output. */
export const usesLogits = (model: Model, loss: Loss): boolean => loss.fused !== undefined && loss.fused === model.outputActivation;

/**
 * The scalar to minimise, and the model output it was computed from (logits when fused), as a
 * function of (params, x, y).
 *
 * @throws Error (when called) if the loss returns anything but one value, naming its shape.
 */
export function objective(model: Model, lossSpec: LossSpec) {
  const loss = getLoss(lossSpec);
  const logits = usesLogits(model, loss);
  // A loss not declared pure may keep what it is given or makes: those buffers are then never reused.
  const callLoss = reusing(loss, { pure: loss.pure === true });
  return (params: Params, x: Tensor, y: Target, run: StepRun = {}): {
    /** The loss, a scalar tensor on the tape (differentiate it with grad). */
    loss: Tensor;
    /** The model's output for x, [batch, outputs]: the logits when `logits` is true. */
    output: Tensor;
    /** Whether the loss was given the pre-activation (see {@link usesLogits}). */
    logits: boolean;
    /** The layer state after the pass (updated in training). */
    state: ModelState;
  } => {
    const { y: output, state } = model.forward(params, x, { logits, training: run.training, rng: run.rng, state: run.state });
    // Its own scope, so a drawing of the graph shows the loss as one block beside the layers.
    const value = nameScope('loss', () => callLoss(output, y));
    if (value.size !== 1) throw new Error(`loss '${loss.name}' returned shape [${value.shape.join(',')}]; a loss must return a scalar`);
    return { loss: value, output, logits, state };
  };
}

/** How a step runs the model: fit trains (dropout drops, batchNorm updates its statistics); scoring does not. */
export interface StepRun {
  /** Training mode (default false for objective, true for the training step). */
  readonly training?: boolean;
  /** The stream dropout draws from (fit passes its per-step dropout stream). */
  readonly rng?: Rng;
  /** The layer state to start from; needed when the model has stateful layers. */
  readonly state?: ModelState;
}

/** What one training step returns. */
export interface StepResult {
  /** The params after the update. */
  readonly params: Params;
  /** The optimiser state after the update (its step one higher). */
  readonly optState: OptState;
  /** The batch's loss before the update. */
  readonly loss: number;
  /** The gradient of the loss for each parameter, keyed and shaped like the params. */
  readonly grads: Params;
  /**
   * The model's output for the batch (after its final activation), for metrics. When the loss took the
   * logits, the activation (e.g. softmax) runs when this is read, each time: a loop that never reads it
   * does not pay for it.
   */
  readonly output: Tensor;
  /** The layer state after the step (batchNorm's running statistics updated); empty without stateful layers. */
  readonly state: ModelState;
}

/**
 * The training step: (params, optState, batch) → new params and state, the loss, the gradients and the
 * model's output. The buffers it makes and does not return are reused by its next calls (core's
 * `reusing`); what it returns, and what it is given, are never touched: to reuse last step's params and
 * state too, donate them, as fit does (`reusing(step, { pure: true, donate: [0, 1] })`).
 *
 * Use it to write your own loop; fit runs this same step. The batch is `{ x: [batch, ...model.inputShape],
 * y }` with y as fit takes it. The step trains: give `{ state, rng }` as its fourth argument when the
 * model has stateful layers (batchNorm: model.initState(), then each step's returned state) or dropout.
 *
 * @throws Error at once for an unknown loss or optimiser name (listing the valid ones); when called,
 *   for an optimiser state that does not match the params.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { adam, makeTrainStep, mlp } from '@chainrule/nn';
 * const model = mlp([2, 8, 1]), opt = adam({ lr: 0.01 }), step = makeTrainStep(model, { loss: 'mse', optimizer: opt });
 * let params = model.init(0), optState = opt.init(params);
 * for (let i = 0; i < 100; i++) ({ params, optState } = step(params, optState, { x: tensor([[0, 1], [1, 0]]), y: tensor([[1], [-1]]) }));
 * ```
 */
export function makeTrainStep(model: Model, options: { loss: LossSpec; optimizer: OptimizerName | Optimizer }) {
  return reusing(stepFunction(model, options), { pure: true });
}

/** The step itself. It is pure: the user functions it calls (a loss, an optimiser) run under their own declarations. */
function stepFunction(model: Model, options: { loss: LossSpec; optimizer: OptimizerName | Optimizer }) {
  const f = objective(model, options.loss);
  const opt = getOptimizer(options.optimizer);
  // Layers built with `trainable: false`: the optimiser leaves their params and slots alone (no step, no decay).
  const frozen = new Set(model.layers.filter((l) => !l.trainable).flatMap((l) => l.params.map((p) => p.key)));
  const updateOptions = frozen.size > 0 ? { frozen } : undefined;
  const update = reusing((p: Params, g: Params, s: OptState) => opt.update(p, g, s, undefined, updateOptions), { pure: opt.pure === true });
  return function trainStep(params: Params, optState: OptState, batch: { x: Tensor; y: Target }, run: StepRun = {}): StepResult {
    const { loss, output, logits, state } = f(params, batch.x, batch.y, { training: true, ...run });
    const grads = grad(loss, params) as OrderedMap<string, Tensor>;
    return noGrad(() => {
      const next = update(params, grads, optState);
      const out = output.detach();
      return logits ? new LogitsStepResult(model, next.params, next.state, loss.item(), grads, out, state)
        : { params: next.params, optState: next.state, loss: loss.item(), grads, output: out, state };
    });
  };
}

/**
 * A step's result whose output is the model's final activation of `logits`, computed each time it is read
 * (no cache: each read's tensor belongs to the caller, like any op's result). What the result holds is told
 * to the buffer ownership walk (core's HOLDS), so walking it neither runs the activation nor loses the
 * logits' buffer, which the activation reads. A class, not an object literal: a literal with a getter and
 * a symbol key is built by the runtime's slow path, ~1.5 µs every step.
 */
class LogitsStepResult implements StepResult {
  readonly #model: Model;
  readonly #logits: Tensor;

  constructor(model: Model, readonly params: Params, readonly optState: OptState, readonly loss: number, readonly grads: Params, logits: Tensor,
    readonly state: ModelState) {
    this.#model = model;
    this.#logits = logits;
  }

  get output(): Tensor {
    const model = this.#model, logits = this.#logits;
    return noGrad(() => model.activateOutput(logits));
  }

  get [HOLDS](): unknown[] {
    return [this.params, this.optState, this.grads, this.#logits, this.state];
  }
}
