/**
 * Losses, each the mean over the batch. The classification losses take logits: crossEntropy goes
 * through logSoftmax (never log(softmax), which underflows to log 0), binaryCrossEntropy through
 * softplus. `fused` names the output activation they absorb, so `fit` can skip it.
 */
import { abs, logSoftmax, mean, mul, neg, reshape, softmaxCrossEntropy, softplus, square, sub, sum, Tensor } from '@chainrule/core';
import type { ActivationName } from './activations.ts';
import { lookup } from './names.ts';
import { toLabels, type Target } from './targets.ts';

export interface Loss {
  readonly name: string;
  /** The model output activation this loss computes in fused form from the pre-activation. */
  readonly fused?: ActivationName;
  /**
   * Declares that the loss keeps no tensor it makes or is given (see core's `reusing`): training and
   * evaluation may then reuse the buffers of its intermediates. Every built-in loss is pure; a custom
   * one that is not declared runs as safely as ever, only without that reuse.
   */
  readonly pure?: boolean;
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

export const mse = makeLoss('mse', (pred, target) => mean(square(sub(pred, floatTarget('mse', pred, target)))));
export const mae = makeLoss('mae', (pred, target) => mean(abs(sub(pred, floatTarget('mae', pred, target)))));

/** Integer labels (a list or an [n] tensor), or one-hot / probability rows shaped like the logits. */
export const crossEntropy = makeLoss('crossEntropy', (logits, target) => {
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must have shape [batch, classes], got [${logits.shape.join(',')}]`);
  const [n, k] = logits.shape as [number, number];
  if (target instanceof Tensor && target.rank === 2 && target.shape[1] === k && k > 1) {
    return neg(mean(sum(mul(logSoftmax(logits, 1), floatTarget('crossEntropy', logits, target)), 1)));
  }
  const labels = toLabels('crossEntropy', target);
  if (labels.length !== n) throw new Error(`crossEntropy: ${labels.length} labels for ${n} rows of logits`);
  labels.forEach((v, i) => {
    if (v < 0 || v >= k) throw new Error(`crossEntropy: label ${v} at position ${i} is out of range for ${k} classes (valid labels 0..${k - 1})`);
  });
  return softmaxCrossEntropy(logits, labels); // fused: one kernel each way
}, 'softmax');

/** From logits z and targets y in [0,1]: softplus(z) − z·y, stable for any z. */
export const binaryCrossEntropy = makeLoss('binaryCrossEntropy', (logits, target) => {
  const y = floatTarget('binaryCrossEntropy', logits, target);
  return mean(sub(softplus(logits), mul(logits, y)));
}, 'sigmoid');

const LOSSES = { mse, mae, crossEntropy, binaryCrossEntropy } as const;
export type LossName = keyof typeof LOSSES;
export const lossNames = Object.keys(LOSSES) as LossName[];

/** Whether `loss` is one of ours, whose targets the boundary checks (a custom loss decides what it takes). */
export const isBuiltinLoss = (loss: Loss): boolean => (Object.values(LOSSES) as Loss[]).includes(loss);

/** A loss by name (the error lists the valid ones), or a custom `(pred, target) => Tensor`. */
export function getLoss(loss: LossName | Loss | ((pred: Tensor, target: Target) => Tensor)): Loss {
  if (typeof loss === 'function') return loss as Loss;
  return lookup('loss', LOSSES, loss, 'losses');
}
