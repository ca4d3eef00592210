/**
 * conv2d and pooling: the forward pass against a convolution composed of slice and matmul (values and
 * gradients), small cases worked by hand, cases computed by PyTorch (fixtures/torch-conv.json, made by
 * scripts/torch-conv-fixture.py), second derivatives, the kernel boundary's checks and bad input.
 * The property suite (op-properties.test.ts) gradchecks the ops themselves.
 */
import { describe, expect, it } from 'vitest';
import {
  avgPool2d, builtinOps, concat, conv2d, globalAvgPool2d, grad, matmul, maxPool2d, mul, pad, randn, reshape, slice, stack, sum, tensor, zeros,
  type Conv2dOptions, type Tensor,
} from '@chainrule/core';
import { backend, kernels, setBackend, type BackendName } from '@chainrule/core/backend';
import fixture from './fixtures/torch-conv.json' with { type: 'json' };
import { expectClose } from './helpers.ts';

/** PyTorch's padding as [top, bottom, left, right] for our options (the construction below needs it spelled out). */
function sides(options: Conv2dOptions, kernel: [number, number]): [number, number, number, number] {
  const { padding = 0, dilation = 1 } = options;
  const [dh, dw] = typeof dilation === 'number' ? [dilation, dilation] : dilation;
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const [th, tw] = [dh * (kernel[0] - 1), dw * (kernel[1] - 1)];
    return [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  }
  const [ph, pw] = typeof padding === 'number' ? [padding, padding] : padding;
  return [ph, ph, pw, pw];
}

/**
 * The convolution composed of other ops: pad, then for each output position slice every tap, concat the
 * taps into patches [n, c·kh·kw] (channel-major, as w is laid out) and multiply each group's patches by
 * its weights. Slow and plain, differentiable through the ops it is made of.
 */
function convBySlices(x: Tensor, w: Tensor, options: Conv2dOptions): Tensor {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [o, cg, kh, kw] = w.shape as [number, number, number, number];
  const pair = (v: number | readonly [number, number] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);
  const [sh, sw] = pair(options.stride), [dh, dw] = pair(options.dilation), groups = options.groups ?? 1;
  const [top, bottom, left, right] = sides(options, [kh, kw]);
  const xp = pad(x, [0, 0, top, left], [0, 0, bottom, right]);
  const outH = Math.floor((h + top + bottom - dh * (kh - 1) - 1) / sh) + 1;
  const outW = Math.floor((wd + left + right - dw * (kw - 1) - 1) / sw) + 1;
  const og = o / groups;
  const positions: Tensor[] = [];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const taps: Tensor[] = [];
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) taps.push(reshape(slice(xp, [0, 0, oy * sh + ky * dh, ox * sw + kx * dw], [n, c, 1, 1]), [n, c, 1]));
      }
      const patches = concat(taps, 2); // [n, c, kh·kw]
      const perGroup = Array.from({ length: groups }, (_, g) => matmul(
        reshape(slice(patches, [0, g * cg, 0], [n, cg, kh * kw]), [n, cg * kh * kw]),
        reshape(slice(w, [g * og, 0, 0, 0], [og, cg, kh, kw]), [og, cg * kh * kw]),
        { transB: true },
      ));
      positions.push(concat(perGroup, 1)); // [n, o]
    }
  }
  return reshape(stack(positions, 2), [n, o, outH, outW]);
}

const f64 = (shape: number[], seed: number) => randn(shape, { seed, dtype: 'float64' });

