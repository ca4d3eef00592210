/**
 * Training reuses buffers (core's `reusing`): after a run's first steps a step makes no new buffers,
 * with a built-in loss or a custom one declared pure, and the reuse is invisible — the same run with a
 * custom loss not declared pure (which turns the reuse of its intermediates off) gives the same bits,
 * and nothing the caller or a callback holds (initial params, optimiser state, earlier results) changes.
 */
import { noGrad, reusing, tensor, type Tensor } from '@chainrule/core';
import { bufferStats } from '@chainrule/core/backend';
import { describe, expect, it } from 'vitest';
import { adam, crossEntropy, evaluate, fit, makeTrainStep, mlp, predict, sgd, type Loss } from '../src/index.ts';
import type { Target } from '../src/targets.ts';
import { sameBits, spiral } from './helpers.ts';

const quiet = { progress: false, monitor: { onWarning: () => {} } } as const;
/** The built-in loss (still fused with softmax) behind a wrapper not declared pure: what it is given and makes is never reused. */
const wrapped = Object.assign((pred: Tensor, target: Target) => crossEntropy(pred, target), { fused: 'softmax' as const }) as Loss;
/** The same, declared pure. */
const declared = Object.assign((pred: Tensor, target: Target) => crossEntropy(pred, target), { fused: 'softmax' as const, pure: true }) as Loss;

/** Bytes of fresh buffers that `fn` makes. */
const freshBytes = (fn: () => void): number => {
  const before = bufferStats().freshBytes;
  fn();
  return bufferStats().freshBytes - before;
};

