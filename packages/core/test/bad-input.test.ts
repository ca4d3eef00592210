/**
 * core's bad-input catalogue: each bad input a user (or an op's author) can give, and the Error that names
 * it in their words. Grouped by class, so the closing note can count cases per class. Each case asserts the
 * message, so a case fails if the check goes, or if the message stops naming the right thing.
 */
import { describe, expect, it } from 'vitest';
import {
  add, arange, backend, broadcastTo, concat, defineOp, eye, fromData, full, fuse, gather, getOp, grad, linspace, logsumexp,
  matmul, max, mean, min, oneHot, ones, reshape, setBackend, softmax, softmaxCrossEntropy, sum, Tensor, tensor, zeros,
  type BackendName,
} from '@chainrule/core';
import { kernels, loadWasmKernels, type Kernels } from '../src/backend/index.ts';

const x23 = tensor([[1, 2, 3], [4, 5, 6]]);
/** The identity op with a VJP under test; the forward shares x's data (tensors are immutable). */
let n = 0;
const identityWith = (vjp: (g: Tensor) => unknown) => defineOp({
  name: `badInputIdentity${n++}`, arity: 1,
  forward: ([a]) => ({ shape: a!.shape, data: a!.data }),
  vjp: (_, __, g) => vjp(g) as Tensor[],
});
const gradOfIdentity = (vjp: (g: Tensor) => unknown) => grad(identityWith(vjp).run([x23], {}).sum(), x23);

