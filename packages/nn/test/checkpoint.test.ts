import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randn, type Tensor } from '@chainrule/core';
import { List, OrderedMap } from 'immutable';
import { afterAll, describe, expect, it } from 'vitest';
import {
  adam, CHECKPOINT_FORMAT, decodeCheckpoint, decodeSafetensors, encodeCheckpoint, encodeModel, encodeSafetensors, fit, History, mlp, sgd,
  type FitOptions, type FitResult, type TrainingState,
} from '../src/index.ts';
import { checkpointEvery, loadCheckpoint, loadModel, saveCheckpoint } from '../src/node.ts';
import { sameBits, spiral } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = mlp([2, 8, 3], { output: 'softmax' });
const data = spiral(20, 1);
const options: FitOptions = {
  loss: 'crossEntropy', optimizer: adam({ lr: (step) => 0.02 / (1 + step / 10) }), batchSize: 16, seed: 9, metrics: ['accuracy'],
  validation: spiral(5, 2), progress: false, monitor: { onWarning: () => {} },
};
const trained = fit(model, model.init(1), data, { ...options, epochs: 2 });

function expectSameState(a: TrainingState, b: TrainingState): void {
  expect([...b.params.keys()]).toEqual([...a.params.keys()]);
  for (const [k, t] of a.params) expect(sameBits(b.params.get(k)!, t), k).toBe(true);
  expect([...b.optState.slots.keys()]).toEqual([...a.optState.slots.keys()]);
  for (const [slot, values] of a.optState.slots) for (const [k, t] of values) expect(sameBits(b.optState.slots.get(slot)!.get(k)!, t), `${slot}/${k}`).toBe(true);
  expect(b.optState.step).toBe(a.optState.step);
  expect(b.epochsDone).toBe(a.epochsDone);
  expect(b.rng).toEqual(a.rng);
  expect(b.history.equals(a.history)).toBe(true);
}

/** The header of safetensors bytes, rewritten by `edit` (tensors kept as they are). */
function withMetadata(bytes: Uint8Array, edit: (m: Record<string, string>) => void, tensors?: (t: OrderedMap<string, Tensor>) => OrderedMap<string, Tensor>): Uint8Array {
  const { tensors: t, metadata } = decodeSafetensors(bytes);
  edit(metadata);
  return encodeSafetensors(tensors ? tensors(t) : t, metadata);
}

