/**
 * Losses, each the mean over the batch. The classification losses take logits: crossEntropy goes
 * through logSoftmax (never log(softmax), which underflows to log 0), binaryCrossEntropy through
 * softplus. `fused` names the output activation they absorb, so `fit` can skip it.
 */
import { abs, logSoftmax, mean, mul, neg, reshape, softmaxCrossEntropy, softplus, square, sub, sum, Tensor } from '@chainrule/core';
import type { ActivationName } from './activations.ts';
import { lookup } from './names.ts';
import { toLabels, type Target } from './targets.ts';

/**
 * A loss: a function (pred, target) → scalar tensor, with a name and what it fuses. Any function
 * of that signature works as fit's loss; the built-ins are mse, mae, crossEntropy and binaryCrossEntropy.
 */
export interface Loss {
  /** Its name, used in errors. */
  readonly name: string;
  /** The model output activation this loss computes in fused form from the pre-activation. */
  readonly fused?: ActivationName;
  /**
   * Declares that the loss keeps no tensor it makes or is given (see core's `reusing`): training and
   * evaluation may then reuse the buffers of its intermediates. Every built-in loss is pure; a custom
   * one that is not declared runs as safely as ever, only without that reuse.
   */
  readonly pure?: boolean;
  /** The loss of predictions `pred` [batch, outputs] against `target`: a scalar tensor, on the tape. */
  (pred: Tensor, target: Target): Tensor;
}

function makeLoss(name: string, fn: (pred: Tensor, target: Target) => Tensor, fused?: ActivationName): Loss {
  const loss = (pred: Tensor, target: Target) => fn(pred, target);
  Object.defineProperty(loss, 'name', { value: name });
  return Object.assign(loss, { fused, pure: true }) as Loss;
}

/** A float target shaped like pred; [n] is accepted for [n,1] predictions. */
function floatTarget(where: string, pred: Tensor, target: Target): Tensor {
  if (!(target instanceof Tensor)) throw new Error(`${where}: expected a target tensor shaped like the predictions [${pred.shape.join(',')}], got a label list`);
  const t = target.dtype === pred.dtype ? target : target.cast(pred.dtype);
  if (t.shape.length === pred.shape.length && t.shape.every((d, i) => d === pred.shape[i])) return t;
  if (t.size === pred.size && pred.rank === 2 && pred.shape[1] === 1 && t.rank === 1) return reshape(t, pred.shape);
  throw new Error(`${where}: target shape [${t.shape.join(',')}] does not match prediction shape [${pred.shape.join(',')}]`);
}

/**
 * Mean squared error, mean((pred − target)²) over every element. target: a tensor shaped like pred
 * ([n] is taken for [n, 1]), cast to pred's dtype.
 *
 * @throws Error when target is a label list or its shape does not match pred's, naming both shapes.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { mse } from '@chainrule/nn';
 * mse(tensor([[1], [3]]), tensor([[0], [1]])).item(); // (1 + 4) / 2 = 2.5
 * ```
 */
export const mse = makeLoss('mse', (pred, target) => mean(square(sub(pred, floatTarget('mse', pred, target)))));
/**
 * Mean absolute error, mean(|pred − target|) over every element; targets as for {@link mse}.
 *
 * @throws Error when target is a label list or its shape does not match pred's, naming both shapes.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { mae } from '@chainrule/nn';
 * mae(tensor([[1], [3]]), tensor([[0], [1]])).item(); // (1 + 2) / 2 = 1.5
 * ```
 */
export const mae = makeLoss('mae', (pred, target) => mean(abs(sub(pred, floatTarget('mae', pred, target)))));

/**
 * Softmax cross-entropy from logits [n, classes], averaged over rows: −mean(log softmax(logits)[label]).
 * Targets are integer labels (a list or an [n] tensor), or one-hot / probability rows shaped like the
 * logits. fit gives it the pre-activation of a softmax model.
 *
 * @throws Error when the logits are not rank 2, the label count differs from the rows, or a label is
 *   out of range (naming it and its position).
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { crossEntropy } from '@chainrule/nn';
 * crossEntropy(tensor([[2, 0, 0], [0, 0, 2]]), [0, 2]).item(); // ≈ 0.2395
 * ```
 */
export const crossEntropy = makeLoss('crossEntropy', (logits, target) => {
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must have shape [batch, classes], got [${logits.shape.join(',')}]`);
  const [n, k] = logits.shape as [number, number];
  if (target instanceof Tensor && target.rank === 2 && target.shape[1] === k && k > 1) {
    return neg(mean(sum(mul(logSoftmax(logits, 1), floatTarget('crossEntropy', logits, target)), 1)));
  }
  // An Int32Array holds whole numbers already (fit's batches are ones): used as it is, not copied and checked again.
  const labels = target instanceof Int32Array ? target : toLabels('crossEntropy', target);
  if (labels.length !== n) throw new Error(`crossEntropy: ${labels.length} labels for ${n} rows of logits`);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v < 0 || v >= k) throw new Error(`crossEntropy: label ${v} at position ${i} is out of range for ${k} classes (valid labels 0..${k - 1})`);
  }
  return softmaxCrossEntropy(logits, labels); // fused: one kernel each way
}, 'softmax');

/**
 * Binary cross-entropy from logits z and targets y in [0, 1] shaped like z: mean(softplus(z) − z·y),
 * stable for any z. fit gives it the pre-activation of a sigmoid model.
 *
 * @throws Error when target is a label list or its shape does not match the logits', naming both shapes.
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { binaryCrossEntropy } from '@chainrule/nn';
 * binaryCrossEntropy(tensor([[0]]), tensor([[1]])).item(); // log 2 ≈ 0.6931
 * ```
 */
export const binaryCrossEntropy = makeLoss('binaryCrossEntropy', (logits, target) => {
  const y = floatTarget('binaryCrossEntropy', logits, target);
  return mean(sub(softplus(logits), mul(logits, y)));
}, 'sigmoid');

const LOSSES = { mse, mae, crossEntropy, binaryCrossEntropy } as const;
/** The built-in losses by name: 'mse', 'mae', 'crossEntropy', 'binaryCrossEntropy'. */
export type LossName = keyof typeof LOSSES;
/** Every {@link LossName}. */
export const lossNames = Object.keys(LOSSES) as LossName[];

/** Whether `loss` is one of ours, whose targets the boundary checks (a custom loss decides what it takes). */
export const isBuiltinLoss = (loss: Loss): boolean => (Object.values(LOSSES) as Loss[]).includes(loss);

/**
 * A loss by name (the error lists the valid ones), or a custom `(pred, target) => Tensor` as it is.
 *
 * @throws Error for an unknown name.
 */
export function getLoss(loss: LossName | Loss | ((pred: Tensor, target: Target) => Tensor)): Loss {
  if (typeof loss === 'function') return loss as Loss;
  return lookup('loss', LOSSES, loss, 'losses');
}
