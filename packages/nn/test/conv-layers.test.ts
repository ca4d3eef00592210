/**
 * The convolution and pooling layers: their shapes and config errors (each naming the layer, the shapes
 * and the fix), conv2d's fan-in initialisation, a PyTorch CNN's weights predicting what PyTorch
 * predicted (fixture from scripts/torch-fixture.py), and a small CNN that learns a seeded pattern task.
 */
import { conv2d as coreConv2d, fromData, randn, Rng, type Tensor } from '@chainrule/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toDot } from '../../viz/src/index.ts';
import { allNodes, attr } from '../../viz/test/helpers/graph.ts';
import {
  adam, avgPool2d, conv2d, dense, evaluate, fit, flatten, fromTorchStateDict, globalAvgPool2d, maxPool2d, sequential, toTorchStateDict,
  type TorchStateDict, type TorchTensor,
} from '../src/index.ts';

describe('conv and pooling layers: shapes', () => {
  it('follow PyTorch\'s output sizes for valid, same, explicit padding, stride, dilation and groups', () => {
    const shapeOf = (layer: ReturnType<typeof conv2d>, inputShape: number[]) => sequential([layer], { inputShape }).layers[0]!.outputShape;
    expect(shapeOf(conv2d({ filters: 8, kernel: 5 }), [1, 28, 28])).toEqual([8, 24, 24]);
    expect(shapeOf(conv2d({ filters: 8, kernel: 4, padding: 'same' }), [3, 9, 7])).toEqual([8, 9, 7]);
    expect(shapeOf(conv2d({ filters: 2, kernel: [3, 1], stride: 2, padding: [1, 0] }), [1, 8, 5])).toEqual([2, 4, 3]);
    expect(shapeOf(conv2d({ filters: 4, kernel: 3, dilation: 2, groups: 2 }), [4, 7, 7])).toEqual([4, 3, 3]);
    expect(shapeOf(maxPool2d({ kernel: 2 }), [8, 24, 24])).toEqual([8, 12, 12]);
    expect(shapeOf(maxPool2d({ kernel: 3, stride: 2, padding: 1 }), [2, 7, 8])).toEqual([2, 4, 4]);
    expect(shapeOf(avgPool2d({ kernel: [2, 3] }), [2, 5, 7])).toEqual([2, 2, 2]);
    expect(shapeOf(globalAvgPool2d(), [6, 5, 4])).toEqual([6]);
  });

  it('conv2d equals core\'s conv2d with its params, bias included, and w has PyTorch\'s layout', () => {
    const model = sequential([conv2d({ filters: 4, kernel: 3, groups: 2, padding: 1 })], { inputShape: [2, 5, 5], dtype: 'float64' });
    const params = model.init(0);
    expect(params.get('conv2d0/w')!.shape).toEqual([4, 1, 3, 3]);
    expect(params.get('conv2d0/b')!.shape).toEqual([4]);
    const x = randn([2, 2, 5, 5], { seed: 1, dtype: 'float64' });
    const want = coreConv2d(x, params.get('conv2d0/w')!, params.get('conv2d0/b')!, { padding: 1, groups: 2 });
    expect(Array.from(model.apply(params, x).data)).toEqual(Array.from(want.data));
  });

  it('conv2d\'s auto init is He for relu with fan-in C/groups·kh·kw (std √(2/fanIn))', () => {
    const model = sequential([conv2d({ filters: 64, kernel: 5, activation: 'relu', useBias: false })], { inputShape: [4, 9, 9] });
    const w = model.init(0).get('conv2d0/w')!;
    const values = Array.from(w.data);
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    // fan-in 4·5·5 = 100: std 0.141; 6400 draws put the estimate within a few percent.
    expect(std).toBeGreaterThan(0.141 * 0.95);
    expect(std).toBeLessThan(0.141 * 1.05);
    expect([...model.init(0).keys()]).toEqual(['conv2d0/w']);
  });
});

