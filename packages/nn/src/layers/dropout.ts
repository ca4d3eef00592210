/**
 * dropout: in training, each value is zeroed with probability `rate` and the rest scaled by
 * 1/(1 − rate) (inverted dropout, as PyTorch), so evaluation is the identity. Its randomness comes
 * from the rng fit passes each step (a stream that resumes with the checkpoint).
 */
import { greaterEqual, mul, randUniform } from '@chainrule/core';
import { inRange, onlyKnown } from './checks.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';

/** The dropout layer's config. */
export interface DropoutConfig {
  /** The probability of zeroing each value in training, in [0, 1). */
  readonly rate: number;
}

/** The dropout layer kind: `dropout({ rate: 0.2 })`. */
export const dropout = defineLayer<DropoutConfig, {
  /** The probability of zeroing each value in training (default 0.5). */
  rate?: number;
} & CommonLayerOptions>({
  kind: 'dropout',
  config: (o) => {
    onlyKnown(o, ['rate']);
    return { rate: inRange('rate', o.rate, 0, 1, 0.5) };
  },
  outputShape: (_c, inputShape) => inputShape,
  apply: (_p, _s, x, { config, training, rng }) => {
    if (!training || config.rate === 0) return { y: x };
    if (!rng) throw new Error('in training mode dropout draws from an rng: pass { training: true, rng } to model.apply (fit passes one)');
    const keep = greaterEqual(randUniform(x.shape, { rng, dtype: x.dtype }), config.rate); // 1 with probability 1 − rate
    return { y: mul(x, mul(keep, 1 / (1 - config.rate))) };
  },
  describe: (c) => `rate ${c.rate}`,
  sample: (fc) => fc.record({
    options: fc.record({ rate: fc.constantFrom(0, 0.25, 0.5) }),
    inputShape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
  }),
});
