/** Adam (L2 weight decay added to the gradient) and AdamW (decay applied to the weights directly). */
import { kernels } from '@chainrule/core';
import { positive, unitInterval } from '../names.ts';
import { makeOptimizer, type BaseOptions, type Optimizer } from './optimizer.ts';

export interface AdamOptions extends BaseOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

function adamLike(name: 'adam' | 'adamW', options: AdamOptions, decoupledDecay: number): Optimizer {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  unitInterval(name, 'beta1', b1);
  unitInterval(name, 'beta2', b2);
  positive(name, 'epsilon', eps);
  const l2 = name === 'adam' ? options.weightDecay ?? 0 : 0;
  return makeOptimizer(name, { ...options }, 0.001, ['m', 'v'], (p, g, [m, v], outP, [outM, outV], lr, t) => {
    // Bias corrections folded into two constants: one division and one sqrt per element.
    kernels().adamStep(p, g, m!, v!, outP, outM!, outV!, {
      b1, b2, eps, l2, stepSize: lr / (1 - b1 ** t), invRootC2: 1 / Math.sqrt(1 - b2 ** t), keep: 1 - lr * decoupledDecay,
    });
  });
}

export const adam = (options: AdamOptions = {}): Optimizer => adamLike('adam', options, 0);

/** AdamW: weightDecay defaults to 0.01 as in PyTorch. */
export const adamW = (options: AdamOptions = {}): Optimizer => adamLike('adamW', options, options.weightDecay ?? 0.01);
