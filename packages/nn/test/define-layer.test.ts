/**
 * defineLayer end to end: user layers (fixtures/user-layers.ts) through sequential, fit, checkpoints,
 * model files and summary; batchNorm's training and evaluation against closed forms; dropout's stream
 * resuming bit for bit; and the bad input of issue 18, each error naming the layer, the shapes and the fix.
 */
import { fromData, mul, Rng, sum, tensor, zeros, type Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import '../../core/test/fixtures/user-ops.ts';
import {
  activationLayer, batchNorm as batchNormLayer, decodeCheckpoint, decodeModel, decodeSafetensors, defineLayer, dense, encodeSafetensors, dropout, encodeCheckpoint, encodeModel, evaluate,
  fit, flatten, fromSpec, layerNorm, predict, reshape, sequential, type FitOptions,
} from '../src/index.ts';
import { runningCentre, scaleShift } from './fixtures/user-layers.ts';
import { sameBits, spiral } from './helpers.ts';

const quiet = { progress: false, monitor: false } as const;

describe('a user-defined layer', () => {
  const model = sequential([scaleShift({ activation: 'swish', name: 'ss' }), runningCentre(), dense(8, { activation: 'swish' }), dense(3, { activation: 'softmax' })], { inputs: 2 });
  const data = spiral(20, 1);

  it('builds, names its params and state, and shows in the summary with its output shape', () => {
    expect([...model.paramShapes.keys()]).toEqual(['ss/gamma', 'ss/beta', 'dense2/w', 'dense2/b', 'dense3/w', 'dense3/b']);
    expect([...model.stateShapes]).toEqual([['runningCentre1/mean', [2]]]);
    const s = model.summary();
    expect(s).toMatch(/ss\s+scaleShift\s+swish\s+\[batch, 2\]\s+4/);
    expect(s).toMatch(/runningCentre1\s+runningCentre\s+\[batch, 2\]\s+0/);
    expect(s).toContain('Layer state: 2 values (runningCentre1/mean)');
  });

  it('trains with fit, its state updated in training and used by evaluate and predict', () => {
    const r = fit(model, model.init(0), data, { ...quiet, loss: 'crossEntropy', epochs: 3, batchSize: 20, optimizer: 'adam' });
    expect(r.history.loss.last()).toBeLessThan(r.history.loss.first()!);
    // Every batch moved the running mean 10% of the way to the batch mean, from 0.
    expect(Math.abs(r.state.get('runningCentre1/mean')!.data[0]!)).toBeGreaterThan(0);
    const p = predict(model, r.params, data.x, { state: r.state });
    const e = evaluate(model, r.params, data, { state: r.state, loss: 'crossEntropy' });
    expect(p.shape).toEqual([60, 3]);
    expect(e.loss).toBeGreaterThan(0);
    expect(() => predict(model, r.params, data.x)).toThrow(/^predict: the model keeps layer state \(runningCentre1\/mean\); pass \{ state \}/);
  });

  it('saves and loads through a checkpoint and a model file, predicting bit for bit the same', () => {
    const r = fit(model, model.init(0), data, { ...quiet, loss: 'crossEntropy', epochs: 2, batchSize: 16 });
    const ckpt = decodeCheckpoint(encodeCheckpoint(model, r));
    expect(ckpt.model.spec.equals(model.spec)).toBe(true);
    expect(sameBits(ckpt.state.get('runningCentre1/mean')!, r.state.get('runningCentre1/mean')!)).toBe(true);
    const file = decodeModel(encodeModel(model, r.params, { state: r.state }));
    const before = predict(model, r.params, data.x, { state: r.state });
    expect(sameBits(predict(file.model, file.params, data.x, { state: file.state }), before)).toBe(true);
    expect(sameBits(predict(ckpt.model, ckpt.params, data.x, { state: ckpt.state }), before)).toBe(true);
    expect(() => encodeModel(model, r.params)).toThrow(/^encodeModel: the model keeps layer state \(runningCentre1\/mean\); pass it too/);
  });

  it('resumes from a checkpoint bit for bit as if never stopped', () => {
    const options: FitOptions = { ...quiet, loss: 'crossEntropy', batchSize: 16 };
    const straight = fit(model, model.init(0), data, { ...options, epochs: 4 });
    const half = fit(model, model.init(0), data, { ...options, epochs: 2 });
    const ckpt = decodeCheckpoint(encodeCheckpoint(model, half));
    const resumed = fit(ckpt.model, ckpt.params, data, { ...options, epochs: 4, resume: ckpt });
    for (const [k, t] of straight.params) expect(sameBits(resumed.params.get(k)!, t), k).toBe(true);
    expect(sameBits(resumed.state.get('runningCentre1/mean')!, straight.state.get('runningCentre1/mean')!)).toBe(true);
  });
});

describe('batchNorm', () => {
  // Two features over a batch of four: means 2.5 and 0, biased variances 1.25 and 5, unbiased 5/3 and 20/3.
  const x = tensor([[1, -3], [2, -1], [3, 1], [4, 3]], { dtype: 'float64' });
  const model = sequential([batchNormLayer({ name: 'bn' })], { inputs: 2, dtype: 'float64' });
  const params = model.init(0);
  const eps = 1e-5;

  it('normalises with the batch statistics in training and updates the running ones as PyTorch (momentum 0.1, unbiased variance)', () => {
    const { y, state } = model.forward(params, x, { training: true, state: model.initState() });
    const want = [[1, -3], [2, -1], [3, 1], [4, 3]].map(([a, b]) => [(a! - 2.5) / Math.sqrt(1.25 + eps), (b! - 0) / Math.sqrt(5 + eps)]);
    [...y.data].forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i]!, 12));
    expect([...state.get('bn/runningMean')!.data]).toEqual([0.1 * 2.5, 0].map((v) => expect.closeTo(v, 14)));
    expect([...state.get('bn/runningVar')!.data]).toEqual([0.9 + 0.1 * 5 / 3, 0.9 + 0.1 * 20 / 3].map((v) => expect.closeTo(v, 14)));
    expect(state.get('bn/numBatchesTracked')!.item()).toBe(1);
  });

  it('uses the running statistics in evaluation and leaves them alone', () => {
    const state = model.initState().set('bn/runningMean', tensor([1, -1], { dtype: 'float64' })).set('bn/runningVar', tensor([4, 0.25], { dtype: 'float64' }));
    const r = model.forward(params.set('bn/gamma', tensor([2, 1], { dtype: 'float64' })).set('bn/beta', tensor([0, 10], { dtype: 'float64' })), x, { state });
    const want = [[1, -3], [2, -1], [3, 1], [4, 3]].map(([a, b]) => [2 * (a! - 1) / Math.sqrt(4 + eps), (b! + 1) / Math.sqrt(0.25 + eps) + 10]);
    [...r.y.data].forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i]!, 12));
    expect(r.state.get('bn/runningMean')).toBe(state.get('bn/runningMean'));
  });

  it('normalises each channel of [batch, C, H, W] over the batch and the pixels', () => {
    const images = sequential([batchNormLayer({ name: 'bn' })], { inputShape: [2, 2, 2], dtype: 'float64' });
    const xs = fromData(Float64Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i * 1.7) * 3), [3, 2, 2, 2]);
    const { y, state } = images.forward(images.init(0), xs, { training: true, state: images.initState() });
    const rows = y.toArray() as number[][][][];
    for (const c of [0, 1]) {
      const values = rows.flatMap((sample) => sample[c]!.flat());
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      expect(m).toBeCloseTo(0, 12);
      expect(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length).toBeCloseTo(1, 4);
    }
    expect(state.get('bn/runningMean')!.shape).toEqual([2]);
  });

  it('fit trains it (batch statistics) and predict uses the running ones; a saved model predicts the same', () => {
    const m = sequential([dense(16, { activation: 'relu' }), batchNormLayer(), dense(3, { activation: 'softmax' })], { inputs: 2 });
    const data = spiral(30, 2);
    const r = fit(m, m.init(0), data, { ...quiet, loss: 'crossEntropy', epochs: 5, batchSize: 30 });
    expect(r.state.get('batchNorm1/numBatchesTracked')!.item()).toBe(15);
    const back = decodeModel(encodeModel(m, r.params, { state: r.state }));
    expect(sameBits(predict(back.model, back.params, data.x, { state: back.state }), predict(m, r.params, data.x, { state: r.state }))).toBe(true);
  });
});

