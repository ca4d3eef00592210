import { fromData, type Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { dense, evaluate, fit, sequential, sgd, type FitOptions, type Params } from '../src/index.ts';
import { line, sameBits } from './helpers.ts';

const quiet = { progress: false, monitor: false } as const;
const model = sequential([dense(1)], { inputs: 1 });
const data = line(16, 1);

/**
 * One full batch per epoch, validated on the training data: validation loss falls while the rate is
 * 0.1 (steps 0-2) and climbs once it is 3, far past the stable rate for this quadratic, so the best
 * epoch is early and known, and every later epoch is worse.
 */
const diverging: FitOptions = {
  ...quiet, loss: 'mse', optimizer: sgd({ lr: (s) => (s < 3 ? 0.1 : 3) }), batchSize: 16, shuffle: false, validation: data,
};
const run = (options: Partial<FitOptions>) => fit(model, model.init(0), data, { ...diverging, ...options });
const sameParams = (a: Params, b: Params) => [...a.keys()].every((k) => sameBits(a.get(k)!, b.get(k)!));
const argmin = (xs: readonly number[]) => xs.indexOf(Math.min(...xs));

describe('restoreBest returns the best epoch however training ends', () => {
  const straight = (epochs: number) => run({ epochs }).params;

  it('the epoch budget ends first: the best epoch is kept, not the last', () => {
    const r = run({ epochs: 6, earlyStopping: { patience: 10 } });
    const best = argmin(r.history.valLoss.toArray());
    expect(best).toBe(2); // the setup works: the best is not the last
    expect([r.bestEpoch, r.lastEpoch, r.stoppedAt]).toEqual([2, 5, undefined]);
    expect(sameParams(r.params, straight(3))).toBe(true);
    expect(evaluate(model, r.params, data, { loss: 'mse' }).loss).toBe(r.history.valLoss.get(2));
  });

  it('patience runs out: training stops there and the best epoch is kept', () => {
    const r = run({ epochs: 20, earlyStopping: { patience: 2 } });
    expect([r.bestEpoch, r.lastEpoch, r.stoppedAt]).toEqual([2, 4, 4]);
    expect(r.history.loss.size).toBe(5);
    expect(sameParams(r.params, straight(3))).toBe(true);
  });

  it('a callback stops training: the best epoch is kept, and early stopping did not stop it', () => {
    const atEpochEnd = run({ epochs: 20, earlyStopping: { patience: 10 }, callbacks: { onEpochEnd: (e) => (e.epoch === 4 ? 'stop' : undefined) } });
    expect([atEpochEnd.bestEpoch, atEpochEnd.lastEpoch, atEpochEnd.stoppedAt]).toEqual([2, 4, undefined]);
    expect(sameParams(atEpochEnd.params, straight(3))).toBe(true);
    const atStep = run({ epochs: 20, earlyStopping: { patience: 10 }, callbacks: { onStep: (s) => (s.step === 5 ? 'stop' : undefined) } });
    expect([atStep.bestEpoch, atStep.lastEpoch, atStep.stoppedAt]).toEqual([2, 5, undefined]);
    expect(sameParams(atStep.params, straight(3))).toBe(true);
  });

  it('restoreBest: false returns the last epoch and still says which was best', () => {
    const r = run({ epochs: 6, earlyStopping: { patience: 10, restoreBest: false } });
    expect([r.bestEpoch, r.lastEpoch, r.stoppedAt]).toEqual([2, 5, undefined]);
    expect(sameParams(r.params, straight(6))).toBe(true);
  });

  it('without early stopping the result names only the last epoch (none when no epoch ran)', () => {
    const r = run({ epochs: 4 });
    expect([r.bestEpoch, r.lastEpoch, r.stoppedAt]).toEqual([undefined, 3, undefined]);
    expect(run({ epochs: 0 }).lastEpoch).toBeUndefined();
  });
});

describe('validationSplit holds out a seeded fraction of the training rows', () => {
  // x = the row's index, so every row fit trains on names itself.
  const n = 40;
  const indexed = { x: fromData(Float32Array.from({ length: n }, (_, i) => i), [n, 1]), y: fromData(new Float32Array(n), [n, 1]) };
  const still = { ...quiet, loss: 'mse', optimizer: sgd({ lr: 0 }), epochs: 1, batchSize: 64, shuffle: false } as const;
  /** The rows fit trained on (seen through transform) and its validation loss. */
  function trainedRows(options: Partial<FitOptions>): { rows: number[]; valLoss: number | undefined } {
    const rows: number[] = [];
    const transform = (x: Tensor) => (rows.push(...x.data), x);
    const r = fit(model, model.init(0), indexed, { ...still, transform, ...options });
    return { rows, valLoss: r.history.valLoss.get(0) };
  }

  it('round(n · fraction) rows validate, the rest train, in their original order, and no row does both', () => {
    const { rows, valLoss } = trainedRows({ validationSplit: 0.25 });
    expect(rows).toHaveLength(30);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    const held = Array.from({ length: n }, (_, i) => i).filter((i) => !rows.includes(i));
    expect(held).toHaveLength(10);
    // The validation loss is the loss on exactly the held-out rows.
    const heldData = { x: fromData(Float32Array.from(held), [held.length, 1]), y: fromData(new Float32Array(held.length), [held.length, 1]) };
    expect(valLoss).toBe(evaluate(model, model.init(0), heldData, { loss: 'mse' }).loss);
    // Drawn at random, not the last rows as Keras takes them.
    expect(held).not.toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
  });

  it('the same seed holds out the same rows, another seed other rows', () => {
    const rows = (seed: number) => trainedRows({ validationSplit: 0.25, seed }).rows;
    expect(rows(7)).toEqual(rows(7));
    expect(rows(7)).not.toEqual(rows(8));
  });

  it('the split does not change the shuffling: the training rows come as if they were all the data', () => {
    const shuffled = { shuffle: true, batchSize: 4, seed: 3 } as const;
    const kept = trainedRows({ validationSplit: 0.5, seed: 3 }).rows;
    const viaSplit = trainedRows({ ...shuffled, validationSplit: 0.5 }).rows;
    const alone: number[] = [];
    fit(model, model.init(0), { x: fromData(Float32Array.from(kept), [kept.length, 1]), y: fromData(new Float32Array(kept.length), [kept.length, 1]) }, {
      ...still, ...shuffled, transform: (x) => (alone.push(...x.data), x),
    });
    expect(viaSplit).not.toEqual(kept); // shuffled
    expect(viaSplit).toEqual(alone);
  });

  it('early stopping watches the split-off validation loss by default', () => {
    const r = fit(model, model.init(0), indexed, { ...still, optimizer: sgd({ lr: 0.001 }), epochs: 3, validationSplit: 0.2, earlyStopping: true });
    expect(r.history.valLoss.size).toBe(3);
    expect(r.bestEpoch).toBe(argmin(r.history.valLoss.toArray()));
  });

  it.each([
    ['zero', 0, /^fit: validationSplit must be a fraction strictly between 0 and 1 \(the share of training rows held out for validation\), got the number 0$/],
    ['one', 1, /^fit: validationSplit must be a fraction strictly between 0 and 1 .*, got the number 1$/],
    ['a negative fraction', -0.2, /^fit: validationSplit must be a fraction strictly between 0 and 1 .*, got the number -0.2$/],
    ['NaN', NaN, /^fit: validationSplit must be a fraction strictly between 0 and 1 .*, got the number NaN$/],
    ['a string', '0.2', /^fit: validationSplit must be a fraction strictly between 0 and 1 .*, got the string "0.2"$/],
    ['a fraction holding out no row', 0.01, /^fit: validationSplit 0.01 of 40 training rows holds out no rows for validation; use a larger fraction or more data$/],
    ['a fraction leaving no row to train', 0.99, /^fit: validationSplit 0.99 of 40 training rows leaves no rows to train on; use a smaller fraction or more data$/],
  ])('refuses %s', (_, validationSplit, message) => {
    expect(() => fit(model, model.init(0), indexed, { ...still, validationSplit: validationSplit as number })).toThrow(message);
  });

  it('refuses validationSplit together with validation', () => {
    expect(() => fit(model, model.init(0), indexed, { ...still, validationSplit: 0.2, validation: indexed }))
      .toThrow(/^fit: give validation or validationSplit, not both/);
  });
});