describe('conv2d against the slice+matmul construction (float64)', () => {
  const cases: [string, number[], number[], Conv2dOptions][] = [
    ['3×3, no padding', [2, 3, 5, 6], [4, 3, 3, 3], {}],
    ['stride 2, padding 1', [2, 2, 7, 6], [3, 2, 3, 3], { stride: 2, padding: 1 }],
    ['stride [2, 1], padding [0, 2]', [1, 2, 6, 5], [2, 2, 2, 3], { stride: [2, 1], padding: [0, 2] }],
    ['dilation 2', [2, 1, 7, 7], [2, 1, 3, 3], { dilation: 2 }],
    ['dilation [1, 2], stride 2', [1, 2, 7, 8], [2, 2, 2, 3], { dilation: [1, 2], stride: 2, padding: 1 }],
    ['groups 2', [2, 4, 5, 5], [6, 2, 3, 3], { groups: 2, padding: 1 }],
    ['depthwise (groups = channels)', [1, 3, 4, 5], [3, 1, 2, 2], { groups: 3 }],
    ["'same' with an even kernel", [1, 2, 5, 6], [2, 2, 2, 4], { padding: 'same' }],
    ["'same' with dilation 2", [2, 1, 6, 5], [2, 1, 3, 2], { padding: 'same', dilation: 2 }],
    ['a 1×1 kernel with padding', [2, 3, 3, 3], [2, 3, 1, 1], { padding: 1 }],
  ];

  it.each(cases)('%s: the same values and gradients', (_name, xShape, wShape, options) => {
    const x = f64(xShape, 1), w = f64(wShape, 2);
    const ours = conv2d(x, w, options), composed = convBySlices(x, w, options);
    expect(ours.shape).toEqual(composed.shape);
    expectClose(ours.data, composed.data, 1e-12, 1e-12);
    const g = f64([...ours.shape], 3);
    const [dx, dw] = grad(sum(mul(conv2d(x, w, options), g)), [x, w]);
    const [dxc, dwc] = grad(sum(mul(convBySlices(x, w, options), g)), [x, w]);
    expectClose(dx!.data, dxc!.data, 1e-12, 1e-12);
    expectClose(dw!.data, dwc!.data, 1e-12, 1e-12);
  });
});

