/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): steps by the sign of an
 * interpolated momentum, so every weight moves by lr (plus decoupled decay); one slot, m.
 *   c = β1·m + (1 − β1)·g;  p ← p − lr·(sign(c) + λ·p);  m ← β2·m + (1 − β2)·g
 */
import { fma, fuse } from '@chainrule/core';
import { unitInterval } from '../names.ts';
import { makeOptimizer, oneMinus, type BaseOptions, type Optimizer } from './optimizer.ts';

/** Options of {@link lion}. */
export interface LionOptions extends BaseOptions {
  /** Weight of the old momentum in the direction whose sign is taken, in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Decay of the momentum itself, in [0, 1) (default 0.99). */
  readonly beta2?: number;
}

/**
 * Lion (Chen et al. 2023): lr defaults to 1e-4 (sign steps are large: use 3–10× less than Adam's),
 * weightDecay (λ, decoupled) to 0. c = β1·m + (1 − β1)·g; p ← p − lr·(sign(c) + λ·p);
 * m ← β2·m + (1 − β2)·g. One slot, 'm'.
 *
 * @throws Error when beta1 or beta2 is outside [0, 1), or a common option is invalid (see {@link makeOptimizer}).
 * @example
 * ```ts
 * import { lion } from '@chainrule/nn';
 * const optimizer = lion({ lr: 3e-5, weightDecay: 0.1 });
 * ```
 */
export function lion(options: LionOptions = {}): Optimizer {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.99;
  unitInterval('lion', 'beta1', b1);
  unitInterval('lion', 'beta2', b2);
  const update = fuse({ arrays: ['p', 'g', 'm'], scalars: ['lr', 'wd'] }, ({ p, g, m, lr, wd }) => {
    const c = fma(b1, m, oneMinus(b1).mul(g));
    return { p: p.sub(lr.mul(fma(wd, p, c.sign()))), m: fma(b2, m, oneMinus(b2).mul(g)).flush() };
  });
  return makeOptimizer('lion', { ...options }, 1e-4, update, (lr, _t, { weightDecay }) => ({ lr, wd: weightDecay }));
}
