/** RMSprop: divides by a running RMS of the gradient; optional momentum on the scaled step. */
import { fma, fuse, type Expr } from '@chainrule/core';
import { nonNegative, unitInterval } from '../names.ts';
import { makeOptimizer, oneMinus, type BaseOptions, type Optimizer, type UpdateProgram } from './optimizer.ts';

/** Options of {@link rmsprop}. */
export interface RmspropOptions extends BaseOptions {
  /** Decay of the running mean of the squared gradient, in [0, 1) (default 0.9). */
  readonly rho?: number;
  /** Momentum μ on the scaled step, in [0, 1) (default 0: none). */
  readonly momentum?: number;
  /** Added to the root mean square before dividing, ≥ 0 (default 1e-7). */
  readonly epsilon?: number;
}

/**
 * RMSprop (lr defaults to 0.001). With g the gradient plus L2 decay λ·p: s ← ρ·s + (1 − ρ)·g² and
 * u = g/(√s + ε); then p ← p − lr·u, or with momentum b ← μ·b + u and p ← p − lr·b. Slots 'square'
 * (and 'velocity' with momentum).
 *
 * @throws Error when rho or momentum is outside [0, 1), epsilon is negative, or a common option is
 *   invalid (see {@link makeOptimizer}).
 * @example
 * ```ts
 * import { rmsprop } from '@chainrule/nn';
 * const optimizer = rmsprop({ lr: 1e-3, rho: 0.95, momentum: 0.9 });
 * ```
 */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const rho = options.rho ?? 0.9;
  const momentum = options.momentum ?? 0;
  const eps = options.epsilon ?? 1e-7;
  unitInterval('rmsprop', 'rho', rho);
  unitInterval('rmsprop', 'momentum', momentum);
  nonNegative('rmsprop', 'epsilon', eps);
  // s ← flush(ρ·s + (1 − ρ)·g²); u = g/(√s + ε); with momentum b ← flush(μ·b + u) and p ← p − lr·b, else p ← p − lr·u.
  const scaled = (p: Expr, g: Expr, square: Expr, wd: Expr) => {
    const gd = fma(wd, p, g);
    const s = fma(rho, square, oneMinus(rho).mul(gd).mul(gd)).flush();
    return { s, u: gd.div(s.sqrt().add(eps)) };
  };
  const update: UpdateProgram = momentum === 0
    ? fuse({ arrays: ['p', 'g', 'square'], scalars: ['lr', 'wd'] }, ({ p, g, square, lr, wd }) => {
      const { s, u } = scaled(p, g, square, wd);
      return { p: p.sub(lr.mul(u)), square: s };
    })
    : fuse({ arrays: ['p', 'g', 'square', 'velocity'], scalars: ['lr', 'wd'] }, ({ p, g, square, velocity, lr, wd }) => {
      const { s, u } = scaled(p, g, square, wd);
      const b = fma(momentum, velocity, u).flush();
      return { p: p.sub(lr.mul(b)), square: s, velocity: b };
    });
  return makeOptimizer('rmsprop', { ...options }, 0.001, update, (lr, _t, { weightDecay }) => ({ lr, wd: weightDecay }));
}
