import { fromData, log, randn, Rng, tensor, type Tensor } from '@chainrule/core';
import { OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { adam, defaultMonitorOptions, fit, gradientMonitor, layerNorms, mlp, NonFiniteError, sgd, type GradientWarning } from '../src/index.ts';
import { LayerHistory } from '../src/norm-history.ts';
import { line } from './helpers.ts';

describe('gradient health monitor', () => {
  it('a 10-layer sigmoid net triggers the vanishing warning, naming layer, step and norm', () => {
    const r = new Rng(2);
    const x = randn([64, 4], { rng: r });
    const y = randn([64, 1], { rng: r });
    const model = mlp([4, ...new Array(9).fill(16), 1], { hidden: 'sigmoid' });
    const warnings: GradientWarning[] = [];
    fit(model, model.init(0), { x, y }, { loss: 'mse', optimizer: sgd({ lr: 0.01 }), epochs: 3, batchSize: 32, progress: false, monitor: { onWarning: (w) => warnings.push(w) } });
    const vanishing = warnings.filter((w) => w.kind === 'vanishing');
    expect(vanishing.map((w) => w.layer)).toContain('dense0');
    const first = vanishing.find((w) => w.layer === 'dense0')!;
    expect(first.step).toBe(0);
    expect(first.message).toMatch(/vanishing gradient: layer 'dense0' has gradient norm \d\.\d\de-\d+ at step 0/);
    expect(first.norm).toBeLessThan(1e-4);
    // Once per layer and kind, although every one of the 6 steps is as bad.
    expect(new Set(warnings.map((w) => `${w.kind}:${w.layer}`)).size).toBe(warnings.length);
    expect(warnings.some((w) => w.kind === 'ratio' && /between the first layer 'dense0'.*and the last layer 'dense9'/.test(w.message))).toBe(true);
  });

  it('a healthy shallow net gives no warnings', () => {
    const warnings: GradientWarning[] = [];
    const model = mlp([1, 8, 1], { hidden: 'tanh' });
    fit(model, model.init(0), line(32, 0), { loss: 'mse', optimizer: sgd({ lr: 0.05 }), epochs: 5, batchSize: 8, progress: false, monitor: { onWarning: (w) => warnings.push(w) } });
    expect(warnings).toEqual([]);
  });

  it('a too-large learning rate triggers the exploding warning: a norm far above the layer’s own recent median', () => {
    const warnings: GradientWarning[] = [];
    const model = mlp([1, 16, 1], { hidden: 'relu' });
    const run = () => fit(model, model.init(0), line(32, 0), { loss: 'mse', optimizer: sgd({ lr: 5 }), epochs: 5, batchSize: 8, progress: false, monitor: { onWarning: (w) => warnings.push(w) } });
    expect(run).toThrow(NonFiniteError); // the divergence goes on to overflow
    const exploding = warnings.filter((w) => w.kind === 'exploding');
    expect(exploding.length).toBeGreaterThan(0);
    expect(exploding[0]!.step).toBeGreaterThanOrEqual(defaultMonitorOptions.warmup);
    expect(exploding[0]!.message).toMatch(/exploding gradient: layer 'dense\d' has gradient norm .* at step \d+, [\d.e+]+x the median of its last steps \(.*; bound 100x\) and above its largest before/);
  });

  it('unscaled regression targets (~150) give large but steady norms: no exploding warning', () => {
    const r = new Rng(3);
    const n = 256;
    const xs = Float32Array.from({ length: n * 3 }, () => r.uniform() * 2 - 1);
    const ys = Float32Array.from({ length: n }, (_, i) => 150 + 20 * xs[i * 3]! - 10 * xs[i * 3 + 1]! + 5 * xs[i * 3 + 2]! ** 2);
    const model = mlp([3, 32, 32, 1], { hidden: 'relu' });
    const warnings: GradientWarning[] = [];
    const { history } = fit(model, model.init(0), { x: fromData(xs, [n, 3]), y: fromData(ys, [n, 1]) }, {
      loss: 'mse', optimizer: adam({ lr: 0.01 }), epochs: 20, batchSize: 32, progress: false, monitor: { onWarning: (w) => warnings.push(w) },
    });
    // Every layer's norm is far above what an absolute bound of 1e3 would allow, and nothing is wrong.
    expect(Math.max(...history.stepGradNorms.get('dense2')!.toArray())).toBeGreaterThan(1e3);
    expect(history.loss.last()).toBeLessThan(history.loss.first()!);
    expect(warnings.filter((w) => w.kind === 'exploding')).toEqual([]);
  });

  it('the exploding warning is relative to each layer: one spike after steady steps is named, once', () => {
    const warnings: GradientWarning[] = [];
    const m = gradientMonitor({ onWarning: (w) => warnings.push(w) });
    const grads = (a: number, b: number) => OrderedMap({ 'big/w': tensor([a]), 'small/w': tensor([b]) });
    for (let step = 0; step < 10; step++) m.check(step, 1, grads(5, 0.01));
    expect(warnings).toEqual([]);
    m.check(10, 1, grads(6, 5)); // 'big' moves 1.2x; 'small' jumps 500x its own median
    expect(warnings.map((w) => `${w.kind}:${w.layer}:${w.step}`)).toEqual(['exploding:small:10']);
  });

  it('a late spike no larger than what the layer had early on is not exploding', () => {
    const warnings: GradientWarning[] = [];
    const m = gradientMonitor({ onWarning: (w) => warnings.push(w) });
    const grads = (a: number) => OrderedMap({ 'a/w': tensor([a]) });
    m.check(0, 1, grads(1));
    for (let step = 1; step < 40; step++) m.check(step, 1, grads(1e-4)); // converged: norms settle low
    m.check(40, 1, grads(0.5)); // 5000x the median, but half of what the layer had at step 0
    expect(warnings.filter((w) => w.kind === 'exploding')).toEqual([]);
  });

  it('monitor options are checked', () => {
    expect(() => gradientMonitor({ warmup: 30, window: 20 })).toThrow(/warmup \(30\) must not exceed window \(20\)/);
    expect(() => gradientMonitor({ explodingFactor: -1 })).toThrow(/gradientMonitor: explodingFactor must be a finite number ≥ 0, got the number -1/);
  });

  it('a loss with log(0) stops training with the parameter and step', () => {
    const model = mlp([1, 4, 1], { hidden: 'relu', output: 'relu' });
    // Bias −100 makes the relu output exactly 0 for these inputs from step 0 on: log(0) = −Inf.
    const params = model.init(0).set('dense1/b', tensor([-100]));
    const logLoss = (pred: Tensor) => log(pred).neg().mean();
    let err: unknown;
    try {
      fit(model, params, line(8, 0), { loss: logLoss, optimizer: sgd({ lr: 0.1 }), epochs: 1, batchSize: 4, progress: false });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NonFiniteError);
    const e = err as NonFiniteError;
    expect(e.step).toBe(0);
    expect(e.message).toMatch(/training stopped at step 0: loss is Infinity; gradient of 'dense\d\/[wb]' is NaN at flat index \d+/);
    expect(e.parameter).toMatch(/^dense\d\/[wb]$/);
  });

  it('a NaN gradient with a finite loss is named too', () => {
    const m = gradientMonitor({ onWarning: () => {} });
    const grads = OrderedMap({ 'a/w': tensor([1, 2]), 'b/w': tensor([0, Number.NaN, 1]) });
    expect(() => m.check(17, 0.5, grads)).toThrow(/step 17: loss is 0.5 but the gradient of 'b\/w' is NaN at flat index 1/);
  });

  it('layerNorms sums squares over each layer’s parameters', () => {
    const norms = layerNorms(OrderedMap({ 'a/w': tensor([3]), 'a/b': tensor([4]), 'b/w': tensor([1, 1, 1, 1]) }));
    expect(norms.toJS()).toEqual({ a: 5, b: 2 });
  });
});

describe('gradient monitor on grads of another layout', () => {
  it('one monitor given the grads of two models names each model’s layers (its layer layout is worked out again)', () => {
    const m = gradientMonitor({ onWarning: () => {} });
    const one = m.check(0, 1, OrderedMap({ 'a/w': tensor([3]), 'a/b': tensor([4]) }));
    const two = m.check(1, 1, OrderedMap({ 'x/w': tensor([6]), 'y/w': tensor([1, 1, 1, 1]), 'x/b': tensor([8]) }));
    const three = m.check(2, 1, OrderedMap({ 'a/w': tensor([3]), 'a/b': tensor([4]) }));
    expect([one.toJS(), two.toJS(), three.toJS()]).toEqual([{ a: 5 }, { x: 10, y: 2 }, { a: 5 }]);
    expect([...two.keys()]).toEqual(['x', 'y']);
  });
});

describe('a layer\'s norm history', () => {
  const naiveMedian = (xs: readonly number[]) => {
    const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };

  it('slides: its median is that of the last `window` norms, its largest the largest ever, at every step', () => {
    const r = new Rng(5);
    for (const window of [1, 2, 3, 7, 50]) {
      const h = new LayerHistory(window), all: number[] = [];
      for (let step = 0; step < 400; step++) {
        // Repeated values and Infinity too (float64 gradients can overflow the sum), rising and falling.
        const u = r.uniform();
        const norm = u < 0.2 ? 1 : u < 0.25 ? Infinity : u < 0.3 ? 0 : r.uniform() * 10 ** Math.floor(r.uniform() * 6 - 3);
        h.add(norm);
        all.push(norm);
        const last = all.slice(-window);
        expect([h.count, h.median(), h.largest]).toEqual([last.length, naiveMedian(last), Math.max(...all)]);
      }
    }
  });
});
