/** globalAvgPool2d: each channel's mean over the image, [C, H, W] → [C] per sample (a CNN's last maps before its classifier). */
import { globalAvgPool2d as globalAvgPool } from '@chainrule/core';
import { onlyKnown } from './checks.ts';
import { expectImage } from './window.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';

/**
 * Global average pooling for {@link sequential}: x [batch, C, H, W] → [batch, C]. In PyTorch it is two
 * modules, AdaptiveAvgPool2d(1) then Flatten; give torch interop module names if the two must line up.
 *
 * @throws Error naming the layer when given an option, and the model when the input is not [C, H, W].
 * @example
 * ```ts
 * import { conv2d, dense, globalAvgPool2d, sequential } from '@chainrule/nn';
 * const model = sequential([conv2d({ filters: 16, kernel: 3 }), globalAvgPool2d(), dense(10)], { inputShape: [3, 32, 32] });
 * ```
 */
export const globalAvgPool2d = defineLayer<Record<string, never>, CommonLayerOptions>({
  kind: 'globalAvgPool2d',
  config: (o) => {
    onlyKnown(o, []);
    return {};
  },
  outputShape: (_c, inputShape) => [expectImage('globalAvgPool2d', inputShape)[0]],
  apply: (_p, _s, x) => ({ y: globalAvgPool(x) }),
  describe: () => '',
  sample: (fc) => fc.record({ options: fc.constant({}), inputShape: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })) }),
});
