import { describe, expect, it } from 'vitest';
import { spiral } from '../src/index.ts';

describe('spiral', () => {
  it('gives classes·perClass points in the unit disc, labelled arm by arm', () => {
    const { x, y } = spiral({ perClass: 50, classes: 4, seed: 1 });
    expect(x.shape).toEqual([200, 2]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(y)).toEqual(Array.from({ length: 200 }, (_, i) => Math.floor(i / 50)));
    for (let i = 0; i < 200; i++) {
      const r = Math.hypot(x.data[2 * i]!, x.data[2 * i + 1]!);
      // Point i of its arm sits at radius i/perClass: noise turns the angle only.
      expect(r).toBeCloseTo((i % 50) / 50, 5);
    }
  });

  it('is the same for the same seed and differs for another; without noise the arms are exact', () => {
    expect(Array.from(spiral({ seed: 3 }).x.data)).toEqual(Array.from(spiral({ seed: 3 }).x.data));
    expect(Array.from(spiral({ seed: 3 }).x.data)).not.toEqual(Array.from(spiral({ seed: 4 }).x.data));
    const { x } = spiral({ perClass: 10, classes: 2, noise: 0 });
    // Arm 1, point 5: radius 0.5, angle 4 + 4·0.5 = 6.
    expect(x.data[2 * 15]).toBeCloseTo(0.5 * Math.sin(6), 6);
    expect(x.data[2 * 15 + 1]).toBeCloseTo(0.5 * Math.cos(6), 6);
  });

  it('says which option is wrong', () => {
    expect(() => spiral({ perClass: 0 })).toThrow('spiral: perClass must be a whole number ≥ 1, got the number 0');
    expect(() => spiral({ classes: 2.5 })).toThrow('spiral: classes must be a whole number ≥ 1, got the number 2.5');
    expect(() => spiral({ noise: -1 })).toThrow('spiral: noise must be a finite number ≥ 0, got the number -1');
  });
});
