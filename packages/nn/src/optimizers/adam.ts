/** Adam (L2 weight decay added to the gradient) and AdamW (decay applied to the weights directly). */
import { flush, makeOptimizer, type BaseOptions, type Optimizer } from './optimizer.ts';

export interface AdamOptions extends BaseOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

function adamLike(name: 'adam' | 'adamW', options: AdamOptions, decoupledDecay: number): Optimizer {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  for (const [k, v] of [['beta1', b1], ['beta2', b2]] as const) {
    if (!(v >= 0 && v < 1)) throw new Error(`${name}: ${k} must be in [0, 1), got ${v}`);
  }
  if (!(eps > 0)) throw new Error(`${name}: epsilon must be > 0, got ${eps}`);
  const l2 = name === 'adam' ? options.weightDecay ?? 0 : 0;
  return makeOptimizer(name, { ...options }, 0.001, ['m', 'v'], (p, g, [m, v], lr, t) => {
    // Bias corrections folded into two constants: one division and one sqrt per element.
    const stepSize = lr / (1 - b1 ** t);
    const invRootC2 = 1 / Math.sqrt(1 - b2 ** t);
    const keep = 1 - lr * decoupledDecay;
    for (let i = 0; i < p.length; i++) {
      const pi = p[i]!;
      const gi = g[i]! + l2 * pi;
      const mi = flush(b1 * m![i]! + (1 - b1) * gi);
      const vi = flush(b2 * v![i]! + (1 - b2) * gi * gi);
      m![i] = mi;
      v![i] = vi;
      p[i] = pi * keep - (stepSize * mi) / (Math.sqrt(vi) * invRootC2 + eps);
    }
  });
}

export const adam = (options: AdamOptions = {}): Optimizer => adamLike('adam', options, 0);

/** AdamW: weightDecay defaults to 0.01 as in PyTorch. */
export const adamW = (options: AdamOptions = {}): Optimizer => adamLike('adamW', options, options.weightDecay ?? 0.01);
