/** RMSprop: divides by a running RMS of the gradient; optional momentum on the scaled step. */
import { kernels } from '@chainrule/core';
import { nonNegative, unitInterval } from '../names.ts';
import { makeOptimizer, type BaseOptions, type Optimizer } from './optimizer.ts';

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
  return makeOptimizer('rmsprop', { ...options }, 0.001, momentum > 0 ? ['square', 'velocity'] : ['square'], (p, g, [s, b], outP, [outS, outB], lr) => {
    kernels().rmspropStep(p, g, s!, b ?? null, outP, outS!, outB ?? null, { lr, rho, eps, momentum, weightDecay: wd });
  });
}