describe('conv and pooling layers: bad configs and inputs name the layer, the shapes and the fix', () => {
  const build = (layer: () => unknown, inputShape = [1, 8, 8]) => () => sequential([layer() as ReturnType<typeof conv2d>], { inputShape });
  it.each([
    ['zero filters', () => conv2d({ filters: 0, kernel: 3 }), /conv2d: filters must be a positive integer, got the number 0/],
    ['fractional kernel', () => conv2d({ filters: 2, kernel: 2.5 }), /conv2d: kernel must be a whole number ≥ 1 or a pair/],
    ['no kernel', () => conv2d({ filters: 2 } as never), /conv2d: give the kernel size/],
    ['zero stride', () => conv2d({ filters: 2, kernel: 3, stride: 0 }), /conv2d: stride must be a whole number ≥ 1/],
    ['negative padding', () => conv2d({ filters: 2, kernel: 3, padding: -1 }), /conv2d: padding must be a whole number ≥ 0 .*, or 'valid' or 'same'/],
    ["'same' with a stride", () => conv2d({ filters: 2, kernel: 3, padding: 'same', stride: 2 }), /conv2d: padding 'same' needs stride 1, got stride \[2, 2\]/],
    ['filters not divisible by groups', () => conv2d({ filters: 3, kernel: 3, groups: 2 }), /conv2d: filters \(3\) must be divisible by groups \(2\)/],
    ['unknown option', () => conv2d({ filters: 2, kernel: 3, units: 4 } as never), /conv2d: unknown option 'units'/],
    ['pool padding over half the kernel', () => maxPool2d({ kernel: 2, padding: 2 }), /maxPool2d: padding \[2, 2\] is more than half the 2×2 kernel/],
    ['fractional pool stride', () => avgPool2d({ kernel: 2, stride: 1.5 }), /avgPool2d: stride must be a whole number ≥ 1/],
    ['options to globalAvgPool2d', () => globalAvgPool2d({ kernel: 2 } as never), /globalAvgPool2d: unknown option 'kernel'/],
  ])('%s', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  it.each([
    ['a kernel larger than the padded input', () => conv2d({ filters: 2, kernel: 5 }), [1, 3, 8],
      /layer 'conv2d0' \(conv2d\) does not fit its input \[1,3,8\]: conv2d: the 5×5 kernel is larger than the padded input 3×8 \(image 3×8, padding \[0, 0\]\)/],
    ['a pool window larger than the input', () => maxPool2d({ kernel: 3 }), [2, 2, 2], /layer 'maxPool2d0' \(maxPool2d\) does not fit its input \[2,2,2\]: maxPool2d: the 3×3 kernel is larger than the padded input 2×2/],
    ['an input without channels', () => conv2d({ filters: 2, kernel: 3 }), [28, 28], /conv2d takes one sample as an image \[channels, height, width\], got \[28, 28\]; for one-channel images put reshape\(\{ shape: \[1, 28, 28\] \}\) before it/],
    ['a vector into globalAvgPool2d', () => globalAvgPool2d(), [10], /globalAvgPool2d takes one sample as an image/],
    ['channels not divisible by groups', () => conv2d({ filters: 4, kernel: 1, groups: 2 }), [3, 4, 4], /conv2d with groups 2 needs input channels divisible by 2, got 3 \(input \[3, 4, 4\]\)/],
  ])('%s', (_what, make, inputShape, message) => {
    expect(build(make, inputShape as number[])).toThrow(message);
  });
});

interface Fixture { readonly state_dict: TorchStateDict; readonly x: TorchTensor; readonly y: TorchTensor }
const asTensor = (t: TorchTensor) => fromData(Float32Array.from(t.data), [...t.shape]);

describe('PyTorch interop of a CNN', () => {
  it('Conv2d-ReLU-MaxPool2d-Flatten-Linear: loads without transposing conv weights, predicts as PyTorch did, goes back unchanged', () => {
    const f = JSON.parse(readFileSync(new URL('./fixtures/torch/cnn.json', import.meta.url), 'utf8')) as Fixture;
    // The conv's relu takes index 1 as torch's ReLU module; the pool and flatten take 2 and 3 with no tensors.
    const model = sequential([conv2d({ filters: 4, kernel: 3, padding: 'same', activation: 'relu' }), maxPool2d({ kernel: 2 }), flatten(), dense(3)], { inputShape: [2, 7, 7] });
    const { params } = fromTorchStateDict(model, f.state_dict);
    expect(Object.keys(f.state_dict)).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
    expect(params.get('conv2d0/w')!.shape).toEqual([4, 2, 3, 3]);
    expect(Array.from(params.get('conv2d0/w')!.data)).toEqual(Array.from(Float32Array.from(f.state_dict['0.weight']!.data)));
    const y = model.apply(params, asTensor(f.x));
    expect(y.shape).toEqual(f.y.shape);
    const worst = Array.from(y.data).reduce((w, v, i) => Math.max(w, Math.abs(v - f.y.data[i]!) / (Math.abs(f.y.data[i]!) + 0.1)), 0);
    expect(worst).toBeLessThan(1e-5);
    const back = toTorchStateDict(model, params);
    expect(Object.keys(back)).toEqual(Object.keys(f.state_dict));
    for (const [k, v] of Object.entries(back)) expect(v.data).toEqual(Array.from(Float32Array.from(f.state_dict[k]!.data)));
  });
});

/** Seeded 12×12 images of ten classes: a bright horizontal bar in one of five row bands or a vertical bar in one of five column bands, on noise. */
function bars(count: number, seed: number): { x: Tensor; y: number[] } {
  const rng = new Rng(seed);
  const noise = randn([count, 1, 12, 12], { rng, std: 0.3 });
  const data = Float32Array.from(noise.data);
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 10, band = label % 5, at = 1 + 2 * band;
    for (let j = 0; j < 12; j++) for (const off of [0, 1]) data[i * 144 + (label < 5 ? (at + off) * 12 + j : j * 12 + at + off)] += 1;
    y.push(label);
  }
  return { x: fromData(data, [count, 1, 12, 12]), y };
}

