/** Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay. */
import { kernels } from '@chainrule/core';
import { makeOptimizer, type BaseOptions, type Optimizer } from './optimizer.ts';

export interface SgdOptions extends BaseOptions {
  readonly momentum?: number;
  readonly nesterov?: boolean;
}

export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`sgd: momentum must be in [0, 1), got ${momentum}`);
  const wd = options.weightDecay ?? 0;
  const nesterov = options.nesterov ?? false;
  if (nesterov && momentum === 0) throw new Error('sgd: nesterov needs a momentum > 0');
  return makeOptimizer('sgd', { ...options }, 0.01, momentum > 0 ? ['velocity'] : [], (p, g, [v], outP, [outV], lr) => {
    kernels.sgdStep(p, g, v ?? null, outP, outV ?? null, { lr, momentum, nesterov, weightDecay: wd });
  });
}
