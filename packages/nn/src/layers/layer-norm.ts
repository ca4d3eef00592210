/**
 * layerNorm, as PyTorch's LayerNorm over the last axis: each sample's last axis is normalised to mean 0
 * and variance 1 (biased, eps 1e-5 inside the root), then scaled by gamma and shifted by beta. The
 * same in training and evaluation: it keeps no state.
 */
import { add, div, mean, mul, ones, sqrt, sub, zeros } from '@chainrule/core';
import { inRange, onlyKnown } from './checks.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';

/** The layerNorm layer's config. */
export interface LayerNormConfig {
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps: number;
}

/** The layerNorm layer kind: `layerNorm()`. */
export const layerNorm = defineLayer<LayerNormConfig, Partial<LayerNormConfig> & CommonLayerOptions>({
  kind: 'layerNorm',
  config: (o) => {
    onlyKnown(o, ['eps']);
    const eps = inRange('eps', o.eps, 0, 1, 1e-5);
    if (!(eps > 0)) throw new Error('eps must be > 0 (it keeps the division finite for a constant sample)');
    return { eps };
  },
  params: (_c, inputShape) => ({ gamma: [inputShape[inputShape.length - 1]!], beta: [inputShape[inputShape.length - 1]!] }),
  init: ({ shapes, dtype }) => ({ gamma: ones(shapes.gamma!, { dtype }), beta: zeros(shapes.beta!, { dtype }) }),
  outputShape: (_c, inputShape) => inputShape,
  apply: (p, _s, x, { config }) => {
    const centred = sub(x, mean(x, -1, true));
    const variance = mean(mul(centred, centred), -1, true);
    return { y: add(mul(div(centred, sqrt(add(variance, config.eps))), p.gamma!), p.beta!) };
  },
  describe: (c) => `eps ${c.eps}`,
  sample: (fc) => fc.record({
    options: fc.constant({}),
    inputShape: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 2 }),
  }),
});
