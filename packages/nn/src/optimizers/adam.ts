/** Adam (L2 weight decay added to the gradient) and AdamW (decay applied to the weights directly). */
import { fma, fuse } from '@chainrule/core';
import { positive, unitInterval } from '../names.ts';
import { makeOptimizer, oneMinus, type BaseOptions, type Optimizer } from './optimizer.ts';

/** Options of {@link adam} and {@link adamW}. */
export interface AdamOptions extends BaseOptions {
  /** Decay of the running mean of the gradient, in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Decay of the running mean of the squared gradient, in [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** Added to the root of the second moment so a division never blows up, > 0 (default 1e-8). */
  readonly epsilon?: number;
}

function adamLike(name: 'adam' | 'adamW', options: AdamOptions, decoupled: boolean): Optimizer {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  unitInterval(name, 'beta1', b1);
  unitInterval(name, 'beta2', b2);
  positive(name, 'epsilon', eps);
  // The bias corrections are folded into stepSize = lr/(1 − b1^t) and invRootC2 = 1/√(1 − b2^t), computed
  // per step in float64: one division and one sqrt per element, and the float32 bits of the kernels this replaced.
  // The decay is a scalar per parameter (its group's): l2 = λ for adam, keep = 1 − lr·λ for adamW (l2 = 0, keep = 1 otherwise).
  const update = fuse({ arrays: ['p', 'g', 'm', 'v'], scalars: ['stepSize', 'invRootC2', 'keep', 'l2'] }, ({ p, g, m, v, stepSize, invRootC2, keep, l2 }) => {
    const gd = fma(l2, p, g);
    const m1 = fma(b1, m, oneMinus(b1).mul(gd)).flush();
    const v1 = fma(b2, v, oneMinus(b2).mul(gd.mul(gd))).flush();
    return { p: p.mul(keep).sub(stepSize.mul(m1).div(fma(v1.sqrt(), invRootC2, eps))), m: m1, v: v1 };
  });
  // adamW's default decay is 0.01 (PyTorch's), kept in config so groups without their own inherit it.
  const config = decoupled ? { ...options, weightDecay: options.weightDecay ?? 0.01 } : { ...options };
  return makeOptimizer(name, config, 0.001, update, (lr, t, { weightDecay }) => ({
    stepSize: lr / (1 - b1 ** t), invRootC2: 1 / Math.sqrt(1 - b2 ** t),
    keep: decoupled ? 1 - lr * weightDecay : 1, l2: decoupled ? 0 : weightDecay,
  }));
}

/**
 * Adam (Kingma and Ba 2015; lr defaults to 0.001). At update t, with g the gradient plus L2 decay λ·p:
 * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², and
 * p ← p − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + ε). Slots 'm' and 'v'.
 *
 * @throws Error when beta1 or beta2 is outside [0, 1), epsilon is not positive, or a common option
 *   is invalid (see {@link makeOptimizer}).
 * @example
 * ```ts
 * import { adam, warmup } from '@chainrule/nn';
 * const optimizer = adam({ lr: warmup(1e-3, { steps: 100 }), clipNorm: 1 });
 * ```
 */
export const adam = (options: AdamOptions = {}): Optimizer => adamLike('adam', options, false);

/**
 * AdamW (Loshchilov and Hutter 2019): Adam with the weight decay applied to the weights instead of
 * the gradient, p ← p·(1 − lr·λ) − (Adam's step); weightDecay λ defaults to 0.01 as in PyTorch.
 *
 * @throws Error as {@link adam} does.
 * @example
 * ```ts
 * import { adamW } from '@chainrule/nn';
 * const optimizer = adamW({ lr: 3e-4, weightDecay: 0.05 });
 * ```
 */
export const adamW = (options: AdamOptions = {}): Optimizer => adamLike('adamW', options, true);
