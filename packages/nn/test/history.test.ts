import { is, List, OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { addEpoch, History, type EpochEntry } from '../src/history.ts';

const entry = (epoch: number, steps: number): EpochEntry => ({
  loss: epoch, metrics: { accuracy: epoch / 10 }, lr: 0.1, gradNorms: OrderedMap([['dense0', epoch]]),
  stepLoss: Array.from({ length: steps }, (_, i) => epoch * 1000 + i + 0.5),
  stepLr: Array.from({ length: steps }, () => 0.1),
  stepGradNorms: { dense0: Array.from({ length: steps }, (_, i) => -i), dense1: Array.from({ length: steps }, (_, i) => i / 3) },
});

describe('History', () => {
  it('addEpoch appends each step list in order, across epochs (first, empty, and later ones), as List.concat would', () => {
    const entries = [entry(0, 938), entry(1, 0), entry(2, 5), entry(3, 1100)];
    const h = entries.reduce(addEpoch, History());
    const all = (pick: (e: EpochEntry) => ArrayLike<number>) => List(entries.flatMap((e) => Array.from(pick(e))));
    expect(is(h.stepLoss, all((e) => e.stepLoss))).toBe(true);
    expect(is(h.stepLr, all((e) => e.stepLr))).toBe(true);
    expect(is(h.stepGradNorms.get('dense0'), all((e) => e.stepGradNorms.dense0!))).toBe(true);
    expect(is(h.stepGradNorms.get('dense1'), all((e) => e.stepGradNorms.dense1!))).toBe(true);
    expect(h.stepLoss.size).toBe(938 + 5 + 1100);
    expect(h.stepLoss.get(938)).toBe(2000.5);
    expect(h.stepLoss.last()).toBe(3000 * 1 + 1099.5);
    expect(h.loss.toArray()).toEqual([0, 1, 2, 3]);
    expect(h.metrics.get('accuracy')!.toArray()).toEqual([0, 0.1, 0.2, 0.3]);
    // The history given is left as it was.
    const one = addEpoch(History(), entry(0, 3));
    addEpoch(one, entry(1, 3));
    expect(one.stepLoss.toArray()).toEqual([0.5, 1.5, 2.5]);
  });

  it('addEpoch takes typed-array step lists (as fit hands them) to the same History as plain arrays', () => {
    const typed = (e: EpochEntry): EpochEntry => ({
      ...e, stepLoss: Float64Array.from(e.stepLoss), stepLr: Float64Array.from(e.stepLr),
      stepGradNorms: Object.fromEntries(Object.entries(e.stepGradNorms).map(([k, v]) => [k, new Float64Array(Array.from(v)).subarray(0)])),
    });
    const entries = [entry(0, 40), entry(1, 3)];
    const plain = entries.reduce(addEpoch, History()), fromTyped = entries.map(typed).reduce(addEpoch, History());
    expect(is(fromTyped, plain)).toBe(true);
    expect(fromTyped.stepGradNorms.get('dense1')!.get(41)).toBe(1 / 3);
    expect(typeof fromTyped.stepLoss.get(0)).toBe('number');
  });
});
