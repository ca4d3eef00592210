/**
 * The short seeded MNIST run of mnist.test.ts on the native kernels and on the WebAssembly ones: the same
 * seed and data must reach the same test accuracy within 0.1 percentage point (10 of the 10 000 test
 * images). The two sets round differently (FMA, summation order), so the weights drift apart a little;
 * what must not differ is what the training reaches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { backend, setBackend, type BackendName } from '@chainrule/core';
import { kernels } from '@chainrule/core/backend';
import { defaults, trainMnist } from '../src/mnist.ts';

const startSet = kernels();
afterEach(() => setBackend(startSet));

const accuracyOn = (set: BackendName) => {
  setBackend(set);
  const { run } = trainMnist({ ...defaults, epochs: 1, shift: 0, schedule: 'constant', lr: 4e-3, limit: 10_000 }, () => {});
  return { accuracy: run.testAccuracy, tested: run.confusion.flat().reduce((a, b) => a + b, 0), kernels: backend() };
};

describe('mnist on the native kernels', () => {
  it('reaches the accuracy of the same seeded run on wasm within 0.1 percentage point', () => {
    const wasm = accuracyOn('wasm-relaxed-simd');
    const native = accuracyOn('native');
    expect(native.kernels).toMatch(/^native-(avx512|avx2|portable)$/);
    expect(native.tested).toBe(10_000);
    expect(wasm.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(native.accuracy - wasm.accuracy), `native ${native.accuracy}, wasm ${wasm.accuracy}`).toBeLessThanOrEqual(0.001);
  });
});