describe('dropout', () => {
  const model = sequential([dense(32, { activation: 'relu' }), dropout({ rate: 0.5 }), dense(3, { activation: 'softmax' })], { inputs: 2 });
  const data = spiral(20, 3);

  it('drops and rescales in training, and is the identity in evaluation', () => {
    const d = sequential([dropout({ rate: 0.25 })], { inputs: 1000, dtype: 'float64' });
    const ones = fromData(new Float64Array(2000).fill(1), [2, 1000]);
    const y = d.apply(d.init(0), ones, { training: true, rng: new Rng(0) });
    const kept = [...y.data].filter((v) => v !== 0);
    expect(kept.every((v) => v === 1 / 0.75)).toBe(true);
    expect(kept.length / 2000).toBeGreaterThan(0.7);
    expect(kept.length / 2000).toBeLessThan(0.8);
    expect(sameBits(d.apply(d.init(0), ones), ones)).toBe(true);
    expect(() => d.apply(d.init(0), ones, { training: true })).toThrow(/^layer 'dropout0' \(dropout\): in training mode dropout draws from an rng/);
  });

  it('its masks come from fit\'s dropout stream, which resumes with the checkpoint bit for bit', () => {
    const options: FitOptions = { ...quiet, loss: 'crossEntropy', batchSize: 16, seed: 4 };
    const straight = fit(model, model.init(0), data, { ...options, epochs: 4 });
    const half = fit(model, model.init(0), data, { ...options, epochs: 2 });
    const resumed = fit(model, half.params, data, { ...options, epochs: 4, resume: decodeCheckpoint(encodeCheckpoint(model, half)) });
    for (const [k, t] of straight.params) expect(sameBits(resumed.params.get(k)!, t), k).toBe(true);
    // Another seed draws other masks (the shuffle too), so the run is not the same.
    const other = fit(model, model.init(0), data, { ...options, epochs: 4, seed: 5 });
    expect(sameBits(other.params.get('dense2/w')!, straight.params.get('dense2/w')!)).toBe(false);
  });

  it('a checkpoint written before the dropout stream existed still resumes', () => {
    const half = fit(model, model.init(0), data, { ...quiet, loss: 'crossEntropy', batchSize: 16, epochs: 1 });
    const { dropout: _dropped, ...older } = half.rng;
    const r = fit(model, half.params, data, { ...quiet, loss: 'crossEntropy', batchSize: 16, epochs: 2, resume: { ...half, rng: older } });
    expect(r.epochsDone).toBe(2);
  });
});

