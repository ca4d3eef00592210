/**
 * batchNorm, as PyTorch's BatchNorm1d/2d: each feature (the first axis of a sample: a column of
 * [batch, C], a channel of [batch, C, H, W]) is normalised over the batch and the other axes, then
 * scaled by gamma and shifted by beta. Training uses the batch's statistics and updates the running
 * ones (running = (1 − momentum)·running + momentum·batch, the variance unbiased); evaluation uses the
 * running ones. momentum 0.1 and eps 1e-5 as PyTorch.
 */
import { add, div, mean, mul, noGrad, ones, reshape, scalar, sqrt, sub, zeros, type Tensor } from '@chainrule/core';
import { inRange, onlyKnown } from './checks.ts';
import { defineLayer, type CommonLayerOptions } from './define.ts';

/** The batchNorm layer's config. */
export interface BatchNormConfig {
  /** The weight of each batch in the running statistics (PyTorch's momentum, default 0.1). */
  readonly momentum: number;
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps: number;
}

/** [C, 1, 1, …] so a per-feature vector broadcasts over a sample's other axes. */
const perFeature = (t: Tensor, inputShape: readonly number[]): Tensor =>
  inputShape.length === 1 ? t : reshape(t, [inputShape[0]!, ...inputShape.slice(1).map(() => 1)]);

/** The batchNorm layer kind: `batchNorm()` or `batchNorm({ momentum: 0.01 })`. */
export const batchNorm = defineLayer<BatchNormConfig, Partial<BatchNormConfig> & CommonLayerOptions>({
  kind: 'batchNorm',
  config: (o) => {
    onlyKnown(o, ['momentum', 'eps']);
    const eps = inRange('eps', o.eps, 0, 1, 1e-5);
    if (!(eps > 0)) throw new Error('eps must be > 0 (it keeps the division finite for a constant feature)');
    return { momentum: inRange('momentum', o.momentum, 0, 1, 0.1), eps };
  },
  params: (_c, [features]) => ({ gamma: [features!], beta: [features!] }),
  init: ({ shapes, dtype }) => ({ gamma: ones(shapes.gamma!, { dtype }), beta: zeros(shapes.beta!, { dtype }) }),
  initialState: (_c, [features], dtype) => ({
    runningMean: zeros([features!], { dtype }),
    runningVar: ones([features!], { dtype }),
    numBatchesTracked: zeros([], { dtype }),
  }),
  outputShape: (_c, inputShape) => inputShape,
  apply: (p, s, x, { config, training, inputShape }) => {
    const f = (t: Tensor) => perFeature(t, inputShape);
    const scaleShift = (normalised: Tensor) => add(mul(normalised, f(p.gamma!)), f(p.beta!));
    if (!training) return { y: scaleShift(div(sub(x, f(s.runningMean!)), sqrt(add(f(s.runningVar!), config.eps)))) };
    // Statistics over the batch and every axis but the feature axis (axis 1 of x).
    const axes = [0, ...inputShape.slice(1).map((_, i) => i + 2)];
    const mu = mean(x, axes, true);
    const centred = sub(x, mu);
    const variance = mean(mul(centred, centred), axes, true);
    const y = scaleShift(div(centred, sqrt(add(variance, config.eps))));
    const count = x.size / inputShape[0]!;
    const m = config.momentum;
    const state = noGrad(() => {
      const flat = (t: Tensor) => reshape(t.detach(), [inputShape[0]!]);
      const unbiased = mul(flat(variance), count > 1 ? count / (count - 1) : 1);
      return {
        runningMean: add(mul(s.runningMean!, 1 - m), mul(flat(mu), m)).detach(),
        runningVar: add(mul(s.runningVar!, 1 - m), mul(unbiased, m)).detach(),
        numBatchesTracked: add(s.numBatchesTracked!, scalar(1, x.dtype)).detach(),
      };
    });
    return { y, state };
  },
  describe: (c) => `momentum ${c.momentum}, eps ${c.eps}`,
  sample: (fc) => fc.record({
    options: fc.record({ momentum: fc.constantFrom(0.1, 0.5) }),
    inputShape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  }),
});
