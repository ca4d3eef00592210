/** Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay. */
import { describeValue, kernels } from '@chainrule/core';
import { unitInterval } from '../names.ts';
import { makeOptimizer, type BaseOptions, type Optimizer } from './optimizer.ts';

export interface SgdOptions extends BaseOptions {
  readonly momentum?: number;
  readonly nesterov?: boolean;
}

export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  unitInterval('sgd', 'momentum', momentum);
  if (options.nesterov !== undefined && typeof options.nesterov !== 'boolean') throw new Error(`sgd: nesterov must be true or false, got ${describeValue(options.nesterov)}`);
  const wd = options.weightDecay ?? 0;
  const nesterov = options.nesterov ?? false;
  if (nesterov && momentum === 0) throw new Error('sgd: nesterov needs a momentum > 0');
  return makeOptimizer('sgd', { ...options }, 0.01, momentum > 0 ? ['velocity'] : [], (p, g, [v], outP, [outV], lr) => {
    kernels().sgdStep(p, g, v ?? null, outP, outV ?? null, { lr, momentum, nesterov, weightDecay: wd });
  });
}
