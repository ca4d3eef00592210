/**
 * PyTorch interop against committed fixtures (scripts/torch-fixture.py wrote them with PyTorch): a
 * state_dict loads into the equivalent chainrule model, which then predicts what PyTorch predicted;
 * batchNorm's training pass and running statistics match PyTorch's; the dict goes back unchanged.
 */
import { fromData, type Tensor } from '@chainrule/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  activationLayer, batchNorm, defineLayer, dense, fromTorchStateDict, layerNorm, mlp, sequential, toTorchStateDict, type TorchStateDict, type TorchTensor,
} from '../src/index.ts';

interface Fixture {
  readonly torch: string;
  readonly state_dict: TorchStateDict;
  readonly x: TorchTensor;
  readonly y: TorchTensor;
  readonly before?: TorchStateDict;
  readonly x_train?: TorchTensor;
  readonly y_train?: TorchTensor;
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/torch/${name}`, import.meta.url), 'utf8')) as Fixture;
const asTensor = (t: TorchTensor) => fromData(t.dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), [...t.shape]);

/** Each value within float32 rounding of a few operations (relative 1e-5, absolute 1e-6). */
function expectClose(actual: Tensor, expected: TorchTensor, tolerance = 1e-5) {
  expect(actual.shape).toEqual(expected.shape);
  const worst = Array.from(actual.data).reduce((w, v, i) => Math.max(w, Math.abs(v - expected.data[i]!) / (Math.abs(expected.data[i]!) + 0.1)), 0);
  expect(worst).toBeLessThan(tolerance);
}

/** The dict's values as the doubles they are, for exact comparison. */
const plain = (dict: TorchStateDict) => Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, { shape: [...v.shape], dtype: v.dtype, data: Array.from(v.data) }]));

describe('PyTorch state_dict interop', () => {
  it('Linear-ReLU-Linear: loads, predicts as PyTorch did, and goes back to the same dict', () => {
    const f = fixture('mlp.json');
    const model = mlp([4, 8, 3]);
    const { params, state } = fromTorchStateDict(model, f.state_dict);
    expect([...params.keys()]).toEqual(['dense0/w', 'dense0/b', 'dense1/w', 'dense1/b']);
    expect(params.get('dense0/w')!.shape).toEqual([4, 8]);
    // W [in, out] is the transpose of torch's weight [out, in].
    expect(params.get('dense0/w')!.data[1]).toBe(Math.fround(f.state_dict['0.weight']!.data[4]!));
    expect(state.size).toBe(0);
    expectClose(model.apply(params, asTensor(f.x)), f.y);
    expect(plain(toTorchStateDict(model, params))).toEqual(plain(f.state_dict));
    expect(Object.keys(toTorchStateDict(model, params))).toEqual(Object.keys(f.state_dict));
  });

  it('BatchNorm1d: a training pass gives PyTorch\'s outputs and running statistics; eval predicts as PyTorch did', () => {
    const f = fixture('batchnorm.json');
    const model = sequential([dense(8), batchNorm(), activationLayer('relu'), dense(3)], { inputs: 4 });
    const before = fromTorchStateDict(model, f.before!);
    const after = fromTorchStateDict(model, f.state_dict);
    expect([...before.state.keys()]).toEqual(['batchNorm1/runningMean', 'batchNorm1/runningVar', 'batchNorm1/numBatchesTracked']);
    expect(before.state.get('batchNorm1/numBatchesTracked')!.data[0]).toBe(2);

    const trained = model.forward(before.params, asTensor(f.x_train!), { training: true, state: before.state });
    expectClose(trained.y, f.y_train!);
    const stats = toTorchStateDict(model, before.params, trained.state);
    for (const key of ['1.running_mean', '1.running_var']) expectClose(asTensor(stats[key]!), f.state_dict[key]!);
    expect(stats['1.num_batches_tracked']).toEqual({ shape: [], dtype: 'int64', data: [3] });

    expectClose(model.apply(after.params, asTensor(f.x), { state: after.state }), f.y);
    expect(plain(toTorchStateDict(model, after.params, after.state))).toEqual(plain(f.state_dict));
  });

  it('LayerNorm and a fused tanh in float64: predicts as PyTorch did', () => {
    const f = fixture('layernorm.json');
    // torch's Tanh follows the LayerNorm, so here it is a layer of its own: indices 0, 1, 2 (Tanh), 3.
    const model = sequential([dense(6), layerNorm(), activationLayer('tanh'), dense(2)], { inputs: 3, dtype: 'float64' });
    const { params } = fromTorchStateDict(model, f.state_dict);
    expect(params.get('layerNorm1/gamma')!.dtype).toBe('float64');
    expectClose(model.apply(params, asTensor(f.x)), f.y, 1e-12);
    expect(plain(toTorchStateDict(model, params))).toEqual(plain(f.state_dict));
  });

  it('a dense layer with its own activation takes two Sequential indices (Linear, then the activation)', () => {
    const model = mlp([2, 3, 3, 1], { hidden: 'relu' });
    expect(Object.keys(toTorchStateDict(model, model.init(0)))).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  });

  it('modules names layers for a torch module with attributes', () => {
    const model = mlp([2, 3, 1]);
    const dict = toTorchStateDict(model, model.init(0), undefined, { modules: { dense0: 'fc1', dense1: 'head.out' } });
    expect(Object.keys(dict)).toEqual(['fc1.weight', 'fc1.bias', 'head.out.weight', 'head.out.bias']);
    const back = fromTorchStateDict(model, dict, { modules: { dense0: 'fc1', dense1: 'head.out' } });
    expect(back.params.get('dense1/w')!.toArray()).toEqual(model.init(0).get('dense1/w')!.toArray());
  });

  it('layouts maps a user layer\'s tensors', () => {
    const scale = defineLayer<Record<string, never>>({
      kind: 'torchInteropScale',
      config: () => ({}),
      params: (_c, [n]) => ({ alpha: [n!] }),
      outputShape: (_c, s) => s,
      apply: (p, _s, x) => ({ y: x.mul(p.alpha!) }),
    });
    const model = sequential([dense(2), scale()], { inputs: 2 });
    expect(() => toTorchStateDict(model, model.init(0)))
      .toThrow("toTorchStateDict: layer 'torchInteropScale1' is a torchInteropScale, which has no torch layout; pass { layouts: { torchInteropScale: { alpha: '…' } } }");
    const dict = toTorchStateDict(model, model.init(0), undefined, { layouts: { torchInteropScale: { alpha: 'weight' } } });
    expect(Object.keys(dict)).toEqual(['0.weight', '0.bias', '1.weight']);
  });
});

describe('PyTorch state_dict interop: bad input', () => {
  const model = mlp([4, 8, 3]);
  const dict = fixture('mlp.json').state_dict;
  it('missing and unexpected names are listed with the model\'s torch names', () => {
    const { ['2.bias']: _, ...rest } = dict;
    expect(() => fromTorchStateDict(model, { ...rest, '3.bias': dict['2.bias']! }))
      .toThrow('fromTorchStateDict: the state_dict does not fit the model; missing: 2.bias; unexpected: 3.bias (the model\'s torch names are 0.weight, 0.bias, 2.weight, 2.bias; see TorchOptions.modules for other module names)');
  });
  it('a weight in chainrule\'s layout instead of torch\'s is named with both shapes', () => {
    expect(() => fromTorchStateDict(model, { ...dict, '0.weight': { ...dict['0.weight']!, shape: [4, 8] } }))
      .toThrow("fromTorchStateDict: '0.weight' (for 'dense0/w') has shape [4,8] but the model needs [8,4] in torch's layout (the transpose of its [4,8])");
  });
  it('the wrong number of values, a value that is not a number, an unknown dtype', () => {
    expect(() => fromTorchStateDict(model, { ...dict, '2.bias': { shape: [3], dtype: 'float32', data: [1, 2] } }))
      .toThrow("fromTorchStateDict: '2.bias' (for 'dense1/b') has 2 values for shape [3], which holds 3");
    expect(() => fromTorchStateDict(model, { ...dict, '2.bias': { shape: [3], dtype: 'float32', data: [1, '2', 3] as never } }))
      .toThrow("fromTorchStateDict: '2.bias' (for 'dense1/b') value 1 is the string \"2\", not a number");
    expect(() => fromTorchStateDict(model, { ...dict, '2.bias': { shape: [3], dtype: 'float16' as never, data: [1, 2, 3] } }))
      .toThrow(/fromTorchStateDict: '2.bias' \(for 'dense1\/b'\) has dtype the string "float16"; this reads float32, float64 and int64/);
    expect(() => fromTorchStateDict(model, 'state.json' as never)).toThrow(/fromTorchStateDict: give the state_dict as an object/);
  });
  it('a model with layer state needs it, and modules must name layers', () => {
    const withNorm = sequential([dense(3), batchNorm()], { inputs: 2 });
    expect(() => toTorchStateDict(withNorm, withNorm.init(0)))
      .toThrow('toTorchStateDict: the model keeps layer state (batchNorm1/runningMean, batchNorm1/runningVar, batchNorm1/numBatchesTracked); pass it as the third argument (FitResult.state or model.initState())');
    expect(() => toTorchStateDict(model, model.init(0), undefined, { modules: { hidden: 'fc1' } }))
      .toThrow("toTorchStateDict: modules names 'hidden', not layers of the model; its layers are dense0, dense1");
    expect(() => toTorchStateDict(model, model.init(0), undefined, { modules: { dense0: 'x', dense1: 'x' } }))
      .toThrow("toTorchStateDict: two tensors would be named 'x.weight' in torch; give the layers distinct modules");
  });
});