describe('models on shaped inputs', () => {
  it('flatten, reshape and layerNorm take inputs of any rank, and fit and predict accept [samples, ...inputShape]', () => {
    const model = sequential([flatten(), dense(6, { activation: 'tanh' }), reshape({ shape: [2, 3] }), layerNorm(), flatten(), dense(2)], { inputShape: [2, 2] });
    expect(model.layers.map((l) => l.outputShape)).toEqual([[4], [6], [2, 3], [2, 3], [6], [2]]);
    expect(model.summary()).toMatch(/reshape2\s+reshape\s+\[batch, 2, 3\]\s+0/);
    const x = fromData(Float32Array.from({ length: 40 }, (_, i) => Math.cos(i)), [10, 2, 2]);
    const y = fromData(Float32Array.from({ length: 20 }, (_, i) => Math.sin(i)), [10, 2]);
    const r = fit(model, model.init(0), { x, y }, { ...quiet, loss: 'mse', epochs: 20, batchSize: 10, optimizer: 'adam' });
    expect(r.history.loss.last()).toBeLessThan(r.history.loss.first()!);
    expect(predict(model, r.params, x).shape).toEqual([10, 2]);
    expect(fromSpec(JSON.parse(JSON.stringify(model.toJSON()))).spec.equals(model.spec)).toBe(true);
    expect(model.toJSON()).toMatchObject({ inputShape: [2, 2] });
  });

  it('keeps the JSON of a dense model as files written before layers had shapes', () => {
    const model = sequential([dense(3, { activation: 'relu', name: 'h' }), dense(1)], { inputs: 2 });
    expect(model.toJSON()).toEqual({
      kind: 'sequential', inputs: 2, dtype: 'float32',
      layers: [
        { kind: 'dense', units: 3, activation: 'relu', init: 'auto', useBias: true, name: 'h' },
        { kind: 'dense', units: 1, activation: 'linear', init: 'auto', useBias: true, name: 'dense1' },
      ],
    });
  });

  it('a dense layer may name a user op as its activation, and an activation layer any unary op', () => {
    const model = sequential([dense(2, { activation: 'swish' }), activationLayer('swish'), activationLayer('softmax')], { inputs: 2, dtype: 'float64' });
    expect(model.outputActivation).toBe('softmax');
    const x = tensor([[0.5, -1]], { dtype: 'float64' });
    const p = model.init(0);
    const z = x.matmul(p.get('dense0/w')!).add(p.get('dense0/b')!);
    const swish = (t: Tensor) => mul(t, t.sigmoid());
    const want = swish(swish(z)).softmax(-1);
    expect([...model.apply(p, x).data]).toEqual([...want.data].map((v) => expect.closeTo(v, 12)));
    // The logits skip the last layer's activation only.
    expect([...model.apply(p, x, { logits: true }).data]).toEqual([...swish(swish(z)).data].map((v) => expect.closeTo(v, 12)));
  });
});

