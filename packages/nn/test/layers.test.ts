/**
 * One property suite over the whole layer registry, like core's op suite: every registered layer (the
 * built-ins and the user fixtures, scaleShift and the stateful runningCentre) is gradchecked in float64
 * through its input and its params, in training and in evaluation, on random configs and shapes from
 * its own `sample`; its output has the shape it declares; its state keeps its declared shapes; and its
 * config round-trips through JSON.
 */
import { gradcheck, randn, Rng, sameShape, type Tensor } from '@chainrule/core';
import fc from 'fast-check';
import { OrderedMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import '../../core/test/fixtures/user-ops.ts';
import { fromSpec, registeredLayers, sequential, type LayerSample } from '../src/index.ts';
import './fixtures/user-layers.ts';

const seed = Number(process.env.CHAINRULE_SEED ?? 18);
const runs = Number(process.env.CHAINRULE_RUNS ?? 12);
const BATCH = 3;

describe('layer registry', () => {
  it('holds every built-in and the user fixtures, each with a sampler', () => {
    const kinds = registeredLayers().map((l) => l.kind);
    expect(kinds).toEqual(expect.arrayContaining(['dense', 'flatten', 'reshape', 'dropout', 'batchNorm', 'layerNorm', 'activation', 'conv2d', 'maxPool2d', 'avgPool2d', 'globalAvgPool2d', 'scaleShift', 'runningCentre']));
    expect(registeredLayers().filter((l) => !l.definition.sample).map((l) => l.kind)).toEqual([]);
  });
});

describe.each(registeredLayers().map((l) => [l.kind, l] as const))('layer %s', (kind, def) => {
  const cases = fc.sample(def.definition.sample!(fc) as fc.Arbitrary<LayerSample>, { seed, numRuns: runs });

  it(`${kind}: gradients through x and params match central differences (float64, train and eval, ${runs} cases)`, () => {
    cases.forEach((s, i) => {
      const model = sequential([def(s.options)], { inputShape: s.inputShape, dtype: 'float64' });
      const params = model.init(i);
      const state = model.initState();
      const x = randn([BATCH, ...s.inputShape], { seed: i, dtype: 'float64' });
      const keys = [...params.keys()];
      for (const training of [false, true]) {
        // A fresh stream per evaluation: dropout draws the same mask for every perturbed input.
        const f = (xi: Tensor, ...ps: Tensor[]) =>
          model.apply(OrderedMap(keys.map((k, j) => [k, ps[j]!] as const)), xi, { training, rng: new Rng(i), state });
        gradcheck(f, [x, ...keys.map((k) => params.get(k)!)], { name: `${kind} ${JSON.stringify(s)} ${training ? 'train' : 'eval'}` });
      }
    });
  });

  it(`${kind}: output and state have the declared shapes, and the config round-trips through JSON`, () => {
    cases.forEach((s, i) => {
      const model = sequential([def(s.options)], { inputShape: s.inputShape, dtype: 'float64' });
      const x = randn([BATCH, ...s.inputShape], { seed: i, dtype: 'float64' });
      const r = model.forward(model.init(i), x, { training: true, rng: new Rng(i), state: model.initState() });
      expect(r.y.shape).toEqual([BATCH, ...model.layers[0]!.outputShape]);
      expect([...r.state.keys()]).toEqual([...model.stateShapes.keys()]);
      for (const [k, t] of r.state) expect(sameShape(t.shape, model.stateShapes.get(k)!)).toBe(true);
      const again = fromSpec(JSON.parse(JSON.stringify(model.toJSON())));
      expect(again.spec.equals(model.spec)).toBe(true);
      expect(again.layers[0]!.config).toEqual(model.layers[0]!.config);
    });
  });
});