describe('small cases worked by hand', () => {
  const img = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);

  it('conv2d: a difference filter, bias, stride and padding', () => {
    expect(conv2d(img, tensor([[[[1, 0], [0, -1]]]])).toArray()).toEqual([[[[-4, -4], [-4, -4]]]]);
    expect(conv2d(img, tensor([[[[1]]]]), tensor([10])).toArray()).toEqual([[[[11, 12, 13], [14, 15, 16], [17, 18, 19]]]]);
    // a 3×3 box sum with 'same' padding: corners see 4 values, edges 6
    expect(conv2d(img, tensor([[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]), { padding: 'same' }).toArray())
      .toEqual([[[[12, 21, 16], [27, 45, 33], [24, 39, 28]]]]);
    // stride 2 over the padded 5×5 image: windows at rows/cols −1 and 1
    expect(conv2d(img, tensor([[[[0, 0], [0, 1]]]]), { stride: 2, padding: 1 }).toArray()).toEqual([[[[1, 3], [7, 9]]]]);
    // dilation 2: the four corners
    expect(conv2d(img, tensor([[[[1, 1], [1, 1]]]]), { dilation: 2 }).toArray()).toEqual([[[[20]]]]);
  });

  it('conv2d: two groups keep their channels apart', () => {
    const two = tensor([[[[1, 2]], [[10, 20]]]]); // [1, 2, 1, 2]
    expect(conv2d(two, tensor([[[[1, 1]]], [[[1, -1]]]]), { groups: 2 }).toArray()).toEqual([[[[3]], [[-10]]]]);
  });

  it("conv2d's gradients: dx counts how often each pixel is read, dw sums the windows", () => {
    const w = tensor([[[[1, 1], [1, 1]]]]);
    const [dx, dw] = grad(conv2d(img, w).sum(), [img, w]);
    expect(dx!.toArray()).toEqual([[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]);
    expect(dw!.toArray()).toEqual([[[[12, 16], [24, 28]]]]);
  });

  it('maxPool2d and avgPool2d, and their gradients', () => {
    const x = tensor([[[[1, 2, 5, 6], [3, 4, 8, 7]]]], { dtype: 'float64' });
    expect(maxPool2d(x, { kernel: 2 }).toArray()).toEqual([[[[4, 8]]]]);
    expect(avgPool2d(x, 2).toArray()).toEqual([[[[2.5, 6.5]]]]);
    expect(grad(maxPool2d(x, 2).sum(), [x])[0]!.toArray()).toEqual([[[[0, 0, 0, 0], [0, 1, 1, 0]]]]);
    expect(grad(avgPool2d(x, 2).sum(), [x])[0]!.toArray()).toEqual([[[[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]]]]);
    // overlapping windows (stride 1): the 8 is the maximum of two windows and gets both gradients
    expect(grad(maxPool2d(x, { kernel: 2, stride: 1 }).sum(), [x])[0]!.toArray()).toEqual([[[[0, 0, 0, 0], [0, 1, 2, 0]]]]);
    // padding is never the maximum, and counts as a zero in the average
    expect(maxPool2d(tensor([[[[-1, -2], [-3, -4]]]]), { kernel: 2, padding: 1 }).toArray()).toEqual([[[[-1, -2], [-3, -4]]]]);
    expect(avgPool2d(tensor([[[[4, 8], [12, 16]]]]), { kernel: 2, stride: 1, padding: 1 }).toArray())
      .toEqual([[[[1, 3, 2], [4, 10, 6], [3, 7, 4]]]]);
  });

  it('globalAvgPool2d: the mean of each channel', () => {
    expect(globalAvgPool2d(tensor([[[[1, 2], [3, 4]], [[0, 0], [0, 8]]]])).toArray()).toEqual([[2.5, 2]]);
    expect(tensor([[[[1, 3]]]]).globalAvgPool2d().toArray()).toEqual([[2]]);
  });

  it('as Tensor methods', () => {
    expect(img.conv2d(tensor([[[[1]]]]), { stride: 2 }).toArray()).toEqual([[[[1, 3], [7, 9]]]]);
    expect(img.maxPool2d({ kernel: 3 }).toArray()).toEqual([[[[9]]]]);
    expect(img.avgPool2d(3).toArray()).toEqual([[[[5]]]]);
  });
});

describe('graph drawings', () => {
  it('show the sizes that are not the defaults', () => {
    const conv = (a: object) => builtinOps.conv2d.spec.describe!({ stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...a } as never);
    expect(conv({})).toBe('');
    expect(conv({ stride: [2, 2], padding: [1, 1, 1, 1], groups: 2 })).toBe('stride=2 padding=1 groups=2');
    expect(conv({ padding: [0, 1, 1, 2], dilation: [2, 1] })).toBe('padding=[0,1,1,2] dilation=2×1');
    expect(builtinOps.maxPool2d.spec.describe!({ kernel: [2, 2], stride: [2, 2], padding: [0, 0] })).toBe('kernel=2');
    expect(builtinOps.avgPool2d.spec.describe!({ kernel: [3, 3], stride: [1, 2], padding: [1, 0] })).toBe('kernel=3 stride=1×2 padding=1×0');
  });
});

describe('cases computed by PyTorch (fixtures/torch-conv.json)', () => {
  type Flat = { shape: number[]; values: number[] };
  const t = (f: Flat) => tensor(f.values, { dtype: 'float64' }).reshape(f.shape);
  const close = (actual: Tensor, expected: Flat) => {
    expect(actual.shape).toEqual(expected.shape);
    expectClose(actual.data, expected.values, 1e-10, 1e-10);
  };
  /** PyTorch's keyword arguments as our options. */
  const optionsOf = (o: Record<string, unknown>) => ({
    stride: o.stride as Conv2dOptions['stride'], padding: o.padding as Conv2dOptions['padding'],
    dilation: o.dilation as Conv2dOptions['dilation'], groups: o.groups as number | undefined,
  });

  it('made by PyTorch', () => expect(fixture.torch).toMatch(/^\d+\.\d+/));

  it.each(fixture.conv2d.map((c) => [c.name, c] as const))('conv2d %s: output and gradients', (_name, c) => {
    const x = t(c.x), w = t(c.w), bias = 'bias' in c ? t(c.bias as Flat) : null;
    const out = conv2d(x, w, bias, optionsOf(c.options));
    close(out, c.out);
    const grads = grad(sum(mul(conv2d(x, w, bias, optionsOf(c.options)), t(c.g))), bias ? [x, w, bias] : [x, w]);
    close(grads[0]!, c.dx);
    close(grads[1]!, c.dw);
    if (bias) close(grads[2]!, (c as { dbias: Flat }).dbias);
  });

  it.each(fixture.pool.map((c) => [c.name, c] as const))('%s: output and gradient', (_name, c) => {
    const o = c.options as { kernel_size: number | [number, number]; stride?: number | [number, number]; padding?: number };
    const options = { kernel: o.kernel_size, stride: o.stride, padding: o.padding };
    const pool = c.op === 'maxPool2d' ? maxPool2d : avgPool2d;
    const x = t(c.x);
    close(pool(x, options), c.out);
    close(grad(sum(mul(pool(x, options), t(c.g))), [x])[0]!, c.dx);
  });
});

describe('higher derivatives', () => {
  it('the gradient of a gradient through conv2d equals the construction', () => {
    const x = f64([1, 2, 4, 4], 5), w = f64([2, 2, 2, 2], 6), options: Conv2dOptions = { stride: 2, padding: 1 };
    // Σ (∂L/∂x)² for L = Σ conv(x, w)³, differentiated again in w: exercises both gradient ops' VJPs.
    const secondOrder = (convolve: (x: Tensor, w: Tensor) => Tensor) => {
      const [dx] = grad(sum(convolve(x, w).pow(3)), [x], { createGraph: true });
      return grad(sum(dx!.square()), [w])[0]!;
    };
    expectClose(secondOrder((a, b) => conv2d(a, b, options)).data, secondOrder((a, b) => convBySlices(a, b, options)).data, 1e-10, 1e-10);
  });

  it('the gradient of a max-pooling gradient gathers at the maxima', () => {
    const x = tensor([[[[1, 5], [3, 2]]]], { dtype: 'float64' }), v = tensor([[[[7]]]], { dtype: 'float64' });
    // d/dx Σ(maxPool(x) · v)² = 2·v²·max at the maximum's position
    const [dx] = grad(sum(mul(maxPool2d(x, 2), v).square()), [x], { createGraph: true });
    expect(dx!.toArray()).toEqual([[[[0, 490], [0, 0]]]]);
    expect(grad(dx!.sum(), [x])[0]!.toArray()).toEqual([[[[0, 98], [0, 0]]]]);
  });
});

describe('every kernel set', () => {
  // The wasm and native sets take the window kernels from the reference set for now and their own matmul:
  // a float32 CNN layer and its gradients agree with the reference set's to float32 rounding.
  const sets: BackendName[] = ['wasm-simd', 'native'];
  const layer = () => {
    const x = randn([3, 4, 9, 8], { seed: 7 }), w = randn([6, 2, 3, 3], { seed: 8 }), b = randn([6], { seed: 9 });
    const y = maxPool2d(conv2d(x, w, b, { padding: 1, groups: 2 }).relu(), 2);
    const z = avgPool2d(y, { kernel: 2, stride: 1 });
    return [z, ...grad(sum(mul(z, z)), [x, w, b])];
  };

  it.each(sets)('%s: conv2d, maxPool2d and avgPool2d with their gradients equal the reference set', (name) => {
    const before = backend();
    try {
      setBackend('reference');
      const expected = layer();
      setBackend(name);
      const actual = layer();
      actual.forEach((t, i) => expectClose(t.data, expected[i]!.data, 1e-5, 1e-5));
    } finally {
      setBackend(before as BackendName);
    }
  });
});

describe('the window kernels at the kernel boundary', () => {
  const win = { batch: 1, channels: 1, height: 4, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 2, outW: 2 };
  const f = (n: number) => new Float32Array(n);
  const set = () => kernels().name.replace(/[()]/g, '\\$&');

  it('checks every length and size, naming the kernel', () => {
    expect(() => kernels().im2col(f(15), win, f(16))).toThrow(new RegExp(`^kernel im2col \\(${set()}\\): x has 15 values, expected 16 \\(batch·channels·height·width = 1·1·4·4\\)`));
    expect(() => kernels().col2im(f(15), win, f(16))).toThrow(/^kernel col2im .*: cols has 15 values, expected 16 \(channels·kernelH·kernelW·batch·outH·outW = 1·2·2·1·2·2\)/);
    expect(() => kernels().maxPool2d(f(16), win, f(4), new Int32Array(3))).toThrow(/^kernel maxPool2d .*: argmax has 3 values, expected 4/);
    expect(() => kernels().maxPool2d(f(16), win, f(4), f(4) as unknown as Int32Array)).toThrow(/argmax must be an Int32Array/);
    expect(() => kernels().avgPool2d(f(16), win, f(3))).toThrow(/^kernel avgPool2d .*: out has 3 values, expected 4 \(batch·channels·outH·outW = 1·1·2·2\)/);
    expect(() => kernels().avgPool2dBackward(f(4), win, f(15))).toThrow(/^kernel avgPool2dBackward .*: out has 15 values, expected 16/);
    expect(() => kernels().im2col(f(16), { ...win, strideH: 0 }, f(16))).toThrow(/window.strideH must be at least 1, got 0/);
    expect(() => kernels().im2col(f(16), { ...win, padW: 1.5 }, f(16))).toThrow(/window.padW must be a non-negative whole number, got the number 1.5/);
    // max pooling's maximum must be some value of the image: no window wholly in the padding
    expect(() => kernels().maxPool2d(f(16), { ...win, padH: 2, outH: 3 }, f(6), new Int32Array(6))).toThrow(/a window falls wholly in the padding/);
  });
});

describe('bad input names the op, the argument, the shapes and the fix', () => {
  const x = randn([2, 3, 8, 8], { seed: 1 });
  const w = randn([4, 3, 3, 3], { seed: 2 });
  const cases: [string, () => unknown, RegExp][] = [
    ['channels that do not match', () => conv2d(x, zeros([4, 2, 3, 3])), /^conv2d: x \[2,3,8,8\] has 3 channels but w \[4,2,3,3\] expects 2: w must be \[4, 3, 3, 3\] for x's 3 channels/],
    ['channels that do not split into groups', () => conv2d(x, zeros([4, 1, 3, 3]), { groups: 2 }), /^conv2d: x \[2,3,8,8\] has 3 channels but w \[4,1,3,3\] expects 2 \(1 per group × 2 groups\): with groups = 2/],
    ['outputs that do not split into groups', () => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), { groups: 2 }), /and its 3 outputs do not split into 2 groups/],
    ['a kernel larger than the padded input', () => conv2d(zeros([1, 3, 4, 4]), zeros([2, 3, 7, 7]), { padding: 1 }), /^conv2d: the 7×7 kernel is larger than the padded input 6×6 \(x \[1,3,4,4\], padding \[top 1, bottom 1, left 1, right 1\]\): use a smaller kernel or more padding/],
    ['a dilated kernel larger than the input', () => conv2d(zeros([1, 3, 4, 4]), w, { dilation: 2 }), /the 3×3 kernel \(5×5 dilated\) is larger than the padded input 4×4/],
    ["'same' with a stride", () => conv2d(x, w, { padding: 'same', stride: 2 }), /^conv2d: padding 'same' needs stride 1, got stride \[2, 2\] \(as PyTorch: give the padding as numbers, or use stride 1\)/],
    ['a fractional stride', () => conv2d(x, w, { stride: 1.5 }), /^conv2d: stride must be a whole number ≥ 1 or a pair \[rows, columns\] of them, got the number 1.5/],
    ['a zero stride', () => conv2d(x, w, { stride: 0 }), /^conv2d: stride must be a whole number ≥ 1/],
    ['a negative padding', () => conv2d(x, w, { padding: -1 }), /^conv2d: padding must be a whole number ≥ 0 or a pair \[rows, columns\] of them, got the number -1 \(or 'valid' or 'same'\)/],
    ['an unknown padding word', () => conv2d(x, w, { padding: 'full' as 'same' }), /^conv2d: padding must be .*got the string "full"/],
    ['a zero dilation', () => conv2d(x, w, { dilation: [1, 0] }), /^conv2d: dilation must be a whole number ≥ 1 or a pair/],
    ['fractional groups', () => conv2d(x, w, { groups: 1.5 }), /^conv2d: groups must be a whole number ≥ 1, got the number 1.5/],
    ['an input of rank 3', () => conv2d(zeros([3, 8, 8]), w), /^conv2d: x must have rank 4, \[batch, channels, height, width\], got \[3,8,8\] \(for one image, add the batch axis: x.reshape\(\[1, 3, 8, 8\]\)\)/],
    ['weights of rank 3', () => conv2d(x, zeros([3, 3, 3])), /^conv2d: w must have rank 4, \[outChannels, inChannels\/groups, kh, kw\], got \[3,3,3\]/],
    ['a bias of the wrong length', () => conv2d(x, w, zeros([3])), /^conv2d: bias must be \[4\], one per output channel of w \[4,3,3,3\], got \[3\]/],
    ['a bias that is a list', () => conv2d(x, w, [1, 2, 3, 4] as unknown as Tensor), /^conv2d: bias is an array of length 4, not a Tensor; wrap it with tensor\(\)/],
    ['x not a tensor', () => conv2d([1] as unknown as Tensor, w), /^conv2d: x is an array of length 1, not a Tensor/],
    ['maxPool2d: a kernel larger than the input', () => maxPool2d(zeros([1, 1, 3, 3]), { kernel: 4 }), /^maxPool2d: the 4×4 kernel is larger than the padded input 3×3/],
    ['maxPool2d: padding over half the kernel', () => maxPool2d(x, { kernel: 2, padding: 2 }), /^maxPool2d: padding \[2, 2\] is more than half the 2×2 kernel \(as PyTorch: use padding ≤ \[1, 1\] or a larger kernel\)/],
    ['maxPool2d: a zero kernel', () => maxPool2d(x, { kernel: 0 }), /^maxPool2d: kernel must be a whole number ≥ 1/],
    ['maxPool2d: a fractional stride', () => maxPool2d(x, { kernel: 2, stride: [1, 0.5] }), /^maxPool2d: stride must be a whole number ≥ 1 or a pair \[rows, columns\] of them, got an array of length 2 \[1, 0.5\]/],
    ['maxPool2d: no options', () => maxPool2d(x, undefined as unknown as number), /^maxPool2d: options must be \{ kernel, stride, padding \} or a kernel size, got undefined/],
    ['avgPool2d: an input of rank 2', () => avgPool2d(zeros([8, 8]), 2), /^avgPool2d: x must have rank 4, \[batch, channels, height, width\], got \[8,8\] \(images are \[batch, channels, height, width\] \(NCHW\)\)/],
    ['globalAvgPool2d: an input of rank 2', () => globalAvgPool2d(zeros([8, 8])), /^globalAvgPool2d: x must have rank 4/],
  ];

  it.each(cases)('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
