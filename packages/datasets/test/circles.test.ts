import { describe, expect, it } from 'vitest';
import { circles } from '../src/index.ts';

const radius = (x: ArrayLike<number>, i: number) => Math.hypot(x[2 * i]!, x[2 * i + 1]!);

describe('circles', () => {
  it('gives a ring of class 0 then a disc of class 1, perClass each, split by a circle', () => {
    const { x, y } = circles({ perClass: 200, seed: 1 });
    expect(x.shape).toEqual([400, 2]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(y)).toEqual(Array.from({ length: 400 }, (_, i) => (i < 200 ? 0 : 1)));
    // Without noise the ring is at radius 0.7–1 and the disc within 0.5 (Playground's geometry).
    for (let i = 0; i < 200; i++) {
      expect(radius(x.data, i)).toBeGreaterThanOrEqual(0.7 - 1e-6);
      expect(radius(x.data, i)).toBeLessThanOrEqual(1 + 1e-6);
      expect(radius(x.data, 200 + i)).toBeLessThanOrEqual(0.5 + 1e-6);
    }
  });

  it('factor sets the disc; the ring starts 40 % of the way from its edge to 1', () => {
    const { x } = circles({ perClass: 300, factor: 0.2, seed: 2 });
    const ring = Array.from({ length: 300 }, (_, i) => radius(x.data, i));
    const disc = Array.from({ length: 300 }, (_, i) => radius(x.data, 300 + i));
    expect(Math.min(...ring)).toBeGreaterThanOrEqual(0.52 - 1e-6);
    expect(Math.min(...ring)).toBeLessThan(0.56);
    expect(Math.max(...disc)).toBeLessThanOrEqual(0.2 + 1e-6);
    expect(Math.max(...disc)).toBeGreaterThan(0.18);
  });

  it('covers every direction: each class has points in all four quadrants', () => {
    const { x } = circles({ perClass: 100, seed: 3 });
    for (const k of [0, 1]) {
      const quadrants = new Set(Array.from({ length: 100 }, (_, i) => `${Math.sign(x.data[2 * (k * 100 + i)]!)},${Math.sign(x.data[2 * (k * 100 + i) + 1]!)}`));
      expect(quadrants.size).toBe(4);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    expect(Array.from(circles({ seed: 5 }).x.data)).toEqual(Array.from(circles({ seed: 5 }).x.data));
    expect(Array.from(circles({ seed: 5 }).x.data)).not.toEqual(Array.from(circles({ seed: 6 }).x.data));
  });

  it('noise jitters the same points by about its size, keeping their labels', () => {
    const clean = circles({ perClass: 500, seed: 7 });
    const noisy = circles({ perClass: 500, noise: 0.1, seed: 7 });
    expect(Array.from(noisy.y)).toEqual(Array.from(clean.y));
    let s2 = 0;
    for (let i = 0; i < clean.x.size; i++) s2 += (noisy.x.data[i]! - clean.x.data[i]!) ** 2;
    expect(Math.sqrt(s2 / clean.x.size)).toBeCloseTo(0.1, 1);
    // Now some ring points fall inside radius 0.7.
    expect(Array.from({ length: 500 }, (_, i) => radius(noisy.x.data, i)).some((r) => r < 0.7)).toBe(true);
  });

  it('says which option is wrong', () => {
    expect(() => circles({ perClass: 0 })).toThrow('circles: perClass must be a whole number ≥ 1, got the number 0');
    expect(() => circles({ factor: 1 })).toThrow("circles: factor must be a number in (0, 1) (the inner disc's radius as a share of the outer ring's), got the number 1");
    expect(() => circles({ factor: 0 })).toThrow('circles: factor must be a number in (0, 1)');
    expect(() => circles({ noise: -0.1 })).toThrow('circles: noise must be a finite number ≥ 0, got the number -0.1');
    expect(() => circles({ noise: Number.NaN })).toThrow('circles: noise must be a finite number ≥ 0, got the number NaN');
    expect(() => circles({ seed: 1.5 })).toThrow(/^circles: .*seed/);
    expect(() => circles(3 as never)).toThrow('circles: options must be an object such as { perClass: 100, seed: 0 }, got the number 3');
    expect(() => circles({ perClass: 1e9 })).toThrow(/^circles: x of 1000000000·2 points would need 16000000000 bytes/);
  });
});