describe('buffer reuse in training', () => {
  const data = spiral(40, 5); // 120 samples
  const model = mlp([2, 128, 64, 3], { hidden: 'relu', output: 'softmax' });

  for (const [name, loss] of [['the built-in loss', 'crossEntropy'], ['a custom loss declared pure', declared]] as const) {
    it(`with ${name}, a fit step allocates no new buffers after a run's first steps`, () => {
      const params = model.init(1);
      const run = (epochs: number) => fit(model, params, data, { ...quiet, loss, optimizer: adam({ lr: 0.01 }), epochs, batchSize: 16 });
      run(1);
      const before = bufferStats();
      const short = freshBytes(() => run(3)); // 24 steps
      const long = freshBytes(() => run(6)); // 48 steps
      // Each step needs ~30 buffers, all reused: 24 more steps cost nothing. A run's first two steps
      // make the params and state they hand on (the caller's are never reused).
      expect(bufferStats().reused - before.reused).toBeGreaterThan(72 * 25);
      expect(long).toBe(short);
    });
  }

  it('gives bit-identical parameters with and without reuse', () => {
    for (const optimizer of [sgd({ lr: 0.05, momentum: 0.9 }), adam({ lr: 0.01 })]) {
      const opts = { ...quiet, optimizer, epochs: 3, batchSize: 16, seed: 2 };
      const s0 = bufferStats().reused;
      const a = fit(model, model.init(4), data, { ...opts, loss: 'crossEntropy' });
      const s1 = bufferStats().reused;
      const b = fit(model, model.init(4), data, { ...opts, loss: wrapped });
      // Without reuse inside the step only fit's own recycling (params, state, gradients) is left.
      expect(bufferStats().reused - s1).toBeLessThan(s1 - s0);
      for (const [k, p] of a.params) expect(sameBits(p, b.params.get(k)!), k).toBe(true);
      for (const [k, p] of a.optState.slots.get(optimizer.name === 'adam' ? 'm' : 'velocity')!) {
        expect(sameBits(p, b.optState.slots.get(optimizer.name === 'adam' ? 'm' : 'velocity')!.get(k)!), k).toBe(true);
      }
    }
  });

  it('params a callback saw or early stopping kept never change; the rest are reused', () => {
    const seenAtStep: { copy: Float32Array[]; params: Tensor[] }[] = [];
    const seenAtEpoch: { copy: Float32Array[]; params: Tensor[] }[] = [];
    const keep = (list: typeof seenAtStep, params: Iterable<Tensor>) => {
      const ps = [...params];
      list.push({ params: ps, copy: ps.map((t) => Float32Array.from(t.data)) });
    };
    fit(model, model.init(7), data, {
      ...quiet, loss: 'crossEntropy', optimizer: adam({ lr: 0.01 }), epochs: 3, batchSize: 16,
      callbacks: [{ onStep: (s) => { if (s.batch === 2) keep(seenAtStep, s.params.values()); } }, { onEpochEnd: (e) => keep(seenAtEpoch, e.params.values()) }],
      earlyStopping: { patience: 1 },
    });
    for (const seen of [...seenAtStep, ...seenAtEpoch]) {
      seen.params.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(seen.copy[i]!)));
    }
  });

  it('with only an epoch-end callback and a transform, a step still allocates no new buffers', () => {
    const params = model.init(8);
    const opts = {
      ...quiet, loss: 'crossEntropy' as const, optimizer: adam({ lr: 0.01 }), batchSize: 16,
      callbacks: { onEpochEnd: () => undefined }, transform: (x: Tensor) => x.mul(1),
    };
    fit(model, params, data, { ...opts, epochs: 1 });
    const short = freshBytes(() => fit(model, params, data, { ...opts, epochs: 3 }));
    const long = freshBytes(() => fit(model, params, data, { ...opts, epochs: 6 }));
    // The params the callback sees at each epoch's end have escaped, so each epoch makes one set fresh
    // (and the transform's output, 32 values here, is too small to be pooled); no step does.
    const paramBytes = [...params.values()].reduce((s, t) => s + t.data.byteLength, 0);
    expect(long - short).toBeLessThanOrEqual(3 * paramBytes);
    expect(long - short).toBeGreaterThan(0);
  });

  it('a transform not declared pure may keep the batches it is given and the tensors it makes', () => {
    const seen: { t: Tensor; copy: number[] }[] = [];
    const transform = (x: Tensor) => {
      const y = x.mul(2);
      seen.push({ t: x, copy: Array.from(x.data) }, { t: y, copy: Array.from(y.data) });
      return y;
    };
    // Batches of 40 rows: 80 values, big enough to be pooled.
    fit(model, model.init(11), data, { ...quiet, loss: 'crossEntropy', optimizer: adam({ lr: 0.01 }), epochs: 3, batchSize: 40, transform });
    expect(seen).toHaveLength(2 * 9);
    for (const { t, copy } of seen) expect(Array.from(t.data)).toEqual(copy);
  });

  it('evaluate and predict in batches reuse their buffers and give what one whole batch gives', () => {
    const params = model.init(9);
    const opts = { loss: 'crossEntropy' as const, metrics: ['accuracy' as const], batchSize: 16 };
    const first = evaluate(model, params, data, opts);
    const before = bufferStats();
    const again = evaluate(model, params, data, opts);
    const preds = predict(model, params, data.x, { batchSize: 16 });
    const after = bufferStats();
    // 8 batches each: the output rows (1.4 KB) are made once per call; nothing per batch.
    expect(after.freshBytes - before.freshBytes).toBeLessThan(2 * 4096);
    expect(again).toEqual(first);
    const whole = evaluate(model, params, data, { ...opts, batchSize: 1000 });
    expect(first.metrics.accuracy).toBe(whole.metrics.accuracy);
    expect(first.loss!).toBeCloseTo(whole.loss!, 5);
    // Equal up to float32 rounding: a batch under 32 values takes the reference softmax, others the wasm one.
    const wholePreds = predict(model, params, data.x, { batchSize: 1000 });
    preds.data.forEach((v, i) => expect(Math.abs(v - wholePreds.data[i]!)).toBeLessThanOrEqual(1e-6));
  });

  it('evaluate with a custom loss reuses nothing, so tensors the loss kept stay as they were', () => {
    const params = model.init(10);
    const kept: { t: Tensor; copy: Float32Array }[] = [];
    const keeping = Object.assign((pred: Tensor, target: Target) => {
      const l = crossEntropy(pred, target);
      kept.push({ t: pred, copy: Float32Array.from(pred.data) });
      return l;
    }, { fused: 'softmax' as const }) as Loss;
    // Batches of 40 rows: 120 logits each, big enough to be pooled.
    const a = evaluate(model, params, data, { loss: keeping, batchSize: 40 });
    evaluate(model, params, data, { loss: 'crossEntropy', batchSize: 40 }); // would overwrite reused buffers
    expect(kept).toHaveLength(3);
    for (const { t, copy } of kept) expect(Array.from(t.data)).toEqual(Array.from(copy));
    expect(a.loss!).toBeCloseTo(evaluate(model, params, data, { loss: 'crossEntropy', batchSize: 40 }).loss!, 6);
  });

  it('never changes what the caller holds: initial params, an optimiser state, earlier step results', () => {
    const params = model.init(6);
    const copies = params.map((p) => Float32Array.from(p.data));
    const opt = adam({ lr: 0.01 });
    const state = opt.init(params);
    const step = makeTrainStep(model, { loss: 'crossEntropy', optimizer: opt });
    const first = step(params, state, { x: data.x, y: data.y });
    const firstCopy = { grads: first.grads.map((g) => Float32Array.from(g.data)), output: Float32Array.from(first.output.data) };
    let r = first;
    for (let i = 0; i < 5; i++) r = step(r.params, r.optState, { x: data.x, y: data.y });
    fit(model, params, data, { ...quiet, loss: 'crossEntropy', optimizer: opt, optState: state, epochs: 2, batchSize: 16 });
    for (const [k, p] of params) expect(Array.from(p.data)).toEqual(Array.from(copies.get(k)!));
    for (const [k, g] of first.grads) expect(Array.from(g.data)).toEqual(Array.from(firstCopy.grads.get(k)!));
    expect(Array.from(first.output.data)).toEqual(Array.from(firstCopy.output));
    for (const slot of state.slots.values()) for (const t of slot.values()) expect(t.data.every((v) => v === 0)).toBe(true);
  });

  it("makeTrainStep's output is the softmax of the step's logits, run only when read: a loop that never reads it never runs it", () => {
    const opt = sgd({ lr: 0.1 });
    let activations = 0;
    const counted = { ...model, activateOutput: (logits: Tensor) => { activations++; return model.activateOutput(logits); } };
    const step = makeTrainStep(counted, { loss: 'crossEntropy', optimizer: opt });
    // The peers' loop: last step's params and state donated, the output never read.
    const loop = reusing((p: typeof params, s: ReturnType<typeof opt.init>) => {
      const r = step(p, s, { x: data.x, y: data.y });
      return { params: r.params, optState: r.optState };
    }, { pure: true, donate: [0, 1] });
    const params = model.init(3);
    let r = loop(params, opt.init(params));
    for (let i = 0; i < 3; i++) r = loop(r.params, r.optState);
    expect(activations).toBe(0);
    const last = step(r.params, r.optState, { x: data.x, y: data.y });
    const want = noGrad(() => model.apply(r.params, data.x));
    for (let i = 0; i < 2; i++) step(last.params, last.optState, { x: data.x, y: data.y }); // its logits stay, unreused
    expect(sameBits(last.output, want)).toBe(true);
    expect(activations).toBe(1);
    // Each read runs the activation again and gives a tensor of its own; the other fields are plain properties.
    const again = last.output;
    expect(activations).toBe(2);
    expect(sameBits(again, want)).toBe(true);
    expect(Object.keys(last)).toEqual(expect.arrayContaining(['params', 'optState', 'loss', 'grads', 'state']));
  });

  it('a reused buffer starts zeroed, like a fresh one', () => {
    const x = tensor(Array.from({ length: 100 }, (_, i) => i + 1));
    const opt = sgd({ lr: 0.1 });
    const small = mlp([2, 100, 3], { hidden: 'relu', output: 'softmax' });
    const step = makeTrainStep(small, { loss: 'crossEntropy', optimizer: opt });
    let r = step(small.init(1), opt.init(small.init(1)), { x: data.x, y: data.y });
    r = step(r.params, r.optState, { x: data.x, y: data.y });
    // pad writes only inside its window: it relies on a zeroed output buffer.
    const padded = x.reshape([10, 10]).pad([1, 1], [1, 1]);
    expect(padded.sum().item()).toBe(5050);
    expect(Array.from(padded.data.slice(0, 12))).toEqual(Array(12).fill(0));
  });
});
