/** Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay. */
import { describeValue, fma, fuse } from '@chainrule/core';
import { unitInterval } from '../names.ts';
import { makeOptimizer, type BaseOptions, type Optimizer, type UpdateProgram } from './optimizer.ts';

/** Options of {@link sgd}. */
export interface SgdOptions extends BaseOptions {
  /** Momentum μ in [0, 1) (default 0: plain gradient descent, no state). */
  readonly momentum?: number;
  /** Nesterov momentum: step along μ·v + g instead of v (default false; needs momentum > 0). */
  readonly nesterov?: boolean;
}

/**
 * Stochastic gradient descent (lr defaults to 0.01). With g the gradient plus L2 decay λ·p:
 * without momentum p ← p − lr·g; with momentum μ, v ← μ·v + g and p ← p − lr·v (Nesterov:
 * p ← p − lr·(μ·v + g)). One slot, 'velocity', when there is momentum.
 *
 * @throws Error when momentum is outside [0, 1), nesterov is not a boolean or is set without
 *   momentum, or a common option is invalid (see {@link makeOptimizer}).
 * @example
 * ```ts
 * import { sgd } from '@chainrule/nn';
 * const optimizer = sgd({ lr: 0.1, momentum: 0.9, nesterov: true }); // fit(model, params, data, { loss: 'mse', optimizer })
 * ```
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  unitInterval('sgd', 'momentum', momentum);
  if (options.nesterov !== undefined && typeof options.nesterov !== 'boolean') throw new Error(`sgd: nesterov must be true or false, got ${describeValue(options.nesterov)}`);
  const nesterov = options.nesterov ?? false;
  if (nesterov && momentum === 0) throw new Error('sgd: nesterov needs a momentum > 0');
  // The gradient with decay is fma(wd, p, g) even for wd = 0, as the kernels computed it (NaN for an infinite p, +0 for g = −0).
  const update: UpdateProgram = momentum === 0
    ? fuse({ arrays: ['p', 'g'], scalars: ['lr', 'wd'] }, ({ p, g, lr, wd }) => ({ p: p.sub(lr.mul(fma(wd, p, g))) }))
    : fuse({ arrays: ['p', 'g', 'velocity'], scalars: ['lr', 'wd'] }, ({ p, g, velocity, lr, wd }) => {
      const gd = fma(wd, p, g);
      const v = fma(momentum, velocity, gd).flush();
      return { p: p.sub(lr.mul(nesterov ? fma(momentum, v, gd) : v)), velocity: v };
    });
  return makeOptimizer('sgd', { ...options }, 0.01, update, (lr, _t, { weightDecay }) => ({ lr, wd: weightDecay }));
}
