import { describe, expect, it } from 'vitest';
import { xor } from '../src/index.ts';

describe('xor', () => {
  it('labels each point by the sign of x·y, class 0 then class 1, perClass each', () => {
    const { x, y } = xor({ perClass: 150, seed: 1 });
    expect(x.shape).toEqual([300, 2]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(y)).toEqual(Array.from({ length: 300 }, (_, i) => (i < 150 ? 0 : 1)));
    for (let i = 0; i < 300; i++) {
      const [a, b] = [x.data[2 * i]!, x.data[2 * i + 1]!];
      expect(a * b > 0 ? 1 : 0).toBe(y[i]);
      // Inside the square, at least the margin away from both axes.
      for (const v of [a, b]) {
        expect(Math.abs(v)).toBeGreaterThanOrEqual(0.05 - 1e-7);
        expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-7);
      }
    }
  });

  it('splits each class evenly between its two quadrants', () => {
    const { x } = xor({ perClass: 100, margin: 0, seed: 2 });
    const count = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const q = `${Math.sign(x.data[2 * i]!)},${Math.sign(x.data[2 * i + 1]!)}`;
      count.set(q, (count.get(q) ?? 0) + 1);
    }
    expect(Object.fromEntries(count)).toEqual({ '1,-1': 50, '-1,1': 50, '1,1': 50, '-1,-1': 50 });
  });

  it('margin keeps points away from the axes', () => {
    const { x } = xor({ perClass: 200, margin: 0.3, seed: 3 });
    const sizes = Array.from(x.data, Math.abs);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(0.3 - 1e-7);
    expect(Math.min(...sizes)).toBeLessThan(0.32);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(Array.from(xor({ seed: 5 }).x.data)).toEqual(Array.from(xor({ seed: 5 }).x.data));
    expect(Array.from(xor({ seed: 5 }).x.data)).not.toEqual(Array.from(xor({ seed: 6 }).x.data));
  });

  it('noise jitters the same points, some across an axis, keeping their labels', () => {
    const clean = xor({ perClass: 500, seed: 7 });
    const noisy = xor({ perClass: 500, noise: 0.2, seed: 7 });
    expect(Array.from(noisy.y)).toEqual(Array.from(clean.y));
    let s2 = 0;
    for (let i = 0; i < clean.x.size; i++) s2 += (noisy.x.data[i]! - clean.x.data[i]!) ** 2;
    expect(Math.sqrt(s2 / clean.x.size)).toBeCloseTo(0.2, 1);
    const crossed = Array.from({ length: 1000 }, (_, i) => (noisy.x.data[2 * i]! * noisy.x.data[2 * i + 1]! > 0 ? 1 : 0) !== noisy.y[i]);
    expect(crossed.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('says which option is wrong', () => {
    expect(() => xor({ perClass: 2.5 })).toThrow('xor: perClass must be a whole number ≥ 1, got the number 2.5');
    expect(() => xor({ margin: 1 })).toThrow('xor: margin must be a number in [0, 1) (the gap each point keeps from the axes, in a square of half-width 1), got the number 1');
    expect(() => xor({ margin: -0.1 })).toThrow('xor: margin must be a number in [0, 1)');
    expect(() => xor({ noise: '0.1' as never })).toThrow('xor: noise must be a finite number ≥ 0, got the string "0.1"');
    expect(() => xor(null as never)).toThrow('xor: options must be an object such as { perClass: 100, seed: 0 }, got null');
  });
});
