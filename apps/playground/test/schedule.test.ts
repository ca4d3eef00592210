/** The schedules the page offers keep the shapes their labels promise, paced by the decay steps. */
import { toSchedule } from '@chainrule/nn';
import { describe, expect, it } from 'vitest';
import { scheduleNames } from '../src/state/state.ts';
import { scheduleFromState, warmupSteps } from '../src/train/schedule-from-state.ts';

const rates = (schedule: (typeof scheduleNames)[number], decaySteps: number) => toSchedule('test', scheduleFromState({ lr: 0.2, schedule, decaySteps }));

describe('learning-rate schedules of the page', () => {
  it('constant keeps the rate', () => {
    expect([0, 10, 10_000].map(rates('constant', 100))).toEqual([0.2, 0.2, 0.2]);
  });

  it('step halves the rate every decay steps', () => {
    const lr = rates('step', 100);
    expect([0, 99, 100, 199, 200].map(lr)).toEqual([0.2, 0.2, 0.1, 0.1, 0.05]);
  });

  it('exponential reaches a tenth after decay steps, smoothly', () => {
    const lr = rates('exponential', 100);
    expect(lr(0)).toBe(0.2);
    expect(lr(50)).toBeCloseTo(0.2 * Math.sqrt(0.1), 12);
    expect(lr(100)).toBeCloseTo(0.02, 12);
  });

  it('cosine falls to 1 % over decay steps and stays there', () => {
    const lr = rates('cosine', 100);
    expect(lr(0)).toBeCloseTo(0.2, 12);
    expect(lr(50)).toBeCloseTo(0.2 * (0.01 + 0.99 * 0.5), 12);
    expect(lr(100)).toBeCloseTo(0.002, 12);
    expect(lr(1000)).toBeCloseTo(0.002, 12);
  });

  it('warmupCosine ramps up over a tenth of the decay steps, then is the cosine', () => {
    expect(warmupSteps(100)).toBe(10);
    expect(warmupSteps(4)).toBe(1);
    const lr = rates('warmupCosine', 100);
    const cosine = rates('cosine', 100);
    expect([0, 4, 9].map(lr)).toEqual([0.02, 0.1, 0.2].map((v) => expect.closeTo(v, 12)));
    for (const step of [10, 40, 110]) expect(lr(step)).toBeCloseTo(cosine(step - 10), 12);
  });

  it('no schedule goes above the rate typed', () => {
    for (const name of scheduleNames) {
      const lr = rates(name, 50);
      for (const step of [0, 1, 25, 49, 50, 500]) expect(lr(step)).toBeLessThanOrEqual(0.2 + 1e-15);
    }
  });
});
