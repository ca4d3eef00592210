import { Rng, randn, tensor, sum } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { dense, fromSpec, mlp, sequential, countParams } from '../src/index.ts';

describe('dense, sequential and mlp', () => {
  it('init names params by layer and gives the declared shapes', () => {
    const model = mlp([4, 8, 3], { hidden: 'relu', output: 'softmax' });
    const params = model.init(new Rng(0));
    expect([...params.keys()]).toEqual(['dense0/w', 'dense0/b', 'dense1/w', 'dense1/b']);
    expect(params.get('dense0/w')!.shape).toEqual([4, 8]);
    expect(params.get('dense1/b')!.shape).toEqual([3]);
    expect(params.get('dense0/w')!.name).toBe('dense0/w');
    expect(countParams(params)).toBe(4 * 8 + 8 + 8 * 3 + 3);
    expect(params.get('dense0/b')!.data.every((v) => v === 0)).toBe(true);
  });

  it('apply computes act(x·W + b) layer by layer', () => {
    const model = sequential([dense(2, { activation: 'relu' }), dense(1, { useBias: false })], { inputs: 2 });
    const params = model.init(0)
      .set('dense0/w', tensor([[1, -1], [2, 0.5]])).set('dense0/b', tensor([0.5, -10])).set('dense1/w', tensor([[3], [7]]));
    const y = model.apply(params, tensor([[1, 1], [-1, 2]]));
    // row 0: [1+2+0.5, -1+0.5-10] → relu [3.5, 0] → 10.5; row 1: [-1+4+0.5, 1+1-10] → [3.5, 0] → 10.5
    expect(y.toArray()).toEqual([[10.5], [10.5]]);
    expect(model.layers[1]!.params.map((p) => p.key)).toEqual(['dense1/w']);
  });

  it('logits: true skips only the last activation', () => {
    const model = mlp([3, 5, 4], { hidden: 'tanh', output: 'softmax' });
    const params = model.init(1);
    const x = randn([2, 3], { seed: 2 });
    const probs = model.apply(params, x);
    const logits = model.apply(params, x, { logits: true });
    expect(sum(probs, 1).toArray()).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6)]);
    expect(model.activateOutput(logits).data).toEqual(probs.data);
  });

  it('accepts a list of activations, one per layer', () => {
    const model = mlp([2, 3, 3, 1], ['gelu', 'leakyRelu', 'sigmoid']);
    expect(model.layers.map((l) => l.activation)).toEqual(['gelu', 'leakyRelu', 'sigmoid']);
    const out = model.apply(model.init(0), randn([5, 2], { seed: 0 }));
    expect(out.shape).toEqual([5, 1]);
    expect(Array.from(out.data).every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('records each layer under its name scope (for viz clusters)', () => {
    const model = mlp([2, 3, 1]);
    const y = model.apply(model.init(0), randn([1, 2], { seed: 0 }));
    expect(y.node!.scope).toBe('dense1');
    expect(y.node!.op.name).toBe('linear'); // x·W + b, one op per dense layer
    const [h, w, b] = y.node!.inputs;
    expect([w!.name, b!.name]).toEqual(['dense1/w', 'dense1/b']);
    expect(h!.node!.scope).toBe('dense0'); // the previous layer's activation
    expect(h!.node!.inputs[0]!.node!.scope).toBe('dense0');
  });

  it('summary lists layers, output shapes and parameter counts', () => {
    const s = mlp([784, 128, 10], { hidden: 'relu', output: 'softmax' }).summary();
    expect(s).toMatch(/dense0\s+dense\s+relu\s+\[batch, 128\]\s+100480/);
    expect(s).toMatch(/dense1\s+dense\s+softmax\s+\[batch, 10\]\s+1290/);
    expect(s).toContain('Total params: 101770');
  });

  it('the spec round-trips through JSON', () => {
    const model = sequential([dense(6, { activation: 'tanh', init: 'lecunUniform', name: 'hidden' }), dense(2, { useBias: false })], { inputs: 3, dtype: 'float64' });
    const again = fromSpec(JSON.parse(JSON.stringify(model.toJSON())));
    expect(again.spec.equals(model.spec)).toBe(true);
    expect([...again.paramShapes.keys()]).toEqual(['hidden/w', 'hidden/b', 'dense1/w']);
    expect(again.init(5).get('hidden/w')!.data).toEqual(model.init(5).get('hidden/w')!.data);
  });

  it('different seeds give different weights, the same seed the same ones', () => {
    const model = mlp([3, 4, 2]);
    expect(model.init(1).get('dense0/w')!.data).toEqual(model.init(1).get('dense0/w')!.data);
    expect(model.init(1).get('dense0/w')!.data).not.toEqual(model.init(2).get('dense0/w')!.data);
  });
});

describe('bad model input', () => {
  it('an unknown activation lists the valid ones', () => {
    expect(() => dense(3, { activation: 'relu6' as never })).toThrow(/unknown activation "relu6"; valid activations: 'relu', 'sigmoid', 'tanh', 'linear', 'softmax', 'leakyRelu', 'gelu'/);
    expect(() => mlp([2, 3, 1], { hidden: 'swish' as never })).toThrow(/unknown activation "swish"/);
  });

  it('an unknown initialiser lists the valid ones', () => {
    expect(() => dense(3, { init: 'kaiming' as never })).toThrow(/unknown initializer "kaiming"; valid initializers: 'auto', 'he'/);
  });

  it('zero, negative or fractional units are rejected', () => {
    expect(() => dense(0)).toThrow(/units must be a positive integer, got the number 0/);
    expect(() => dense(-3)).toThrow(/got the number -3/);
    expect(() => dense(2.5)).toThrow(/got the number 2.5/);
    expect(() => mlp([4, 0, 1])).toThrow(/the width at index 1 must be a positive integer, got the number 0/);
  });

  it('an input width that does not match the first layer names the layer and both widths', () => {
    const model = mlp([784, 16, 10]);
    expect(() => model.apply(model.init(0), randn([2, 100], { seed: 0 }))).toThrow(/layer 'dense0' expects 784 input features, but x has 100/);
  });

  it('duplicate layer names and a missing input width are errors', () => {
    expect(() => sequential([dense(2, { name: 'a' }), dense(2, { name: 'a' })], { inputs: 2 })).toThrow(/two layers are named 'a'/);
    expect(() => sequential([dense(2)], undefined as never)).toThrow(/give the input width/);
  });
});