describe('a small CNN', () => {
  const model = sequential([
    conv2d({ filters: 8, kernel: 5, activation: 'relu' }), maxPool2d({ kernel: 2 }), flatten(), dense(10, { activation: 'softmax' }),
  ], { inputShape: [1, 12, 12] });

  it('trains with fit on 300 seeded pattern images: the loss falls and held-out accuracy is high', () => {
    const train = bars(300, 1), test = bars(100, 2);
    const { params, history } = fit(model, model.init(0), train, {
      progress: false, monitor: { onWarning: () => {} }, loss: 'crossEntropy', optimizer: adam({ lr: 0.01 }), epochs: 4, batchSize: 32, metrics: ['accuracy'], seed: 0,
    });
    const losses = history.loss.toArray();
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
    expect(evaluate(model, params, test, { loss: 'crossEntropy', metrics: ['accuracy'] }).metrics.accuracy).toBeGreaterThan(0.9);
  });

  it('summary() lists each layer with its output shape and parameter count', () => {
    const text = model.summary();
    expect(text).toMatch(/conv2d0\s+conv2d\s+relu\s+\[batch, 8, 8, 8\]\s+208/);
    expect(text).toMatch(/maxPool2d1\s+maxPool2d\s+\[batch, 8, 4, 4\]\s+0/);
    expect(text).toMatch(/flatten2\s+flatten\s+\[batch, 128\]\s+0/);
    expect(text).toMatch(/dense3\s+dense\s+softmax\s+\[batch, 10\]\s+1290/);
  });

  it('viz\'s collapsed drawing shows one node per layer with its output shape', () => {
    const y = model.apply(model.init(0), bars(4, 3).x).sum();
    const layers = allNodes(toDot(y, { collapse: true })).filter((n) => n.id.startsWith('layer_'));
    expect(layers.map((n) => n.id)).toEqual(model.layers.map((l) => `layer_${l.name}`));
    const label = (name: string) => attr(layers.find((n) => n.id === `layer_${name}`)!, 'label');
    expect(label('conv2d0')).toContain('out [4, 8, 8, 8]');
    expect(label('conv2d0')).toContain('w [8, 1, 5, 5]');
    expect(label('maxPool2d1')).toContain('out [4, 8, 4, 4]');
    expect(label('flatten2')).toContain('out [4, 128]');
  });
});