describe('bad input names the layer, the shapes and the fix', () => {
  it.each([
    ['zero units', () => dense(0), /^dense: units must be a positive integer, got the number 0$/],
    ['fractional units', () => dense(2.5, { name: 'h' }), /^dense 'h': units must be a positive integer, got the number 2.5$/],
    ['an unknown activation', () => dense(3, { activation: 'swishh' }), /^dense: unknown activation "swishh"; valid activations: 'relu', .*registered with defineOp/],
    ['an op of two inputs as an activation', () => activationLayer('add'), /^activation: unknown activation "add": the op 'add' takes 2 inputs, an activation takes one/],
    ['an unknown option', () => dense(3, { units2: 4 } as never), /^dense: unknown option 'units2'; valid options: 'units', 'activation', 'init', 'useBias', 'name', 'trainable'$/],
    ['a dropout rate of 1', () => dropout({ rate: 1 }), /^dropout: rate must be a number in \[0, 1\), got the number 1$/],
    ['a reshape to a zero size', () => reshape({ shape: [0, 3] }), /^reshape: shape must be a non-empty list of positive integers/],
    ['a string for trainable', () => dense(3, { trainable: 'no' as never }), /^dense: trainable must be true or false, got the string "no"$/],
    ['a dense layer on images', () => sequential([dense(3)], { inputShape: [28, 28] }),
      /^layer 'dense0' \(dense\) does not fit its input \[28,28\]: dense takes one sample as a vector of features \[features\], not \[28,28\]; put a flatten\(\) before it$/],
    ['a reshape of the wrong size', () => sequential([dense(6), reshape({ shape: [4, 2] })], { inputs: 3 }),
      /^layer 'reshape1' \(reshape\) does not fit its input \[6\]: reshape to \[4,2\] needs 8 values per sample, but the input \[6\] has 6/],
    ['x of the wrong rank', () => { const m = sequential([flatten(), dense(2)], { inputShape: [2, 3] }); return m.apply(m.init(0), zeros([4, 6])); },
      /^model.apply: layer 'flatten0' expects x of shape \[batch, 2, 3\], got \[4,6\]$/],
    ['fit on x of the wrong shape', () => { const m = sequential([flatten(), dense(2)], { inputShape: [2, 3] }); return fit(m, m.init(0), { x: zeros([4, 3, 2]), y: zeros([4, 2]) }, { ...quiet, loss: 'mse' }); },
      /^fit: x has shape \[4,3,2\]; layer 'flatten0' expects \[samples, 2, 3\]$/],
    ['a stateful model applied without its state', () => { const m = sequential([batchNormLayer()], { inputs: 2 }); return m.apply(m.init(0), zeros([2, 2])); },
      /^model.apply: layers 'batchNorm0' keep state \(batchNorm0\/runningMean, batchNorm0\/runningVar, batchNorm0\/numBatchesTracked\); pass \{ state \}/],
    ['a layer named state', () => sequential([dense(2, { name: 'state' })], { inputs: 1 }), /^sequential: a layer may not be named 'state'/],
  ])('%s', (_name, f, message) => {
    expect(f).toThrow(message);
  });

  it('a layer whose apply returns another shape than it declares', () => {
    const summed = defineLayer({
      kind: 'badSum',
      config: () => ({}),
      outputShape: (_c, shape) => shape,
      apply: (_p, _s, x) => ({ y: sum(x, -1, true) }),
    });
    const m = sequential([dense(3), summed()], { inputs: 2 });
    expect(() => m.apply(m.init(0), zeros([5, 2]))).toThrow(
      "layer 'badSum1' (badSum): apply() returned y of shape [5,1] for x of shape [5,3], but its outputShape() says [5,3]; make the two agree",
    );
  });

  it('a checkpoint or model file with an unregistered kind says to define it before loading', () => {
    const json = { kind: 'sequential', inputs: 2, dtype: 'float32', layers: [{ kind: 'conv9', name: 'c' }] };
    expect(() => fromSpec(json as never)).toThrow(/^fromSpec: layer 0 has unknown kind "conv9"; register it with defineLayer\(\{ kind: "conv9", … \}\) before loading \(registered kinds: 'dense', /);
  });

  it('a checkpoint whose spec names a kind this program has not defined says which, and to define it first', () => {
    const model = sequential([dense(2, { name: 'h' })], { inputs: 2 });
    const r = fit(model, model.init(0), { x: zeros([4, 2]), y: zeros([4, 2]) }, { ...quiet, loss: 'mse', epochs: 1 });
    const { tensors, metadata } = decodeSafetensors(encodeCheckpoint(model, r));
    const spec = JSON.parse(metadata.spec!);
    spec.layers[0].kind = 'residualDense';
    const bytes = encodeSafetensors(tensors, { ...metadata, spec: JSON.stringify(spec) });
    expect(() => decodeCheckpoint(bytes, { source: 'run.safetensors' })).toThrow(
      /^run.safetensors: __metadata__\['spec'\] does not describe a model: fromSpec: layer 0 has unknown kind "residualDense"; register it with defineLayer\(\{ kind: "residualDense", … \}\) before loading/,
    );
  });
});
