/** reshape: one sample to another shape of the same size (a flat row of 784 back to [1, 28, 28], say). */
import { formatShape, reshape as reshapeOp } from '@chainrule/core';
import { onlyKnown, shapeOf, sizeOf } from './checks.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';

/** The reshape layer's config: the target shape of one sample. */
export interface ReshapeConfig {
  /** The shape of one output sample (no batch axis). */
  readonly shape: number[];
}

/** The reshape layer kind: [batch, ...inputShape] → [batch, ...shape]; `reshape({ shape: [1, 28, 28] })`. */
export const reshape = defineLayer<ReshapeConfig, {
  /** The shape of one output sample (no batch axis), of the input sample's size. */
  shape: number[];
} & CommonLayerOptions>({
  kind: 'reshape',
  config: (o) => {
    onlyKnown(o, ['shape']);
    return { shape: shapeOf('shape', o.shape) };
  },
  outputShape: (c, inputShape) => {
    if (sizeOf(c.shape) !== sizeOf(inputShape)) {
      throw new Error(`reshape to ${formatShape(c.shape)} needs ${sizeOf(c.shape)} values per sample, but the input ${formatShape(inputShape)} has ${sizeOf(inputShape)}; give a shape of the same size`);
    }
    return c.shape;
  },
  apply: (_p, _s, x, { config }) => ({ y: reshapeOp(x, [x.shape[0]!, ...config.shape]) }),
  describe: (c) => `to ${formatShape(c.shape)}`,
  sample: (fc) => fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, b]: [number, number]) => ({ options: { shape: [b, a] }, inputShape: [a * b] })),
});
