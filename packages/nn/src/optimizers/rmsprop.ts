/** RMSprop: divides by a running RMS of the gradient; optional momentum on the scaled step. */
import { fma, fuse, type Expr } from '@chainrule/core';
import { nonNegative, unitInterval } from '../names.ts';
import { makeOptimizer, oneMinus, type BaseOptions, type Optimizer, type UpdateProgram } from './optimizer.ts';

export interface RmspropOptions extends BaseOptions {
  readonly rho?: number;
  readonly momentum?: number;
  readonly epsilon?: number;
}

export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const rho = options.rho ?? 0.9;
  const momentum = options.momentum ?? 0;
  const eps = options.epsilon ?? 1e-7;
  unitInterval('rmsprop', 'rho', rho);
  unitInterval('rmsprop', 'momentum', momentum);
  nonNegative('rmsprop', 'epsilon', eps);
  const wd = options.weightDecay ?? 0;
  // s ← flush(ρ·s + (1 − ρ)·g²); u = g/(√s + ε); with momentum b ← flush(μ·b + u) and p ← p − lr·b, else p ← p − lr·u.
  const scaled = (p: Expr, g: Expr, square: Expr) => {
    const gd = fma(wd, p, g);
    const s = fma(rho, square, oneMinus(rho).mul(gd).mul(gd)).flush();
    return { s, u: gd.div(s.sqrt().add(eps)) };
  };
  const update: UpdateProgram = momentum === 0
    ? fuse({ arrays: ['p', 'g', 'square'], scalars: ['lr'] }, ({ p, g, square, lr }) => {
      const { s, u } = scaled(p, g, square);
      return { p: p.sub(lr.mul(u)), square: s };
    })
    : fuse({ arrays: ['p', 'g', 'square', 'velocity'], scalars: ['lr'] }, ({ p, g, square, velocity, lr }) => {
      const { s, u } = scaled(p, g, square);
      const b = fma(momentum, velocity, u).flush();
      return { p: p.sub(lr.mul(b)), square: s, velocity: b };
    });
  return makeOptimizer('rmsprop', { ...options }, 0.001, update, (lr) => ({ lr }));
}
