import { describe, expect, it } from 'vitest';
import { constant, cosineDecay, exponentialDecay, inverseTimeDecay, stepDecay, warmup } from '../src/index.ts';

describe('learning-rate schedules', () => {
  it('constant', () => expect([0, 100].map(constant(0.3))).toEqual([0.3, 0.3]));

  it('stepDecay multiplies by the factor every `every` steps', () => {
    expect([0, 9, 10, 25].map(stepDecay(1, { every: 10, factor: 0.1 }))).toEqual([1, 1, 0.1, expect.closeTo(0.01, 12)]);
  });

  it('exponentialDecay, smooth and staircase', () => {
    expect(exponentialDecay(2, { rate: 0.5, decaySteps: 10 })(5)).toBeCloseTo(2 * Math.SQRT1_2, 12);
    expect(exponentialDecay(2, { rate: 0.5, decaySteps: 10, staircase: true })(15)).toBe(1);
  });

  it('inverseTimeDecay', () => {
    expect(inverseTimeDecay(1, { rate: 0.5, decaySteps: 2 })(4)).toBeCloseTo(1 / 2, 12);
  });

  it('cosineDecay goes from lr to lr·alpha and stays there', () => {
    const s = cosineDecay(1, { decaySteps: 100, alpha: 0.1 });
    expect(s(0)).toBe(1);
    expect(s(50)).toBeCloseTo(0.55, 12);
    expect(s(100)).toBeCloseTo(0.1, 12);
    expect(s(1000)).toBeCloseTo(0.1, 12);
  });

  it('warmup ramps linearly, then runs the wrapped schedule from its start', () => {
    const s = warmup(cosineDecay(0.1, { decaySteps: 10 }), { steps: 4 });
    expect([0, 1, 3].map(s)).toEqual([expect.closeTo(0.025, 12), expect.closeTo(0.05, 12), expect.closeTo(0.1, 12)]);
    expect(s(4)).toBeCloseTo(0.1, 12);
    expect(s(9)).toBeCloseTo(0.05, 12);
    expect(s(100)).toBeCloseTo(0, 12);
  });

  it('rejects negative rates and bad periods', () => {
    expect(() => constant(-1)).toThrow(/learning rate must be a finite number ≥ 0, got the number -1/);
    expect(() => stepDecay(-0.1, { every: 1 })).toThrow(/stepDecay: learning rate/);
    expect(() => stepDecay(0.1, { every: 0 })).toThrow(/every must be a positive integer/);
    expect(() => warmup(0.1, { steps: 0 })).toThrow(/steps must be a positive integer/);
  });
});