describe('the checkpoint format', () => {
  it('encode → decode gives back params, optimiser slots, step, epochs, streams and history exactly', () => {
    const back = decodeCheckpoint(encodeCheckpoint(model, trained));
    expectSameState(trained, back);
    expect(back.model.spec.equals(model.spec)).toBe(true);
    expect(back.history.stepLoss.size).toBe(8); // 2 epochs of 4 batches
    expect(back.history.valMetrics.get('accuracy')!.size).toBe(2);
  });

  it('lays out params under their names, slots under optimizer/<slot>/, and the rest in __metadata__', () => {
    const { tensors, metadata } = decodeSafetensors(encodeCheckpoint(model, trained));
    expect([...tensors.keys()]).toEqual([
      'dense0/w', 'dense0/b', 'dense1/w', 'dense1/b',
      'optimizer/m/dense0/w', 'optimizer/m/dense0/b', 'optimizer/m/dense1/w', 'optimizer/m/dense1/b',
      'optimizer/v/dense0/w', 'optimizer/v/dense0/b', 'optimizer/v/dense1/w', 'optimizer/v/dense1/b',
    ]);
    expect(Object.keys(metadata).sort()).toEqual(['chainrule.checkpoint', 'epochsDone', 'format', 'history', 'optimizer.slots', 'rng', 'spec', 'step']);
    expect(metadata['chainrule.checkpoint']).toBe(String(CHECKPOINT_FORMAT));
    expect(metadata.step).toBe('8');
    expect(metadata.epochsDone).toBe('2');
    expect(JSON.parse(metadata.spec!)).toEqual(model.toJSON());
    expect(JSON.parse(metadata['optimizer.slots']!)).toEqual(['m', 'v']);
  });

  it('keeps numbers JSON cannot hold (NaN, ±Infinity, -0) and the order of maps in the history', () => {
    const history = History({
      loss: List([NaN, Infinity, -0, 1e-310, 0.1 + 0.2]), valLoss: List([-Infinity]),
      metrics: OrderedMap([['z', List([1])], ['1', List([2])], ['a', List([3])]]),
      gradNorms: List([OrderedMap([['dense1', NaN], ['dense0', 2]])]),
      stepGradNorms: OrderedMap([['dense1', List([0.5])], ['dense0', List([-0])]]),
    });
    const back = decodeCheckpoint(encodeCheckpoint(model, { ...trained, history })).history;
    expect(back.equals(history)).toBe(true);
    expect([...back.metrics.keys()]).toEqual(['z', '1', 'a']);
    expect(back.loss.toArray().map((v) => Object.is(v, -0))).toEqual([false, false, true, false, false]);
    expect(back.loss.get(4)).toBe(0.1 + 0.2);
    expect(Object.is(back.stepGradNorms.get('dense0')!.get(0), -0)).toBe(true);
  });

  it('ignores metadata keys it does not know (what a later minor addition writes)', () => {
    const bytes = withMetadata(encodeCheckpoint(model, trained), (m) => { m['layerState'] = '{}'; });
    expectSameState(trained, decodeCheckpoint(bytes));
  });

  it('refuses a newer format, and a model file, each saying what it is', () => {
    const newer = withMetadata(encodeCheckpoint(model, trained), (m) => { m['chainrule.checkpoint'] = '2'; });
    expect(() => decodeCheckpoint(newer, { source: 'run.safetensors' })).toThrow(
      /^run\.safetensors was written by a newer chainrule: checkpoint format 2, this version reads format 1/);
    expect(() => decodeCheckpoint(encodeModel(model, trained.params), { source: 'model.safetensors' })).toThrow(
      /^model\.safetensors is not a checkpoint: it has no __metadata__\['chainrule\.checkpoint'\] \(a model file from saveModel loads with loadModel/);
    const garbled = withMetadata(encodeCheckpoint(model, trained), (m) => { m['chainrule.checkpoint'] = 'one'; });
    expect(() => decodeCheckpoint(garbled)).toThrow(/__metadata__\['chainrule\.checkpoint'\] must be a format number such as '1', got "one"/);
  });

  it.each([
    ['a missing key', (m: Record<string, string>) => { delete m.step; }, /checkpoint data: the checkpoint has no __metadata__\['step'\]/],
    ['a step that is not a count', (m: Record<string, string>) => { m.step = '-1'; }, /__metadata__\['step'\] must be a whole number, got "-1"/],
    ['history that is not JSON', (m: Record<string, string>) => { m.history = '{'; }, /__metadata__\['history'\] is not valid JSON/],
    ['history of the wrong shape', (m: Record<string, string>) => { m.history = JSON.stringify({ loss: 'x' }); }, /__metadata__\['history'\]\.loss must be a list of numbers, got the string "x"/],
    ['a broken stream', (m: Record<string, string>) => { m.rng = JSON.stringify({ shuffle: { algorithm: 'xoroshiro128+', words: [0, 0, 0, 0], spare: null } }); },
      /checkpoint data: rng\.shuffle: Rng state words are all zero/],
    ['a spec that is not a model', (m: Record<string, string>) => { m.spec = '{"layers": 3}'; }, /__metadata__\['spec'\] does not describe a model/],
  ])('names what is wrong with %s', (_, edit, message) => {
    expect(() => decodeCheckpoint(withMetadata(encodeCheckpoint(model, trained), edit))).toThrow(message);
  });

  it('names a missing or stray optimiser tensor', () => {
    const bytes = encodeCheckpoint(model, trained);
    const missing = withMetadata(bytes, () => {}, (t) => t.delete('optimizer/v/dense1/b'));
    expect(() => decodeCheckpoint(missing)).toThrow(/checkpoint data: optimizer slot 'v': parameter names do not match the model spec; missing: dense1\/b/);
    const stray = withMetadata(bytes, () => {}, (t) => t.set('optimizer/u/dense1/b', t.get('dense1/b')!));
    expect(() => decodeCheckpoint(stray)).toThrow(/tensors 'optimizer\/u\/dense1\/b' belong to no optimiser slot listed in __metadata__\['optimizer\.slots'\] \(m, v\)/);
  });

  it('encode refuses a state that is not a FitResult', () => {
    expect(() => encodeCheckpoint(model, { ...trained, epochsDone: 1.5 })).toThrow(/encodeCheckpoint: state\.epochsDone must be a whole number ≥ 0, got the number 1\.5/);
    expect(() => encodeCheckpoint(model, { ...trained, history: {} as History })).toThrow(/encodeCheckpoint: state\.history must be a History/);
    expect(() => encodeCheckpoint(mlp([2, 4, 3]), trained)).toThrow(/encodeCheckpoint: state\.params: parameter 'dense0\/w' has shape \[2,8\] but the model spec needs \[2,4\]/);
  });
});

describe('resume in fit', () => {
  /** An augmentation drawing from fit's stream: resuming must continue that stream too. */
  const noisy: FitOptions = { ...options, transform: (x, { rng }) => x.add(randn(x.shape, { rng, std: 0.05 })) };

  it('3 epochs then 3 more from the FitResult equal 6 straight, with the augmentation stream resumed', () => {
    const straight = fit(model, model.init(1), data, { ...noisy, epochs: 6 });
    const first = fit(model, model.init(1), data, { ...noisy, epochs: 3 });
    const rest = fit(model, first.params, data, { ...noisy, epochs: 6, resume: first });
    expectSameState(straight, rest);
    expect(rest.history.loss.size).toBe(6);
  });

  it('the epoch count is the total: a finished run resumed with the same count does nothing', () => {
    const again = fit(model, trained.params, data, { ...options, epochs: 2, resume: trained });
    expectSameState(trained, again);
  });

  it('the state a callback took with trainingState() never changes afterwards (its buffers are not reused)', () => {
    const kept: { state: TrainingState; copies: Float32Array[] }[] = [];
    const tensorsOf = (s: TrainingState) => [...s.params.values(), ...[...s.optState.slots.values()].flatMap((m) => [...m.values()])];
    const wide = mlp([2, 64, 3], { output: 'softmax' }); // buffers of 64 values and more are pooled
    const result = fit(wide, wide.init(1), data, {
      ...options, epochs: 3, callbacks: { onEpochEnd: (info) => { const state = info.trainingState(); kept.push({ state, copies: tensorsOf(state).map((t) => Float32Array.from(t.data)) }); } },
    });
    expect(kept.map((k) => k.state.epochsDone)).toEqual([1, 2, 3]);
    for (const { state, copies } of kept) tensorsOf(state).forEach((t, i) => expect(t.data).toEqual(copies[i]));
    expectSameState(result, kept[2]!.state);
  });

  it('refuses resume with optState, another optimiser, or a malformed state', () => {
    expect(() => fit(model, trained.params, data, { ...options, epochs: 3, resume: trained, optState: trained.optState })).toThrow(/fit: give resume or optState, not both/);
    expect(() => fit(model, trained.params, data, { ...options, optimizer: sgd({ lr: 0.1, momentum: 0.9 }), epochs: 3, resume: trained }))
      .toThrow(/fit: resume: optState's slots do not match what sgd keeps/);
    expect(() => fit(model, trained.params, data, { ...options, epochs: 3, resume: { ...trained, epochsDone: -1 } })).toThrow(/fit: resume\.epochsDone must be a whole number ≥ 0, got the number -1/);
    expect(() => fit(model, trained.params, data, { ...options, epochs: 3, resume: { ...trained, rng: undefined as never } })).toThrow(/fit: resume: rng must be \{ shuffle, augment \} Rng states/);
  });
});

describe('checkpoint files', () => {
  it('saveCheckpoint → loadCheckpoint round-trips, and a resumed run from the file matches the straight one', () => {
    const file = join(dir, 'run.safetensors');
    saveCheckpoint(file, model, trained);
    const ckpt = loadCheckpoint(file);
    expectSameState(trained, ckpt);
    const straight = fit(model, model.init(1), data, { ...options, epochs: 4 });
    expectSameState(straight, fit(ckpt.model, ckpt.params, data, { ...options, epochs: 4, resume: ckpt }));
    expect(() => saveCheckpoint(file, model, { ...trained, optState: undefined as never })).toThrow(/^saveCheckpoint: state\.optState must be an OptState/);
  });

  it('loadModel on a checkpoint gives its model and params', () => {
    const file = join(dir, 'for-model.safetensors');
    saveCheckpoint(file, model, trained);
    const { model: m, params } = loadModel(file);
    expect(m.spec.equals(model.spec)).toBe(true);
    expect([...params.keys()]).toEqual([...trained.params.keys()]);
    for (const [k, t] of trained.params) expect(sameBits(params.get(k)!, t), k).toBe(true);
  });

  it('checkpointEvery saves each epoch (or every n-th); the file holds the run as it ended', () => {
    const file = join(dir, 'every.safetensors');
    const seen: number[] = [];
    const result: FitResult = fit(model, model.init(1), data, {
      ...options, epochs: 3, callbacks: [checkpointEvery(file, model), { onEpochEnd: () => { seen.push(loadCheckpoint(file).epochsDone); } }],
    });
    expect(seen).toEqual([1, 2, 3]);
    expectSameState(result, loadCheckpoint(file));
    const second = join(dir, 'every-2.safetensors');
    fit(model, model.init(1), data, { ...options, epochs: 3, callbacks: checkpointEvery(second, model, { every: 2 }) });
    expect(loadCheckpoint(second).epochsDone).toBe(2);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(second).length).toBeGreaterThan(0);
    expect(() => checkpointEvery(file, model, { every: 0 })).toThrow(/checkpointEvery: every must be/);
  });

  it('loadCheckpoint names the file in its errors', () => {
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, encodeModel(model, trained.params));
    expect(() => loadCheckpoint(file)).toThrow(`${file} is not a checkpoint`);
    expect(() => loadCheckpoint(join(dir, 'nope.safetensors'))).toThrow(/nope\.safetensors/);
    expect(() => loadCheckpoint(dir)).toThrow(`${dir} is a directory`);
  });
});
