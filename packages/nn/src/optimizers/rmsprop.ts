/** RMSprop: divides by a running RMS of the gradient; optional momentum on the scaled step. */
import { kernels } from '@chainrule/core';
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
  if (!(rho >= 0 && rho < 1)) throw new Error(`rmsprop: rho must be in [0, 1), got ${rho}`);
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`rmsprop: momentum must be in [0, 1), got ${momentum}`);
  const wd = options.weightDecay ?? 0;
  return makeOptimizer('rmsprop', { ...options }, 0.001, momentum > 0 ? ['square', 'velocity'] : ['square'], (p, g, [s, b], outP, [outS, outB], lr) => {
    kernels.rmspropStep(p, g, s!, b ?? null, outP, outS!, outB ?? null, { lr, rho, eps, momentum, weightDecay: wd });
  });
}
