import { describe, expect, it } from 'vitest';
import { epochsNote, median, TIMED_EPOCHS } from '../src/epoch-count.ts';

describe('which epochs a row reports', () => {
  it('the median of an odd and an even count, unsorted, and of one', () => {
    expect(median([0.39, 0.23, 0.25])).toBe(0.25);
    expect(median([0.4, 0.1, 0.3, 0.2])).toBeCloseTo(0.25, 12);
    expect(median([0.3])).toBe(0.3);
  });

  it('slow spells in two timed epochs of five do not move the median', () => {
    expect(median([0.221, 0.275, 0.263, 0.219, 0.220])).toBe(0.221);
  });

  it('refuses an empty list by name', () => {
    expect(() => median([])).toThrow('median of no values');
  });

  it('the note lists every timed epoch and the first', () => {
    expect(TIMED_EPOCHS).toBe(5);
    expect(epochsNote(0.2849, [0.2361, 0.2503, 0.3074])).toBe('the median of epochs 2–4 (0.236, 0.250, 0.307 s; the first took 0.285 s)');
    expect(epochsNote(7.123, [6.5, 6.61, 6.7], 2)).toBe('the median of epochs 2–4 (6.50, 6.61, 6.70 s; the first took 7.12 s)');
  });
});
