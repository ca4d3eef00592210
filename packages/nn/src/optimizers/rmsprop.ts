/** RMSprop: divides by a running RMS of the gradient; optional momentum on the scaled step. */
import { flush, makeOptimizer, type BaseOptions, type Optimizer } from './optimizer.ts';

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
  return makeOptimizer('rmsprop', { ...options }, 0.001, momentum > 0 ? ['square', 'velocity'] : ['square'], (p, g, [s, buf], lr) => {
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]! + wd * p[i]!;
      const si = flush(rho * s![i]! + (1 - rho) * gi * gi);
      s![i] = si;
      const stepI = gi / (Math.sqrt(si) + eps);
      if (buf) {
        const bi = flush(momentum * buf[i]! + stepI);
        buf[i] = bi;
        p[i] = p[i]! - lr * bi;
      } else p[i] = p[i]! - lr * stepI;
    }
  });
}
