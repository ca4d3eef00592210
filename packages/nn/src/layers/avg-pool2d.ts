/** avgPool2d, as PyTorch's AvgPool2d: each window's mean (padding counted as zeros), images [C, H, W] per sample. */
import { avgPool2d as avgPool } from '@chainrule/core';
import { defineLayer } from './define.ts';
import { describePool, poolConfig, poolSample, poolShape, type Pool2dConfig, type Pool2dLayerOptions } from './max-pool2d.ts';

/**
 * Average pooling for {@link sequential}: x [batch, C, H, W] → each window's mean, [batch, C, outH,
 * outW] (PyTorch's AvgPool2d with its defaults: floor mode, padding counted as zeros).
 *
 * @throws Error naming the layer, as {@link maxPool2d}.
 * @example
 * ```ts
 * import { avgPool2d, sequential } from '@chainrule/nn';
 * const model = sequential([avgPool2d({ kernel: 2 })], { inputShape: [3, 8, 8] }); // → [3, 4, 4]
 * ```
 */
export const avgPool2d = defineLayer<Pool2dConfig, Pool2dLayerOptions>({
  kind: 'avgPool2d',
  config: poolConfig,
  outputShape: (c, inputShape) => poolShape('avgPool2d', c, inputShape),
  apply: (_p, _s, x, { config: c }) => ({ y: avgPool(x, c) }),
  describe: describePool,
  sample: poolSample,
});