describe('silent wrong results', () => {
  it('a Tensor whose data does not fill its shape (would compute with NaN)', () => {
    expect(() => new Tensor(Float32Array.of(1, 2, 3), [2, 2])).toThrow(/^Tensor: 3 values do not fill shape \[2,2\] \(4 needed\)$/);
    expect(() => new Tensor(Float32Array.of(1, 2, 3, 4, 5), [2, 2])).toThrow(/^Tensor: 5 values do not fill shape \[2,2\]/);
  });

  it('a VJP returning [4,2,3] for a [2,3] input of an op whose output is [2,3] (would be summed into a gradient 4× too big)', () => {
    expect(() => gradOfIdentity((g) => [g.broadcastTo([4, 2, 3])])).toThrow(
      /grad: the VJP of 'badInputIdentity\d+' returned \[4,2,3\] float32 for input 0, which is \[2,3\] float32 \(a broadcast the op's output \[2,3\] does not account for/);
  });

  it('a VJP stretching a size-1 axis the output does not have ([2,3] → [2,3] for an input [1,3] of a [1,3] output)', () => {
    const row = tensor([[1, 2, 3]]);
    const op = defineOp({ name: 'badInputRowIdentity', arity: 1, forward: ([a]) => ({ shape: a!.shape, data: a!.data }), vjp: (_, __, g) => [g.broadcastTo([2, 3])] });
    expect(() => grad(op.run([row], {}).sum(), row)).toThrow(/VJP of 'badInputRowIdentity' returned \[2,3\] float32 for input 0, which is \[1,3\] float32/);
  });

  it('the same VJP under createGraph (the backward pass recorded as ops) is refused alike', () => {
    const op = identityWith((g) => [g.broadcastTo([4, 2, 3])]);
    expect(() => grad(op.run([x23], {}).sum(), x23, { createGraph: true })).toThrow(/returned \[4,2,3\] float32 for input 0, which is \[2,3\] float32 \(a broadcast the op's output/);
  });

  it('a VJP returning too few cotangents (was ignored)', () => {
    const two = defineOp({ name: 'badInputTwoInputs', arity: 2, forward: ([a]) => ({ shape: a!.shape, data: a!.data }), vjp: (_, __, g) => [g] });
    const y = tensor([[1, 1, 1], [1, 1, 1]]);
    expect(() => grad(two.run([x23, y], {}).sum(), [x23, y])).toThrow(/^grad: the VJP of 'badInputTwoInputs' returned 1 cotangent\(s\) for its 2 input\(s\) \(shapes \[2,3\], \[2,3\]\)$/);
  });

  it('a VJP returning too many cotangents (was ignored)', () => {
    expect(() => gradOfIdentity((g) => [g, g])).toThrow(/VJP of 'badInputIdentity\d+' returned 2 cotangent\(s\) for its 1 input\(s\)/);
  });

  it('max of an empty tensor (gave -Infinity; NumPy raises)', () => {
    expect(() => max(zeros([0, 3]), 0)).toThrow(/^max: zero-size tensor \[0,3\] along axis 0 has no maximum \(max has no identity\)$/);
    expect(() => max(zeros([0]))).toThrow(/^max: zero-size tensor \[0\] along axis 0 has no maximum/);
  });

  it('min of an empty tensor, over all axes (gave Infinity)', () => {
    expect(() => min(zeros([3, 0]))).toThrow(/^min: zero-size tensor \[3,0\] along axis 1 has no minimum \(min has no identity\)$/);
    expect(() => zeros([0, 0]).min()).toThrow(/^min: zero-size tensor \[0,0\] along axes \[0,1\] has no minimum/);
  });

  it('gather through op.run with an index past the axis (read outside the tensor)', () => {
    expect(() => getOp('gather')!.run([tensor([1, 2, 3])], { axis: 0, indices: Int32Array.of(0, 3), indicesShape: [2] })).toThrow(
      /^gather: index 3 at position 1 is out of range for axis 0 of size 3$/);
  });

  it('softmaxCrossEntropy through op.run with a label past the classes (read outside the row)', () => {
    expect(() => getOp('softmaxCrossEntropy')!.run([zeros([2, 3])], { labels: Int32Array.of(0, 5) })).toThrow(
      /softmaxCrossEntropy \(labels\): index 5 at position 1 is out of range for axis 1 of size 3/);
  });

  it('an optimiser state shorter than the parameter: a fused program refuses arrays of different lengths', () => {
    const f = (len: number) => new Float32Array(len);
    const adamLike = fuse({ arrays: ['p', 'g', 'm'] }, ({ p, g, m }) => ({ p: p.sub(g), m: m.add(g) })).program;
    expect(() => kernels().fused(adamLike, [f(64), f(64), f(48)], new Float64Array(adamLike.scalars), [f(64), f(64)])).toThrow(
      new RegExp(`^kernel fused \\(${backend()}\\): inputs\\[2\\] has 48 values, expected 64 \\(all arrays of a fused program have one length\\)$`));
  });

  it('the forward of an op returning a shape with a string in it', () => {
    const op = defineOp({ name: 'badInputStringShape', arity: 1, differentiable: false, forward: ([a]) => ({ shape: ['2', 3] as never, data: a!.data }) });
    expect(() => op.run([x23], {})).toThrow(/^badInputStringShape: forward returned 6 values for shape \["2",3\]$/);
  });
});

describe('follows NumPy where a reduction of nothing has an answer', () => {
  it('sum of an empty tensor is 0, mean NaN, logsumexp −∞', () => {
    expect(sum(zeros([0, 3])).item()).toBe(0);
    expect(Array.from(sum(zeros([0, 3]), 0).data)).toEqual([0, 0, 0]);
    expect(mean(zeros([0]))).toSatisfy((t: Tensor) => Number.isNaN(t.item()));
    expect(logsumexp(zeros([0])).item()).toBe(-Infinity);
    expect(Array.from(logsumexp(zeros([2, 0]), 1).data)).toEqual([-Infinity, -Infinity]);
  });

  it('max along a non-empty axis of an empty tensor is an empty tensor, not an error', () => {
    expect(max(zeros([0, 3]), 1).shape).toEqual([0]);
  });
});

describe('late or unnamed errors: defineOp checks its spec when the op is defined', () => {
  const forward = ([a]: readonly Tensor[]) => ({ shape: a!.shape, data: a!.data });
  const vjp = (_: readonly Tensor[], __: Tensor, g: Tensor) => [g];

  it('no name', () => {
    expect(() => defineOp({ forward, vjp } as never)).toThrow(/^defineOp: the spec has no name \(name must be a non-empty string, got undefined\)$/);
    expect(() => defineOp({ name: '  ', forward, vjp } as never)).toThrow(/^defineOp: the spec has no name/);
  });

  it('no forward (failed later with "spec.forward is not a function")', () => {
    expect(() => defineOp({ name: 'badInputNoForward', vjp } as never)).toThrow(/^defineOp 'badInputNoForward': forward must be a function, got undefined$/);
  });

  it('a vjp that is not a function, or none without differentiable: false', () => {
    expect(() => defineOp({ name: 'badInputVjpNumber', forward, vjp: 3 } as never)).toThrow(/^defineOp 'badInputVjpNumber': vjp must be a function \(or say differentiable: false\), got the number 3$/);
    expect(() => defineOp({ name: 'badInputNoVjp', forward } as never)).toThrow(/defineOp 'badInputNoVjp': vjp must be a function/);
  });

  it('a fractional arity', () => {
    expect(() => defineOp({ name: 'badInputArity', arity: 1.5, forward, vjp })).toThrow(/^defineOp 'badInputArity': arity must be a non-negative whole number .*got the number 1.5$/);
  });

  it('sample or describe that are not functions', () => {
    expect(() => defineOp({ name: 'badInputSample', forward, vjp, sample: {} } as never)).toThrow(/^defineOp 'badInputSample': sample must be a function, got an object$/);
    expect(() => defineOp({ name: 'badInputDescribe', forward, vjp, describe: 'axis' } as never)).toThrow(/^defineOp 'badInputDescribe': describe must be a function, got the string "axis"$/);
  });

  it('a spec that is not an object', () => {
    expect(() => defineOp(undefined as never)).toThrow(/^defineOp: the spec must be an object/);
  });
});

describe('late or unnamed errors: the engine names the op whose forward or VJP misbehaves', () => {
  it('a VJP returning something other than an array', () => {
    expect(() => gradOfIdentity((g) => g)).toThrow(/^grad: the VJP of 'badInputIdentity\d+' returned a Tensor; it must return an array with one cotangent/);
  });

  it('a VJP returning a number where a cotangent belongs', () => {
    expect(() => gradOfIdentity(() => [1])).toThrow(/VJP of 'badInputIdentity\d+' returned the number 1 for input 0; expected a Tensor \(or null for no gradient\)/);
  });

  it('a VJP that throws a TypeError', () => {
    expect(() => gradOfIdentity(() => (undefined as unknown as { x: number[] }).x)).toThrow(/^grad: the VJP of 'badInputIdentity\d+' failed on inputs \[2,3\] \(TypeError: /);
  });

  it('a forward that throws a TypeError', () => {
    const op = defineOp<{ k: number[] }>({ name: 'badInputForwardThrows', arity: 1, differentiable: false, forward: ([a], { k }) => ({ shape: a!.shape, data: a!.data.map((v) => v * k[0]!) }) });
    expect(() => op.run([x23], {} as never)).toThrow(/^badInputForwardThrows: the forward pass failed on inputs \[2,3\] \(TypeError: /);
  });

  it('a forward returning something other than { shape, data }', () => {
    const op = defineOp({ name: 'badInputForwardReturnsArray', arity: 1, differentiable: false, forward: ([a]) => a!.data as never });
    expect(() => op.run([x23], {})).toThrow(/^badInputForwardReturnsArray: forward must return \{ shape, data \} with data a Float32Array or Float64Array, got a Float32Array$/);
  });

  it('op.run with attributes that are not an object, or inputs that are not an array', () => {
    expect(() => getOp('sum')!.run([x23], undefined)).toThrow(/^sum: attributes must be an object \(\{\} for none\), got undefined$/);
    expect(() => getOp('neg')!.run(x23 as never, {})).toThrow(/^neg: inputs must be an array of tensors, got a Tensor$/);
  });
});

describe('wrong types: non-tensors where tensors belong', () => {
  it('an array given to an op', () => {
    expect(() => sum([1, 2, 3] as never)).toThrow(/^sum: x is an array of length 3, not a Tensor; wrap it with tensor\(\)$/);
    expect(() => reshape([[1, 2]] as never, [2])).toThrow(/^reshape: x is an array of length 1, not a Tensor; wrap it with tensor\(\)$/);
  });

  it('a typed array given to matmul', () => {
    expect(() => matmul(x23, Float32Array.of(1, 2, 3) as never)).toThrow(/^matmul: b is a Float32Array, not a Tensor; wrap it with tensor\(\) \(a copy\) or fromData\(\)$/);
  });

  it('a string or an array as an operand of add', () => {
    expect(() => add(x23, '1' as never)).toThrow(/^add: b is the string "1", not a Tensor or a number$/);
    expect(() => add([1, 2] as never, x23)).toThrow(/^add: a is an array of length 2, not a Tensor or a number; wrap it with tensor\(\)$/);
  });

  it('an op run on a plain object', () => {
    expect(() => getOp('exp')!.run([{ shape: [2] } as never], {})).toThrow(/^exp: input 0 is an object, not a Tensor$/);
  });

  it('a list of tensors holding something else (concat)', () => {
    expect(() => concat([x23, [1, 2, 3]] as never)).toThrow(/^concat: xs\[1\] is an array of length 3, not a Tensor; wrap it with tensor\(\)$/);
  });

  it('grad of a non-tensor', () => {
    expect(() => grad(3 as never, x23)).toThrow(/^grad: y \(the value to differentiate\) is the number 3, not a Tensor; wrap it with tensor\(\)$/);
  });

  it('a Tensor made from a plain array, or fromData given one', () => {
    expect(() => new Tensor([1, 2] as never, [2])).toThrow(/^Tensor: data must be a Float32Array or Float64Array, got an array of length 2; use tensor\(\) for arrays of numbers$/);
    expect(() => fromData([1, 2] as never, [2])).toThrow(/^fromData: data must be a Float32Array or Float64Array, got an array of length 2; use tensor\(\) for arrays of numbers$/);
  });

  it('tensor() of an integer typed array', () => {
    expect(() => tensor(Int32Array.of(1, 2) as never)).toThrow(/^tensor: got an Int32Array; pass a Float32Array, a Float64Array, or numbers/);
  });
});

describe('wrong types: strings and other values where numbers belong', () => {
  it('a string in a shape', () => {
    expect(() => zeros(['2', 3] as never)).toThrow(/^zeros: dimension 0 of shape \["2",3\] is the string "2", not a number$/);
    expect(() => reshape(x23, [3, '2'] as never)).toThrow(/^reshape: dimension 1 of shape \[3,"2"\] is the string "2", not a number$/);
  });

  it('a shape that is not an array', () => {
    expect(() => ones(6 as never)).toThrow(/^ones: shape must be an array of dimensions, got the number 6$/);
  });

  it('a string axis', () => {
    expect(() => sum(x23, '1' as never)).toThrow(/^sum: axis must be a number, a list of numbers or undefined \(all axes\), got the string "1"$/);
    expect(() => softmax(x23, '1' as never)).toThrow(/^softmax: axis is the string "1", not a whole number$/);
  });

  it('a string fill value, a string keepDims', () => {
    expect(() => full([2], '1' as never)).toThrow(/^full: the fill value must be a number, got the string "1"$/);
    expect(() => sum(x23, 0, 'yes' as never)).toThrow(/^sum: keepDims must be true or false, got "yes"$/);
  });

  it('clip bounds that are strings', () => {
    expect(() => x23.clip('0' as never, 1)).toThrow(/^clip: min and max must be numbers with min ≤ max, got min "0" and max 1$/);
  });

  it('softmaxCrossEntropy labels that are not a list', () => {
    expect(() => softmaxCrossEntropy(x23, 1 as never)).toThrow(/^softmaxCrossEntropy: labels must be an array of class indices or an Int32Array, got the number 1$/);
  });
});

describe('fractional or out-of-range axes and counts', () => {
  it('a fractional axis', () => {
    expect(() => sum(x23, 1.5)).toThrow(/^sum: axis 1.5 is not a whole number$/);
    expect(() => max(x23, [0, 0.5])).toThrow(/^max: axis 0.5 is not a whole number$/);
  });

  it('an axis out of range', () => {
    expect(() => sum(x23, 3)).toThrow(/^sum: axis 3 is out of range for a tensor of rank 2 \(valid: -2..1\)$/);
    expect(() => softmax(x23, -3)).toThrow(/^softmax: axis -3 is out of range for a tensor of rank 2/);
  });

  it('linspace and eye with counts that are not whole numbers', () => {
    expect(() => linspace(0, 1, 2.5)).toThrow(/^linspace: num \(the number of values\) must be a non-negative whole number, got the number 2.5$/);
    expect(() => linspace(0, 1, -1)).toThrow(/^linspace: num .* got the number -1$/);
    expect(() => eye(2, NaN)).toThrow(/^eye: m \(columns\) must be a non-negative whole number, got the number NaN$/);
  });

  it('oneHot with a fractional depth', () => {
    expect(() => oneHot([0, 1], 2.5)).toThrow(/^oneHot: depth must be a non-negative whole number, got the number 2.5$/);
  });
});

describe('non-finite numbers where a finite one belongs', () => {
  it('arange(0, Infinity) (ended in "Invalid typed array length")', () => {
    expect(() => arange(0, Infinity)).toThrow(/^arange: stop must be a finite number, got the number Infinity$/);
  });

  it('arange(NaN) (made a tensor of shape [NaN])', () => {
    expect(() => arange(NaN)).toThrow(/^arange: stop must be a finite number, got the number NaN$/);
  });

  it('an arange step of 0 or NaN', () => {
    expect(() => arange(0, 5, 0)).toThrow(/^arange: step must be non-zero$/);
    expect(() => arange(0, 5, NaN)).toThrow(/^arange: step must be a finite number, got the number NaN$/);
  });

  it('linspace from NaN', () => {
    expect(() => linspace(NaN, 1, 3)).toThrow(/^linspace: start must be a finite number, got the number NaN$/);
  });
});

describe('huge sizes: refused before allocating, with the size in bytes', () => {
  it('zeros([1e6, 1e6]) (ended in "Invalid typed array length")', () => {
    expect(() => zeros([1e6, 1e6])).toThrow(/^zeros: shape \[1000000,1000000\] needs 4e12 bytes \(float32\), more than a typed array can hold/);
  });

  it('ones in float64', () => {
    expect(() => ones([1e5, 1e5], { dtype: 'float64' })).toThrow(/^ones: shape \[100000,100000\] needs 8e10 bytes \(float64\)/);
  });

  it('arange over too many values', () => {
    expect(() => arange(0, 1e10)).toThrow(/^arange: shape \[10000000000\] needs 4e10 bytes \(float32\)/);
  });

  it('eye, broadcastTo and oneHot beyond a typed array', () => {
    expect(() => eye(1e5)).toThrow(/^eye: shape \[100000,100000\] needs 4e10 bytes/);
    expect(() => broadcastTo(x23, [1e5, 1e5, 3])).toThrow(/^broadcastTo: shape \[100000,100000,3\] needs 1.2e11 bytes/);
    expect(() => oneHot([0, 1], 3e9)).toThrow(/^oneHot: shape \[2,3000000000\] needs 2.4e10 bytes/);
  });

  it('an op whose forward asks for too much (the allocator\'s backstop)', () => {
    expect(() => getOp('broadcastTo')!.run([x23], { shape: [1e6, 1e6, 3] })).toThrow(/^allocate: 3000000000000 float32 values need 1.2e13 bytes, more than a typed array can hold/);
  });
});

describe('crash and hang', () => {
  it('tensor() of a self-referencing nested array (looped until the heap was gone)', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => tensor(a as never)).toThrow(/^tensor: the nested array contains itself \(at \[0\]\), so it has no finite shape$/);
  });

  it('a self-referencing array of indices for gather', () => {
    const a: unknown[] = [0];
    a[0] = a;
    expect(() => gather(tensor([1, 2]), a as never, 0)).toThrow(/^gather: the nested array contains itself/);
  });
});

describe('kernels check lengths: every kernel of every set refuses a too-short array before it runs', () => {
  const f = (len: number) => new Float32Array(len);
  const i32 = (len: number) => new Int32Array(len);
  const sgd = { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 };
  const adam = { b1: 0.9, b2: 0.999, eps: 1e-8, stepSize: 1e-3, invRootC2: 1, l2: 0, keep: 1 };
  const rms = { lr: 0.1, rho: 0.9, eps: 1e-8, momentum: 0, weightDecay: 0 };
  /** outputs[0] = inputs[0]: one copy instruction (opcode 0). */
  const copyProgram = { inputs: 1, scalars: 0, temps: 0, outputs: 1, code: Int32Array.of(0, 1, 0, -1, -1) };
  /** 1×1 windows over an 8×8 image: 64 values in and out. */
  const win8 = { batch: 1, channels: 1, height: 8, width: 8, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 8, outW: 8 };
  /** One call per kernel with one array too short (64 values: past the wasm sets' thresholds), and what the message says. */
  const calls: { readonly [K in Exclude<keyof Kernels, 'name'>]: [unknown[], RegExp] } = {
    unary: [['relu', f(64), f(63), 0], /out has 63 values, expected 64 \(x's length\)/],
    binary: [['add', f(64), [1], f(63), [1], [64], f(64)], /reading b \(63 values\) with strides \[1\] over \[64\] reaches index 63/],
    select: [[f(64), [1], f(64), [1], f(60), [1], [64], f(64)], /reading b \(60 values\)/],
    reduce: [['sum', f(63), [8, 8], [0], f(8)], /x has 63 values, expected 64 \(the size of \[8,8\]\)/],
    matmul: [[f(64), f(63), f(64), 8, 8, 8, false, false], /b has 63 values, expected 64 \(k·n = 8·8\)/],
    linear: [[f(64), f(64), f(7), f(64), 8, 8, 8], /bias has 7 values, expected 8 \(n = 8\)/],
    copyStrided: [[f(63), 0, [8, 1], [8, 8], f(64)], /reading x \(63 values\) with strides \[8,1\] over \[8,8\] reaches index 63/],
    softmax: [[f(63), 8, 8, 1, f(64), false], /x has 63 values, expected 64/],
    logsumexp: [[f(64), 8, 8, 1, f(7)], /out has 7 values, expected 8 \(outer·inner = 8·1\)/],
    pad: [[f(64), [8, 8], [1, 1], [9, 9], f(80)], /out has 80 values, expected 81/],
    gather: [[f(63), 8, 8, 1, i32(64), f(64)], /x has 63 values, expected 64/],
    scatterAdd: [[f(64), 8, 8, 1, i32(64), f(63)], /out has 63 values, expected 64/],
    takeRows: [[f(64), 8, i32(8), f(63)], /out has 63 values, expected 64 \(rows·rowLength = 8·8\)/],
    im2col: [[f(64), win8, f(63)], /out has 63 values, expected 64 \(channels·kernelH·kernelW·batch·outH·outW = 1·1·1·1·8·8\)/],
    col2im: [[f(63), win8, f(64)], /cols has 63 values, expected 64/],
    maxPool2d: [[f(64), win8, f(64), new Int32Array(63)], /argmax has 63 values, expected 64 \(batch·channels·outH·outW = 1·1·8·8\)/],
    avgPool2d: [[f(63), win8, f(64)], /x has 63 values, expected 64 \(batch·channels·height·width = 1·1·8·8\)/],
    avgPool2dBackward: [[f(64), win8, f(63)], /out has 63 values, expected 64/],
    concat: [[[f(32), f(31)], [4, 4], 8, f(64)], /parts\[1\] has 31 values, expected 32/],
    clip: [[f(64), 0, 1, f(63)], /out has 63 values, expected 64/],
    crossEntropy: [[f(64), 8, 8, i32(7), f(64)], /labels has 7 values, expected one per row \(8\)/],
    crossEntropyGrad: [[f(64), 8, 8, i32(8), 1, f(63)], /out has 63 values, expected 64/],
    sumSquares: [[new Array(64).fill(1)], /x is an array of length 64, not a Float32Array or Float64Array/],
    fused: [[copyProgram, [f(64)], new Float64Array(0), [f(63)]], /outputs\[0\] has 63 values, expected 64 \(all arrays of a fused program have one length\)/],
  };
  const names: BackendName[] = ['reference', 'wasm-simd', ...(loadWasmKernels({ relaxed: true })?.name === 'wasm-relaxed-simd' ? ['wasm-relaxed-simd' as const] : [])];

  it('the table covers every kernel of the interface', () => {
    expect(Object.keys(calls).sort()).toEqual(Object.keys(kernels()).filter((k) => k !== 'name').sort());
  });

  describe.each(names)('%s', (name) => {
    it.each(Object.entries(calls))('%s', (kernel, [args, message]) => {
      const before = kernels();
      setBackend(name);
      try {
        const call = () => (kernels()[kernel as keyof typeof calls] as (...a: unknown[]) => unknown)(...args);
        expect(call).toThrow(new RegExp(`^kernel ${kernel} \\(${name}\\): ${message.source}`));
      } finally {
        setBackend(before);
      }
    });
  });

  it("a user's kernel set is checked too", () => {
    const before = kernels();
    let ran = false;
    setBackend({ name: 'mine', unary: () => { ran = true; } });
    try {
      expect(() => kernels().unary('relu', f(8), f(4), 0)).toThrow(/^kernel unary \(mine\): out has 4 values, expected 8/);
      expect(ran).toBe(false);
    } finally {
      setBackend(before);
    }
  });
});
