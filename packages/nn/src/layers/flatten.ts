/** flatten: one sample of any shape → a vector, so a dense layer can follow a shaped input. */
import { reshape } from '@chainrule/core';
import { onlyKnown, sizeOf } from './checks.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';

/** The flatten layer kind: [batch, ...shape] → [batch, size of shape]. */
export const flatten = defineLayer<Record<string, never>, CommonLayerOptions>({
  kind: 'flatten',
  config: (o) => {
    onlyKnown(o, []);
    return {};
  },
  outputShape: (_c, inputShape) => [sizeOf(inputShape)],
  apply: (_p, _s, x, { inputShape }) => ({ y: reshape(x, [x.shape[0]!, sizeOf(inputShape)]) }),
  describe: () => '',
  sample: (fc) => fc.record({ options: fc.constant({}), inputShape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }) }),
});
