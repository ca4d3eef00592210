/** Optimisers by name (the error lists the valid ones) or as objects made by sgd(), adam(), … */
import { lookup } from '../names.ts';
import { adam, adamW } from './adam.ts';
import { lion } from './lion.ts';
import type { Optimizer } from './optimizer.ts';
import { rmsprop } from './rmsprop.ts';
import { sgd } from './sgd.ts';

const OPTIMIZERS = { sgd, adam, adamW, rmsprop, lion } as const;
/** The optimisers fit takes by name: 'sgd', 'adam', 'adamW', 'rmsprop' and 'lion'. */
export type OptimizerName = keyof typeof OPTIMIZERS;
/** Every {@link OptimizerName}, in a list. */
export const optimizerNames = Object.keys(OPTIMIZERS) as OptimizerName[];

/**
 * The optimiser an option names (made with its default options), or the given optimiser itself.
 *
 * @throws Error for an unknown name, listing the valid ones.
 * @example
 * ```ts
 * import { getOptimizer } from '@chainrule/nn';
 * getOptimizer('sgd').lr(0); // 0.01
 * ```
 */
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
export type { ParamGroup, ParamOptions, ParamSelector } from './param-groups.ts';
