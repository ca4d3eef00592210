/** Optimisers by name (the error lists the valid ones) or as objects made by sgd(), adam(), … */
import { lookup } from '../names.ts';
import { adam, adamW } from './adam.ts';
import { lion } from './lion.ts';
import type { Optimizer } from './optimizer.ts';
import { rmsprop } from './rmsprop.ts';
import { sgd } from './sgd.ts';

const OPTIMIZERS = { sgd, adam, adamW, rmsprop, lion } as const;
export type OptimizerName = keyof typeof OPTIMIZERS;
export const optimizerNames = Object.keys(OPTIMIZERS) as OptimizerName[];

export function getOptimizer(opt: OptimizerName | Optimizer): Optimizer {
  if (opt && typeof opt === 'object' && typeof opt.update === 'function') return opt;
  return lookup('optimizer', OPTIMIZERS, opt)();
}

export { sgd, adam, adamW, rmsprop, lion };
export * from './optimizer.ts';
export type { SgdOptions } from './sgd.ts';
export type { AdamOptions } from './adam.ts';
export type { RmspropOptions } from './rmsprop.ts';
export type { LionOptions } from './lion.ts';
