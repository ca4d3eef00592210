/** A short seeded MNIST run: the main example's recipe on 10 000 images for one epoch. */
import { describe, expect, it } from 'vitest';
import { defaults, trainMnist } from '../src/mnist.ts';

describe('mnist example', () => {
  it('reaches ≥ 90% test accuracy after one epoch on a 10 000-image subset (constant lr, no augmentation)', () => {
    const lines: string[] = [];
    const { run, history } = trainMnist({ ...defaults, epochs: 1, shift: 0, schedule: 'constant', lr: 4e-3, limit: 10_000 }, (l) => lines.push(l));
    expect(run.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(run.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(history.stepLoss.size).toBe(Math.ceil(10_000 / 64));
    expect(lines.some((l) => /epoch 1\/1 - loss/.test(l))).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = trainMnist({ ...defaults, epochs: 1, limit: 640, testLimit: 100 }, () => {});
    const b = trainMnist({ ...defaults, epochs: 1, limit: 640, testLimit: 100 }, () => {});
    expect(Array.from(a.params.get('dense0/w')!.data)).toEqual(Array.from(b.params.get('dense0/w')!.data));
  });
});
