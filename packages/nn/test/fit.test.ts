import { fromData, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { adam, dense, evaluate, fit, mlp, predict, sequential, sgd, type StepInfo } from '../src/index.ts';
import { line, sameBits, spiral } from './helpers.ts';

const quiet = { progress: false, monitor: { onWarning: () => {} } } as const;

describe('fit reaches the targets of the seeded problems', () => {
  it('y = 2x + 1: MSE below 1e-4 within 50 epochs of 4 batches', () => {
    const data = line(64, 1);
    const model = sequential([dense(1)], { inputs: 1 });
    const { params, history } = fit(model, model.init(0), data, { ...quiet, loss: 'mse', optimizer: sgd({ lr: 0.1 }), epochs: 50, batchSize: 16 });
    expect(evaluate(model, params, data, { loss: 'mse' }).loss).toBeLessThan(1e-4);
    expect(params.get('dense0/w')!.item()).toBeCloseTo(2, 2);
    expect(params.get('dense0/b')!.item()).toBeCloseTo(1, 2);
    expect(history.loss.size).toBe(50);
    expect(history.stepLoss.size).toBe(200);
  });

  it('XOR is solved within 300 full-batch steps', () => {
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const model = mlp([2, 8, 1], { hidden: 'tanh', output: 'sigmoid' });
    const { params, history } = fit(model, model.init(3), { x, y }, { ...quiet, loss: 'binaryCrossEntropy', optimizer: adam({ lr: 0.05 }), epochs: 300, batchSize: 4, metrics: ['accuracy'] });
    expect(Array.from(predict(model, params, x).data).map((p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(history.metrics.get('accuracy')!.last()).toBe(1);
    expect(history.loss.last()).toBeLessThan(0.05);
  });

  it('a 3-class spiral reaches ≥ 95% training accuracy within 60 epochs (600 steps)', () => {
    const data = spiral(100, 7);
    const model = mlp([2, 64, 64, 3], { hidden: 'relu', output: 'softmax' });
    const { params, history } = fit(model, model.init(0), data, { ...quiet, loss: 'crossEntropy', optimizer: adam({ lr: 0.01 }), epochs: 60, batchSize: 32, metrics: ['accuracy'] });
    expect(evaluate(model, params, data, { metrics: ['accuracy'] }).metrics.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(history.metrics.get('accuracy')!.last()).toBeGreaterThanOrEqual(0.9);
  });
});

describe('fit mechanics', () => {
  const data = spiral(20, 3); // 60 samples
  const model = mlp([2, 8, 3], { hidden: 'tanh', output: 'softmax' });

  it('the same seed gives bit-identical parameters; another shuffle seed does not', () => {
    const run = (seed: number) => fit(model, model.init(1), data, { ...quiet, loss: 'crossEntropy', optimizer: 'adam', epochs: 3, batchSize: 7, seed }).params;
    const [a, b, c] = [run(5), run(5), run(6)];
    for (const k of a.keys()) expect(sameBits(a.get(k)!, b.get(k)!)).toBe(true);
    expect([...a.keys()].every((k) => sameBits(a.get(k)!, c.get(k)!))).toBe(false);
  });

  it('uses every sample once per epoch, the last partial batch included', () => {
    const sizes: number[] = [];
    const seen: number[] = [];
    fit(model, model.init(0), data, {
      ...quiet, loss: 'crossEntropy', epochs: 2, batchSize: 25,
      callbacks: { onStep: (s: StepInfo) => { sizes.push(s.batch); seen.push(s.step); } },
    });
    expect(sizes).toEqual([0, 1, 2, 0, 1, 2]); // 25 + 25 + 10
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('training with a softmax output runs the fused loss on logits (finite where log(softmax) is not)', () => {
    const big = sequential([dense(3, { activation: 'softmax' })], { inputs: 1 });
    const params = big.init(0).set('dense0/w', tensor([[400, 0, -400]])).set('dense0/b', tensor([0, 0, 0]));
    const x = tensor([[1], [1]]);
    const { history } = fit(big, params, { x, y: [2, 2] }, { ...quiet, loss: 'crossEntropy', optimizer: sgd({ lr: 0 }), epochs: 1, batchSize: 2 });
    expect(history.loss.get(0)).toBeCloseTo(800, 2);
  });

  it('records loss, metrics, validation, lr and per-layer gradient norms in the history', () => {
    const val = spiral(10, 9);
    const { history } = fit(model, model.init(0), data, {
      ...quiet, loss: 'crossEntropy', optimizer: sgd({ lr: (s) => 0.1 / (1 + s) }), epochs: 2, batchSize: 30, metrics: ['accuracy'], validation: val,
    });
    expect(history.valLoss.size).toBe(2);
    expect(history.valMetrics.get('accuracy')!.size).toBe(2);
    expect(history.lr.toArray()).toEqual([expect.closeTo(0.1 / 2, 12), expect.closeTo(0.1 / 4, 12)]);
    expect([...history.gradNorms.get(0)!.keys()]).toEqual(['dense0', 'dense1']);
    expect(history.gradNorms.get(0)!.get('dense1')).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(history.toJS())).loss).toHaveLength(2);
  });

  it('early stopping restores the best epoch', () => {
    const worse = fit(model, model.init(0), data, {
      ...quiet, loss: 'crossEntropy', optimizer: sgd({ lr: 0 }), epochs: 20, batchSize: 60, shuffle: false,
      earlyStopping: { monitor: 'loss', patience: 2 },
    });
    // With lr = 0 the loss never improves: stop after patience epochs (at epoch 2), keep epoch 0.
    expect(worse.history.loss.size).toBe(3);
    expect([worse.bestEpoch, worse.stoppedAt, worse.lastEpoch]).toEqual([0, 2, 2]);
    // Training that overfits a tiny set: validation loss turns up; the returned params are the best epoch's.
    const small = spiral(5, 1);
    const val = spiral(30, 2);
    const big = mlp([2, 64, 64, 3], { hidden: 'relu', output: 'softmax' });
    const run = fit(big, big.init(0), small, {
      ...quiet, loss: 'crossEntropy', optimizer: adam({ lr: 0.05 }), epochs: 200, batchSize: 15, validation: val,
      earlyStopping: { patience: 3 },
    });
    expect(run.stoppedAt).toBeDefined();
    expect(run.stoppedAt).toBe(run.bestEpoch! + 3);
    expect(run.history.loss.size).toBe(run.stoppedAt! + 1);
    const best = evaluate(big, run.params, val, { loss: 'crossEntropy' }).loss!;
    expect(best).toBeCloseTo(run.history.valLoss.min()!, 5);
  });

  it('a step callback can stop mid-epoch; metrics then score only the samples seen', () => {
    // A model that always says class 0, on samples ordered by class: the first 20 are all class 0.
    const params = model.init(0).set('dense1/b', tensor([100, 0, 0]));
    const { history } = fit(model, params, data, {
      ...quiet, loss: 'crossEntropy', optimizer: sgd({ lr: 0 }), epochs: 5, batchSize: 10, shuffle: false, metrics: ['accuracy'],
      callbacks: { onStep: (s) => (s.step === 1 ? 'stop' : undefined) },
    });
    expect(history.stepLoss.size).toBe(2);
    expect(history.loss.size).toBe(1);
    expect(history.metrics.get('accuracy')!.get(0)).toBe(1); // 20/20, not 20/60
  });

  it('a callback can stop training', () => {
    const { history } = fit(model, model.init(0), data, {
      ...quiet, loss: 'crossEntropy', epochs: 10, callbacks: [{ onEpochEnd: (e) => (e.epoch === 1 ? 'stop' : undefined) }],
    });
    expect(history.loss.size).toBe(2);
  });

  it('prints one plain line per epoch when not on a terminal', () => {
    const lines: string[] = [];
    fit(model, model.init(0), data, { loss: 'crossEntropy', epochs: 3, metrics: ['accuracy'], progress: 'lines', log: (l) => lines.push(l), monitor: false });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^epoch 3\/3 - loss \d\.\d{4} - accuracy \d\.\d{4} - \d+\.\d\ds$/);
  });

  it('predict and evaluate work in batches and agree with one big batch', () => {
    const params = model.init(4);
    const all = predict(model, params, data.x, { batchSize: 1000 });
    const batched = predict(model, params, data.x, { batchSize: 7 });
    // Kernels may round a row differently by batch size (1 ulp), never more.
    expect(batched.shape).toEqual(all.shape);
    all.data.forEach((v, i) => expect(batched.data[i]).toBeCloseTo(v, 6));
    const a = evaluate(model, params, data, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 7 });
    const b = evaluate(model, params, data, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 1000 });
    expect(a.loss).toBeCloseTo(b.loss!, 5);
    expect(a.metrics.accuracy).toBe(b.metrics.accuracy);
  });
});

describe('bad fit input', () => {
  const model = mlp([2, 4, 3], { output: 'softmax' });
  const params = model.init(0);
  const x = fromData(new Float32Array(20), [10, 2]);

  it('x and y with different sample counts', () => {
    expect(() => fit(model, params, { x, y: [0, 1, 2] }, { ...quiet, loss: 'crossEntropy' })).toThrow(/x has 10 samples but y has 3/);
  });
  it('batchSize below 1', () => {
    expect(() => fit(model, params, { x, y: new Array(10).fill(0) }, { ...quiet, loss: 'crossEntropy', batchSize: 0 })).toThrow(/batchSize must be a positive integer, got the number 0/);
  });
  it('labels out of range for crossEntropy name the sample and the classes', () => {
    const y = [0, 1, 2, 0, 1, 2, 0, 5, 1, 2];
    expect(() => fit(model, params, { x, y }, { ...quiet, loss: 'crossEntropy' })).toThrow(/label 5 of sample 7 is out of range for the 3 classes of layer 'dense1' \(valid labels 0..2\)/);
  });
  it('input width not matching the first layer', () => {
    expect(() => fit(model, params, { x: fromData(new Float32Array(30), [10, 3]), y: new Array(10).fill(0) }, { ...quiet, loss: 'crossEntropy' }))
      .toThrow(/fit: x has 3 features; layer 'dense0' expects 2 \(x has shape \[10,3\]\)/);
  });
  it('unknown loss, optimiser or metric names list the valid ones; a negative lr is refused', () => {
    const y = new Array(10).fill(0);
    expect(() => fit(model, params, { x, y }, { ...quiet, loss: 'nll' as never })).toThrow(/valid losses: 'mse', 'mae', 'crossEntropy', 'binaryCrossEntropy'/);
    expect(() => fit(model, params, { x, y }, { ...quiet, loss: 'crossEntropy', optimizer: 'adagrad' as never })).toThrow(/valid optimizers: 'sgd', 'adam', 'adamW', 'rmsprop', 'lion'/);
    expect(() => fit(model, params, { x, y }, { ...quiet, loss: 'crossEntropy', metrics: ['f1' as never] })).toThrow(/valid metrics: 'accuracy', 'mse', 'mae', 'r2'/);
    expect(() => fit(model, params, { x, y }, { ...quiet, loss: 'crossEntropy', optimizer: adam({ lr: -1 }) })).toThrow(/learning rate must be a finite number ≥ 0, got the number -1/);
  });
});
