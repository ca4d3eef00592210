/**
 * Training with the fast kernels (native in Node when its addon is built, else WebAssembly) reaches what the reference kernels reach: the same
 * seeded MNIST run under each kernel set ends with nearly the same loss and accuracy (the sets differ
 * only in float32 rounding, so the runs drift apart slowly but learn the same).
 */
import { backend, setBackend } from '@chainrule/core';
import { kernels, referenceKernels } from '@chainrule/core/backend';
import { describe, expect, it } from 'vitest';
import { defaults, trainMnist } from '../src/mnist.ts';

describe('fast kernels train like the reference kernels', () => {
  it('the seed MNIST recipe on 3 000 images: test accuracy within 1.5 points, final loss within 5%', () => {
    expect(backend(), 'the fast kernels must be the default here').toMatch(/^(native|wasm)/);
    const config = { ...defaults, epochs: 1, shift: 0, schedule: 'constant' as const, lr: 4e-3, limit: 3000, testLimit: 1000 };
    const fast = trainMnist(config, () => {});
    const fastSet = kernels();
    setBackend(referenceKernels);
    try {
      expect(backend()).toBe('reference');
      const ref = trainMnist(config, () => {});
      expect(Math.abs(fast.run.testAccuracy - ref.run.testAccuracy)).toBeLessThanOrEqual(0.015);
      expect(fast.run.testAccuracy).toBeGreaterThan(0.8);
      const [lf, lr] = [fast.history.loss.last()!, ref.history.loss.last()!];
      expect(Math.abs(lf - lr) / lr).toBeLessThan(0.05);
    } finally {
      setBackend(fastSet);
    }
  }, 60_000);
});
