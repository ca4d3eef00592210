/**
 * The native kernel set (`@chainrule/native`, the C++ addon) agrees with the reference kernels, in float32
 * and float64, at every code path (level) this CPU runs: the lower ones are forced.
 *
 * Tolerances, per output element:
 * - matmul, linear: |native − ref| ≤ ε · Σₚ |a_ip|·|b_pj| (+ |bias_j|), ε = 1e-5 (float32) or 1e-13 (float64):
 *   they differ only in summation order and fused multiply-adds.
 * - binary ops, sum, sumSquares and fused programs: the same bits. The native kernels compute float32 in
 *   double and round once, as the reference does in JavaScript; sums add in the reference's order;
 *   fused programs round each instruction in the arrays' dtype, with no contraction (-ffp-contract=off).
 *   pow is the exception: a libm function, within 2 ulp.
 * - unary ops: the same bits for the exact ones (neg, abs, sqrt, relu, …), within 2 ulp for the libm
 *   functions (exp, log, sin, tanh, sigmoid, softplus, …: glibc's and V8's differ in the last bit).
 * - softmax, logsumexp: computed in double like the reference: within 2 ulp of the dtype, plus 1e-15
 *   absolute for float64 values near 0.
 * - select, copyStrided, pad, gather, scatterAdd, concat, clip, max/min reductions, crossEntropyGrad: the same
 *   bits (copies, comparisons, and one rounded operation per element in the reference's order).
 * - crossEntropy (exp and log from libm): probabilities within 4 ulp of the dtype plus 1e-15 absolute
 *   (float64 values near 0), the mean loss within 1e-12·(1 + |loss|).
 * NaN must meet NaN and ±Infinity the same infinity.
 *
 * If the addon is not built, this file fails with its loading error (build it: `npx -y pnpm@12.21.0 install`).
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { fromData, fuse } from '../src/index.ts';
import { backend, referenceKernels as ref, setBackend, type BinaryKernel, type Kernels, type UnaryKernel } from '../src/backend/index.ts';
import { FUSED_OPS, INSTRUCTION_WORDS, type FusedProgram } from '../src/backend/program.ts';
import { loadNativeKernels, nativeLevels } from '../src/backend/native/index.ts';
import { loadAddon } from '../src/backend/native/addon.ts';
import { broadcastStrides } from '../src/shape.ts';
import type { TypedArray } from '../src/dtype.ts';
import { fit, mlp } from '../../nn/src/index.ts';
import { expectAgree, expectMatmulAgrees, seededValues as values } from './kernel-agreement.ts';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const DTYPES: readonly [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** One unit in the last place near r, in the dtype. */
const ulpOf = (C: Ctor) => (r: number) => (C === Float32Array ? Math.max(Math.abs(r) * 2 ** -23, 2 ** -149) : Math.max(Math.abs(r) * 2 ** -52, 2 ** -1074));

const exact = () => 0;

// Collected now, so that a missing addon fails this file with its message instead of skipping it.
const levels = nativeLevels();
const sets = levels.map((level) => loadNativeKernels({ level, allNative: true }));
const cases = sets.flatMap((ks) => DTYPES.map(([dtype, C]) => [`${ks.name} ${dtype}`, ks, C] as const));

describe.each(cases)('%s kernels agree with the reference', (_name, ks: Kernels, C: Ctor) => {
  const ulp = ulpOf(C);
  const eps = C === Float32Array ? 1e-5 : 1e-13;

  const checkMatmul = (m: number, k: number, n: number, tA: boolean, tB: boolean, seed: number) =>
    expectMatmulAgrees(ks, values(C, m * k, seed), values(C, k * n, seed + 1), m, k, n, tA, tB, eps, 1e-300);

  const dim = fc.oneof(fc.constantFrom(1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 32, 33, 64, 67, 97), fc.integer({ min: 1, max: 90 }));

  it('matmul on random shapes, all four transposes', () => {
    fc.assert(fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.nat(), (m, k, n, tA, tB, seed) => {
      checkMatmul(m, k, n, tA, tB, seed);
    }), { numRuns: 120 });
  });

  it.each([[257, 129, 65], [64, 784, 128], [5, 300, 1030], [131, 513, 9], [1, 1000, 1], [1000, 1, 3]])(
    'matmul %i×%i×%i, all four transposes', (m, k, n) => {
      for (const tA of [false, true]) for (const tB of [false, true]) checkMatmul(m, k, n, tA, tB, m + k + n);
    });

  it('matmul with k = 0 gives zeros', () => {
    const out = new C(6 * 7).fill(7);
    ks.matmul(new C(0), new C(0), out, 6, 0, 7, false, false);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('linear (x·W + b) on random shapes', () => {
    fc.assert(fc.property(dim, dim, dim, fc.nat(), (m, k, n, seed) => {
      const x = values(C, m * k, seed), w = values(C, k * n, seed + 1), bias = values(C, n, seed + 2);
      const out = new C(m * n).fill(NaN), want = new C(m * n);
      ks.linear(x, w, bias, out, m, k, n);
      ref.linear(x, w, bias, want, m, k, n);
      expectAgree(`linear ${m}×${k}×${n}`, out, want, (at) => {
        const i = Math.floor(at / n), j = at % n;
        let mag = Math.abs(bias[j]!);
        for (let p = 0; p < k; p++) mag += Math.abs(x[i * k + p]! * w[p * n + j]!);
        return eps * mag + 1e-300;
      });
    }), { numRuns: 60 });
  });

  // [output shape, a shape, b shape]: same shape, rows, columns, scalars, rank 3, and (last) one that needs
  // three loops or more (binaryNd), and one of rank 9, which the native set hands to the reference.
  const BROADCASTS: readonly (readonly number[][])[] = [
    [[1], [1], [1]], [[7], [7], [7]], [[1000], [1000], [1]], [[1000], [1], [1000]], [[13, 31], [13, 31], [31]],
    [[13, 31], [13, 1], [13, 31]], [[13, 31], [1, 31], [13, 1]], [[3, 5, 7], [3, 5, 7], [1, 5, 7]],
    [[3, 5, 7], [3, 1, 7], [3, 5, 7]], [[2, 3, 4, 5], [2, 1, 4, 1], [1, 3, 1, 5]], [[2, 3, 2, 3, 5], [2, 1, 2, 1, 5], [1, 3, 1, 3, 1]],
    [[2, 2, 2, 2, 2, 2, 2, 2, 2], [2, 1, 2, 1, 2, 1, 2, 1, 2], [1, 2, 1, 2, 1, 2, 1, 2, 1]],
  ];
  const BINARY: readonly BinaryKernel[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'notEqual',
    'greater', 'greaterEqual', 'less', 'lessEqual'];

  it.each(BROADCASTS.map((c) => [JSON.stringify(c), c] as const))('every binary op with broadcast %s', (_s, [shape, aShape, bShape]) => {
    const a = values(C, size(aShape!), 3, 3), b = values(C, size(bShape!), 4, 3);
    // Ties for the comparisons, NaN for maximum/minimum.
    if (a.length > 2 && b.length > 2) { b[1] = a[1]!; a[2] = NaN; }
    const aS = broadcastStrides(aShape!, shape!), bS = broadcastStrides(bShape!, shape!);
    for (const op of BINARY) {
      const out = new C(size(shape!)).fill(NaN), want = new C(size(shape!));
      ks.binary(op, a, aS, b, bS, shape!, out);
      ref.binary(op, a, aS, b, bS, shape!, want);
      expectAgree(`${op} ${JSON.stringify(shape)}`, out, want, op === 'pow' ? (_i, r) => 2 * ulp(r) : exact);
    }
  });

  const UNARY: readonly UnaryKernel[] = ['neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'sin', 'cos', 'tanh', 'sigmoid',
    'relu', 'leakyRelu', 'softplus', 'sign', 'square', 'reciprocal', 'step'];
  const EXACT_UNARY = new Set<UnaryKernel>(['neg', 'sqrt', 'abs', 'relu', 'leakyRelu', 'sign', 'square', 'reciprocal', 'step']);

  it.each(UNARY)('unary %s on 1, 7 and 1031 elements (with NaN, ±Infinity, 0, large)', (op) => {
    for (const n of [1, 7, 1031]) {
      const x = values(C, n, n, 5);
      if (n > 10) x.set([NaN, Infinity, -Infinity, 0, -0, 100, -100, 1e-8], 0);
      const out = new C(n).fill(NaN), want = new C(n);
      ks.unary(op, x, out, 0.1);
      ref.unary(op, x, want, 0.1);
      expectAgree(`${op} on ${n}`, out, want, EXACT_UNARY.has(op) ? exact : (_i, r) => 2 * ulp(r));
    }
  });

  const shape = fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 9 })), { minLength: 1, maxLength: 4 });

  it('reduce sum, max and min over random axes: the same bits', () => {
    fc.assert(fc.property(shape, fc.nat(), fc.nat(), (s, pick, seed) => {
      const axes = s.map((_, d) => d).filter((d) => (pick >> d) & 1);
      const x = values(C, size(s), seed);
      const kept = size(s.filter((_, d) => !axes.includes(d)));
      for (const op of ['sum', 'max', 'min'] as const) {
        const out = new C(kept).fill(NaN), want = new C(kept);
        ks.reduce(op, x, s, axes, out);
        ref.reduce(op, x, s, axes, want);
        expectAgree(`${op} of ${JSON.stringify(s)} over ${JSON.stringify(axes)}`, out, want, exact);
      }
    }), { numRuns: 150 });
  });

  it('reduce sum of a long row (100 003 elements): the same bits', () => {
    const x = values(C, 100003, 9);
    const out = new C(1), want = new C(1);
    ks.reduce('sum', x, [100003], [0], out);
    ref.reduce('sum', x, [100003], [0], want);
    expect(out[0]).toBe(want[0]);
  });

  it.each([[1, 1, 1], [64, 10, 1], [3, 1000, 1], [4, 7, 5], [2, 3, 17]])('softmax, log-softmax and logsumexp over [%i, %i, %i]', (outer, len, inner) => {
    const x = values(C, outer * len * inner, len, 20);
    if (x.length > 8) x[5] = -Infinity;
    const bound = (_i: number, r: number) => 2 * ulp(r) + (C === Float64Array ? 1e-15 : 0);
    for (const log of [false, true]) {
      const out = new C(x.length).fill(NaN), want = new C(x.length);
      ks.softmax(x, outer, len, inner, out, log);
      ref.softmax(x, outer, len, inner, want, log);
      expectAgree(`softmax log=${log}`, out, want, bound);
    }
    const out = new C(outer * inner).fill(NaN), want = new C(outer * inner);
    ks.logsumexp(x, outer, len, inner, out);
    ref.logsumexp(x, outer, len, inner, want);
    expectAgree('logsumexp', out, want, bound);
  });

  it('logsumexp of a row holding NaN or only -Infinity', () => {
    const x = C.from([1, NaN, 2, -Infinity, -Infinity, -Infinity]);
    const out = new C(2), want = new C(2);
    ks.logsumexp(x, 2, 3, 1, out);
    ref.logsumexp(x, 2, 3, 1, want);
    expectAgree('logsumexp', out, want, exact);
  });

  it('sumSquares: the reference\'s sum to float64 rounding (sixteen lanes, not left to right), exact for one element', () => {
    for (const n of [0, 1]) expect(ks.sumSquares(values(C, n, n, 3))).toBe(ref.sumSquares(values(C, n, n, 3)));
    for (const n of [15, 16, 33, 100001]) {
      const got = ks.sumSquares(values(C, n, n, 3)), want = ref.sumSquares(values(C, n, n, 3));
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want);
    }
    expect(ks.sumSquares(C.from([1, 2, NaN, ...new Array(40).fill(1)]))).toBeNaN();
    expect(ks.sumSquares(C.from([1, Infinity, ...new Array(40).fill(1)]))).toBe(Infinity);
  });

  it('every binary op on transposed operands (strides of neither 0 nor 1 in the last dim)', () => {
    const a = values(C, 60, 5, 3), b = values(C, 60, 6, 3);
    // a read as the transpose of [5, 12] and b of [3, 4, 5] permuted to [5, 3, 4].
    const shape = [5, 3, 4], aS = [1, 20, 5], bS = [1, 20, 5];
    for (const op of BINARY) {
      const out = new C(60).fill(NaN), want = new C(60);
      ks.binary(op, a, aS, b, bS, shape, out);
      ref.binary(op, a, aS, b, bS, shape, want);
      expectAgree(`${op} transposed`, out, want, op === 'pow' ? (_i, r) => 2 * ulp(r) : exact);
    }
  });

  it.each(BROADCASTS.map((c) => [JSON.stringify(c), c] as const))('select with broadcast %s (the condition in either dtype)', (_s, [shape, aShape, bShape]) => {
    const a = values(C, size(aShape!), 7, 3), b = values(C, size(bShape!), 8, 3);
    for (const [cShape, CC] of [[bShape!, C], [aShape!, Float32Array], [aShape!, Float64Array]] as const) {
      const cond = values(CC, size(cShape), 9).map((v) => (v > 0.3 ? 0 : v));
      if (cond.length > 1) cond[1] = NaN;
      const cS = broadcastStrides(cShape, shape!), aS = broadcastStrides(aShape!, shape!), bS = broadcastStrides(bShape!, shape!);
      const out = new C(size(shape!)).fill(NaN), want = new C(size(shape!));
      ks.select(cond, cS, a, aS, b, bS, shape!, out);
      ref.select(cond, cS, a, aS, b, bS, shape!, want);
      expectAgree(`select ${JSON.stringify(shape)}`, out, want, exact);
    }
  });

  const dims = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 });

  it('copyStrided: permutations, broadcasts and slices of random shapes', () => {
    fc.assert(fc.property(dims, fc.nat(), fc.nat(), (src, pick, seed) => {
      const rank = src.length, x = values(C, size(src), seed);
      const strides = src.map((_, d) => size(src.slice(d + 1)));
      // A permutation (rotated by pick), a slice (each dim from pick's bits), then some dims broadcast.
      const perm = src.map((_, d) => (d + pick) % rank);
      const begin = src.map((n, d): number => (((pick >> d) & 1) === 1 && n > 1 ? 1 : 0));
      const outShape = perm.map((p) => src[p]! - begin[p]!);
      const offset = begin.reduce((o, b, d) => o + b * strides[d]!, 0);
      const outStrides = perm.map((p, d) => ((pick >> (d + 8)) & 1 ? 0 : strides[p]!));
      const out = new C(size(outShape)).fill(NaN), want = new C(size(outShape));
      ks.copyStrided(x, offset, outStrides, outShape, out);
      ref.copyStrided(x, offset, outStrides, outShape, want);
      expectAgree(`copyStrided of ${JSON.stringify(src)} as ${JSON.stringify(outShape)} strides ${JSON.stringify(outStrides)}`, out, want, exact);
    }), { numRuns: 150 });
  });

  it('pad: random shapes placed at random offsets', () => {
    fc.assert(fc.property(dims, fc.nat(), fc.nat(), (shape, pick, seed) => {
      const before = shape.map((_, d) => (pick >> (2 * d)) & 3), after = shape.map((_, d) => (pick >> (2 * d + 10)) & 3);
      const outShape = shape.map((n, d) => n + before[d]! + after[d]!);
      const x = values(C, size(shape), seed);
      const out = new C(size(outShape)).fill(NaN), want = new C(size(outShape));
      ks.pad(x, shape, before, outShape, out);
      ref.pad(x, shape, before, outShape, want);
      expectAgree(`pad ${JSON.stringify(shape)} into ${JSON.stringify(outShape)}`, out, want, exact);
    }), { numRuns: 150 });
  });

  it('gather and scatterAdd (repeated indices add up) on random [outer, len, inner]', () => {
    const n = fc.integer({ min: 1, max: 9 });
    fc.assert(fc.property(n, n, n, n, fc.nat(), (outer, len, inner, m, seed) => {
      const x = values(C, outer * len * inner, seed), g = values(C, outer * m * inner, seed + 1, 5);
      const indices = Int32Array.from(values(Float64Array, outer * m * inner, seed + 2), (v) => Math.floor(Math.abs(v) * len) % len);
      const out = new C(outer * m * inner).fill(NaN), want = new C(outer * m * inner);
      ks.gather(x, outer, len, inner, indices, out);
      ref.gather(x, outer, len, inner, indices, want);
      expectAgree(`gather [${outer}, ${len}, ${inner}] m=${m}`, out, want, exact);
      const sum = new C(outer * len * inner).fill(NaN), sumWant = new C(outer * len * inner);
      ks.scatterAdd(g, outer, len, inner, indices, sum);
      ref.scatterAdd(g, outer, len, inner, indices, sumWant);
      expectAgree(`scatterAdd [${outer}, ${len}, ${inner}] m=${m}`, sum, sumWant, exact);
    }), { numRuns: 150 });
  });

  it('concat of random blocks', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 20 }), fc.nat(),
      (blocks, outer, seed) => {
        const parts = blocks.map((b, p) => values(C, outer * b, seed + p));
        const total = outer * blocks.reduce((a, b) => a + b, 0);
        const out = new C(total).fill(NaN), want = new C(total);
        ks.concat(parts, blocks, outer, out);
        ref.concat(parts, blocks, outer, want);
        expectAgree(`concat ${JSON.stringify(blocks)} × ${outer}`, out, want, exact);
      }), { numRuns: 100 });
  });

  it('clip with NaN, ±0 and ±Infinity, and bounds that are NaN, infinite or between floats', () => {
    const x = values(C, 1031, 4, 3);
    x.set([NaN, Infinity, -Infinity, 0, -0, 0.1, -0.1], 0);
    for (const [lo, hi] of [[-1, 1], [0, 0], [-0, 0], [0.1, 0.30000000000000004], [-Infinity, 2], [NaN, 1], [2, 1]] as const) {
      const out = new C(x.length).fill(NaN), want = new C(x.length);
      ks.clip(x, lo, hi, out);
      ref.clip(x, lo, hi, want);
      for (let i = 0; i < x.length; i++) {
        if (!(Object.is(out[i], want[i]) || (Number.isNaN(out[i]) && Number.isNaN(want[i])))) throw new Error(`clip [${lo}, ${hi}] element ${i}: native ${out[i]}, reference ${want[i]}`);
      }
    }
  });

  it('reduce max and min with NaN, ±0 and ±Infinity: the same bits', () => {
    const shape = [6, 7, 5], x = values(C, 210, 11, 2);
    x.set([NaN, 0, -0, -0, 0, Infinity, -Infinity], 0);
    x.set([-0, 0], 100);
    for (const axes of [[0], [1], [2], [0, 1], [1, 2], [0, 1, 2]]) {
      for (const op of ['max', 'min'] as const) {
        const kept = size(shape.filter((_, d) => !axes.includes(d)));
        const out = new C(kept).fill(7), want = new C(kept);
        ks.reduce(op, x, shape, axes, out);
        ref.reduce(op, x, shape, axes, want);
        for (let i = 0; i < kept; i++) {
          if (!(Object.is(out[i], want[i]) || (Number.isNaN(out[i]) && Number.isNaN(want[i])))) throw new Error(`${op} over ${axes} element ${i}: native ${out[i]}, reference ${want[i]}`);
        }
      }
    }
  });

  it.each([[1, 2], [64, 10], [7, 1000], [3, 1]])('crossEntropy and its gradient over [%i, %i] logits', (rows, len) => {
    const x = values(C, rows * len, rows + len, 20);
    if (x.length > 8) x[5] = -Infinity;
    const labels = Int32Array.from({ length: rows }, (_, r) => (r * 7 + 3) % len);
    const probs = new C(rows * len).fill(NaN), probsWant = new C(rows * len);
    const loss = ks.crossEntropy(x, rows, len, labels, probs), lossWant = ref.crossEntropy(x, rows, len, labels, probsWant);
    expect(Math.abs(loss - lossWant), `loss ${loss} against ${lossWant}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(lossWant)));
    expectAgree('crossEntropy probs', probs, probsWant, (_i, r) => 4 * ulp(r) + (C === Float64Array ? 1e-15 : 0));
    const grad = new C(rows * len).fill(NaN), gradWant = new C(rows * len);
    ks.crossEntropyGrad(probsWant, rows, len, labels, 1 / rows, grad);
    ref.crossEntropyGrad(probsWant, rows, len, labels, 1 / rows, gradWant);
    expectAgree('crossEntropyGrad', grad, gradWant, exact);
  });

  /** A random well-formed program: 2 inputs, 2 scalars, 2 temporaries, 2 outputs. */
  const REGISTERS = 8, FIRST_WRITABLE = 4;
  const instruction = fc.tuple(fc.integer({ min: 0, max: FUSED_OPS.length - 1 }), fc.integer({ min: FIRST_WRITABLE, max: REGISTERS - 1 }),
    fc.integer({ min: 0, max: REGISTERS - 1 }), fc.integer({ min: 0, max: REGISTERS - 1 }), fc.integer({ min: 0, max: REGISTERS - 1 }));
  const programOf = (instructions: readonly (readonly number[])[]): FusedProgram => {
    const code = new Int32Array(instructions.length * INSTRUCTION_WORDS);
    instructions.forEach(([op, dst, a, b, c], i) => {
      const arity = op! < 6 ? 1 : op! < 12 ? 2 : 3;
      code.set([op!, dst!, a!, arity > 1 ? b! : -1, arity > 2 ? c! : -1], i * INSTRUCTION_WORDS);
    });
    return { inputs: 2, scalars: 2, temps: 2, outputs: 2, code };
  };

  // Random programs often read a temporary before writing it (the block size shows there), and often do not
  // (then the native kernel runs longer blocks of 1024): lengths around both.
  it('fused: random programs over every opcode give the same bits (lengths around the 256- and 1024-element blocks)', () => {
    fc.assert(fc.property(fc.array(instruction, { minLength: 1, maxLength: 12 }), fc.constantFrom(1, 255, 256, 257, 1000, 1023, 1025, 2600), fc.nat(),
      (instructions, n, seed) => {
        const p = programOf(instructions);
        const inputs = [values(C, n, seed, 2), values(C, n, seed + 1, 1e-29)];
        inputs[0]!.set([-0, NaN, 1e-31].slice(0, n), 0);
        const scalars = Float64Array.of(0.1, -3);
        const got = [values(C, n, seed + 2), values(C, n, seed + 3)], want = got.map((o) => o.slice());
        ks.fused(p, inputs, scalars, got);
        ref.fused(p, inputs, scalars, want);
        for (const o of [0, 1]) {
          for (let i = 0; i < n; i++) {
            const g = got[o]![i]!, w = want[o]![i]!;
            if (!(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)))) {
              throw new Error(`output ${o}, element ${i}: native ${g}, reference ${w} (code ${Array.from(p.code)})`);
            }
          }
        }
      }), { numRuns: 300 });
  });

  it('fused: an Adam-like update from fuse gives the same bits', () => {
    const f = fuse({ arrays: ['p', 'g', 'm'], scalars: ['lr', 'b'] }, ({ p, g, m, lr, b }) => {
      const m2 = m.mul(b).add(g.mul(1 - 0.9)).flush();
      return { p: p.sub(m2.mul(lr).div(g.abs().sqrt().add(1e-8))), m: m2 };
    });
    for (const n of [777, 3001]) {
      const inputs = [values(C, n, 1), values(C, n, 2), values(C, n, 3, 1e-29)];
      const scalars = f.scalarValues({ lr: 0.01, b: 0.9 });
      const got = [new C(n), new C(n)], want = [new C(n), new C(n)];
      ks.fused(f.program, inputs, scalars, got);
      ref.fused(f.program, inputs, scalars, want);
      for (const o of [0, 1]) expectAgree(`adam output ${o} on ${n}`, got[o]!, want[o]!, exact);
    }
  });
});

describe('softmax, logsumexp and crossEntropy take their exps from one vector routine', () => {
  // Rows whose shifted values x − max sweep e^x's whole range: the vector path's [-708, 709], its edges, and
  // beyond them (subnormal and zero results, which the routine leaves to libm), with NaN and ±Infinity rows.
  const rows = 40, len = 37;
  const sweep = (C: Ctor) => {
    const x = new C(rows * len);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < len; j++) x[r * len + j] = -((r * 41 + j * 23) % 800) - j / 7 + (j === 0 ? 800 : 0);
    }
    x.set([NaN], 3 * len + 2);
    x.set([Infinity], 5 * len + 1);
    x.fill(-Infinity, 7 * len, 8 * len);
    x.set([-708, -708.0001, 0, -745, -746], 9 * len);
    return x;
  };
  const labels = Int32Array.from({ length: rows }, (_, r) => (r * 5) % len);

  it.each(DTYPES)('%s: the same bits at every level, within the reference\'s tolerances', (_dtype, C) => {
    const ulp = ulpOf(C), x = sweep(C);
    const results = sets.map((ks) => {
      const soft = new C(x.length), logSoft = new C(x.length), lse = new C(rows), probs = new C(x.length);
      ks.softmax(x, rows, len, 1, soft, false);
      ks.softmax(x, rows, len, 1, logSoft, true);
      ks.logsumexp(x, rows, len, 1, lse);
      const loss = ks.crossEntropy(x, rows, len, labels, probs);
      return { soft, logSoft, lse, probs, loss };
    });
    for (const r of results.slice(1)) {
      expectAgree('softmax across levels', r.soft, results[0]!.soft, exact);
      expectAgree('log-softmax across levels', r.logSoft, results[0]!.logSoft, exact);
      expectAgree('logsumexp across levels', r.lse, results[0]!.lse, exact);
      expectAgree('crossEntropy probs across levels', r.probs, results[0]!.probs, exact);
      expect(Object.is(r.loss, results[0]!.loss), `loss ${r.loss} against ${results[0]!.loss}`).toBe(true);
    }
    const want = new C(x.length), wantLse = new C(rows), wantProbs = new C(x.length);
    ref.softmax(x, rows, len, 1, want, false);
    expectAgree('softmax', results[0]!.soft, want, (_i, r) => 2 * ulp(r) + (C === Float64Array ? 1e-15 : 0));
    ref.logsumexp(x, rows, len, 1, wantLse);
    expectAgree('logsumexp', results[0]!.lse, wantLse, (_i, r) => 2 * ulp(r));
    const lossWant = ref.crossEntropy(x, rows, len, labels, wantProbs);
    expectAgree('crossEntropy probs', results[0]!.probs, wantProbs, (_i, r) => 4 * ulp(r) + (C === Float64Array ? 1e-15 : 0));
    expect(Number.isNaN(results[0]!.loss) && Number.isNaN(lossWant), `losses ${results[0]!.loss} and ${lossWant} (a NaN row)`).toBe(true);
  });
});

describe('the default native set (tiny calls in JavaScript, where V8 keeps their arrays on its heap)', () => {
  const ks = loadNativeKernels();
  it.each([1, 31, 32, 33, 300])('agrees with the reference on %i elements and matmuls around 512 flops', (n) => {
    for (const C of [Float32Array, Float64Array]) {
      const x = values(C, n, n, 3), out = new C(n), want = new C(n);
      ks.unary('sqrt', x, out, 0);
      ref.unary('sqrt', x, want, 0);
      expectAgree(`sqrt on ${n}`, out, want, exact);
      ks.binary('mul', x, [1], x, [1], [n], out);
      ref.binary('mul', x, [1], x, [1], [n], want);
      expectAgree(`mul on ${n}`, out, want, exact);
      expect(Math.abs(ks.sumSquares(x) - ref.sumSquares(x))).toBeLessThanOrEqual(1e-12 * ref.sumSquares(x));   // sixteen lanes
      const m = Math.ceil(Math.sqrt(n)), a = values(C, m * 8, n), b = values(C, 8 * m, n + 1);
      const prod = new C(m * m), prodWant = new C(m * m);
      ks.matmul(a, b, prod, m, 8, m, false, false);
      ref.matmul(a, b, prodWant, m, 8, m, false, false);
      expectAgree(`matmul ${m}×8×${m}`, prod, prodWant, (_i, r) => 1e-5 * (8 + Math.abs(r)));
    }
  });
});

describe('the native addon checks what it is handed', () => {
  const addon = loadAddon();
  it.each([
    ['gemm with a short A', () => addon.gemm(0, 2, 2, 2, new Float32Array(3), false, new Float32Array(4), false, null, new Float32Array(4)), /^chainrule native gemm: for m=2 n=2 k=2 the arrays have 3, 4, 4 elements/],
    ['gemm mixing dtypes', () => addon.gemm(0, 1, 1, 1, new Float32Array(1), false, new Float64Array(1), false, null, new Float32Array(1)), /^chainrule native gemm: argument 6 has another dtype/],
    ['binary reading past b', () => addon.binary(0, new Float32Array(6), 3, 1, new Float32Array(2), 1, 1, new Float32Array(6), 2, 3), /^chainrule native binary: b needs 4 elements, has 2/],
    ['unary with a short out', () => addon.unary(0, new Float64Array(3), new Float64Array(2), 0), /^chainrule native unary: x has 3 elements, out 2/],
    ['sum3 with the wrong sizes', () => addon.sum3(new Float32Array(6), 2, 2, 2, new Float32Array(4)), /^chainrule native sum3: outer·len·inner = 8 but x has 6/],
    ['fused with a register out of range', () => addon.fused(Int32Array.of(0, 1, 9, -1, -1), 1, 0, 0, 1, [new Float32Array(2)], new Float64Array(0), [new Float32Array(2)]), /^chainrule native fused: an operand register is out of range/],
    ['fused with arrays of two lengths', () => addon.fused(Int32Array.of(0, 1, 0, -1, -1), 1, 0, 0, 1, [new Float32Array(2)], new Float64Array(0), [new Float32Array(3)]), /^chainrule native fused: array 1 has 3 elements, the first 2/],
    ['copyStrided reading past x', () => addon.copyStrided(new Float32Array(6), 1, [3, 1], [2, 3], new Float32Array(6)), /^chainrule native copyStrided: x is read up to element 6, has 6/],
    ['copyStrided with strides of another rank', () => addon.copyStrided(new Float32Array(6), 0, [1], [2, 3], new Float32Array(6)), /^chainrule native copyStrided: strides has 1 entries for a shape of rank 2/],
    ['copyStrided with a negative stride', () => addon.copyStrided(new Float32Array(6), 5, [-1], [6], new Float32Array(6)), /^chainrule native copyStrided: strides\[0\] is not a size/],
    ['select with a short cond', () => addon.select(new Float32Array(2), [1], new Float64Array(3), [1], new Float64Array(3), [1], [3], new Float64Array(3)), /^chainrule native select: cond is read up to element 2, has 2/],
    ['binaryNd of rank 9', () => addon.binaryNd(0, new Float32Array(1), Array(9).fill(0), new Float32Array(1), Array(9).fill(0), Array(9).fill(1), new Float32Array(1)), /^chainrule native binaryNd: outShape has 9 entries, at most 8/],
    ['pad past the output', () => addon.pad(new Float32Array(3), [3], [2], [4], new Float32Array(4)), /^chainrule native pad: dim 0: 3 after 2 does not fit in 4/],
    ['gather with an index out of range', () => addon.gather(new Float32Array(3), 1, 3, 1, Int32Array.of(0, 3), new Float32Array(2)), /^chainrule native gather: index 3 at 1 is outside \[0, 3\)/],
    ['scatterAdd with a short out', () => addon.scatterAdd(new Float64Array(2), 1, 3, 1, Int32Array.of(0, 1), new Float64Array(2)), /^chainrule native scatterAdd: for outer=1 len=3 inner=1 the arrays have 2, 2 \(indices\), 2 elements/],
    ['concat with a part of the wrong length', () => addon.concat([new Float32Array(2), new Float32Array(3)], [1, 2], 2, new Float32Array(6)), /^chainrule native concat: part 1 has 3 elements, outer·block = 2·2/],
    ['clip with a short out', () => addon.clip(new Float32Array(3), 0, 1, new Float32Array(2)), /^chainrule native clip: x has 3 elements, out 2/],
    ['crossEntropy with a label out of range', () => addon.crossEntropy(new Float32Array(4), 2, 2, Int32Array.of(1, -1), new Float32Array(4)), /^chainrule native crossEntropy: index -1 at 1 is outside \[0, 2\)/],
    ['softmax at a level above the CPU\'s', () => addon.softmax(new Float32Array(4), 2, 2, 1, new Float32Array(4), false, addon.level() + 1), /^chainrule native softmax: level \d is above this CPU's \d/],
    ['crossEntropy at a level that is not a size', () => addon.crossEntropy(new Float32Array(4), 2, 2, Int32Array.of(1, 0), new Float32Array(4), -1), /^chainrule native crossEntropy: argument 5 = -1.* is not a size/],
    ['crossEntropyGrad with too few labels', () => addon.crossEntropyGrad(new Float32Array(4), 2, 2, Int32Array.of(1), 1, new Float32Array(4)), /^chainrule native crossEntropyGrad: for rows=2 len=2 the arrays have 4, 1 \(labels\), 4 elements/],
  ])('%s is a RangeError naming the kernel and sizes', (_what, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});

describe('fusedFlat, fused with its arrays as arguments', () => {
  const addon = loadAddon();
  const add = FUSED_OPS.indexOf('add'), f32 = (...v: number[]) => Float32Array.from(v);
  it.each([
    ['too few arrays', () => addon.fusedFlat(Int32Array.of(add, 2, 0, 1, -1), 2, 0, 0, 1, new Float64Array(0), f32(1), f32(2)), /^chainrule native fusedFlat: the program takes 2 inputs and 1 outputs, got 2 arrays/],
    ['too many arrays', () => addon.fusedFlat(Int32Array.of(add, 2, 0, 1, -1), 2, 0, 0, 1, new Float64Array(0), f32(1), f32(2), f32(3), f32(4)), /^chainrule native fusedFlat: the program takes 2 inputs and 1 outputs, got 4 arrays/],
    ['an array that is not typed', () => addon.fusedFlat(Int32Array.of(add, 2, 0, 1, -1), 2, 0, 0, 1, new Float64Array(0), f32(1), [1] as never, f32(3)), /^chainrule native fusedFlat: array 1 is not a typed array/],
    ['an Int32Array', () => addon.fusedFlat(Int32Array.of(add, 2, 0, 1, -1), 2, 0, 0, 1, new Float64Array(0), f32(1), Int32Array.of(1) as never, f32(3)), /^chainrule native fusedFlat: array 1 is not of the first array's float dtype/],
    ['arrays of two lengths', () => addon.fusedFlat(Int32Array.of(add, 2, 0, 1, -1), 2, 0, 0, 1, new Float64Array(0), f32(1), f32(2), f32(3, 4)), /^chainrule native fusedFlat: array 2 has 2 elements, the first 1/],
    ['a register out of range', () => addon.fusedFlat(Int32Array.of(add, 2, 0, 9, -1), 2, 0, 0, 1, new Float64Array(0), f32(1), f32(2), f32(3)), /^chainrule native fusedFlat: an operand register is out of range/],
    ['scalars of another count', () => addon.fusedFlat(Int32Array.of(add, 2, 0, 1, -1), 2, 1, 0, 1, new Float64Array(0), f32(1), f32(2), f32(3)), /^chainrule native fusedFlat: scalars is not a Float64Array of 1/],
  ])('%s is a RangeError naming the kernel', (_what, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it('computes what fused computes, also past 16 arguments (20 inputs summed)', () => {
    const inputs = Array.from({ length: 20 }, (_, i) => values(Float32Array, 37, i + 1) as Float32Array);
    // out = ((in0 + in1) + in2) + … through one temporary (register 20).
    const code: number[] = [add, 20, 0, 1, -1];
    for (let i = 2; i < 20; i++) code.push(add, i === 19 ? 21 : 20, 20, i, -1);
    const flat = new Float32Array(37), viaList = new Float32Array(37);
    addon.fusedFlat(Int32Array.from(code), 20, 0, 1, 1, new Float64Array(0), ...inputs, flat);
    addon.fused(Int32Array.from(code), 20, 0, 1, 1, inputs, new Float64Array(0), [viaList]);
    let want = 0;
    for (const x of inputs) want = Math.fround(want + x[5]!);
    expect(flat[5]).toBe(want);
    expect([...flat]).toEqual([...viaList]);
  });
});

describe('choosing the native set', () => {
  it("setBackend('native') installs it, named by its code path", () => {
    const before = backend();
    try {
      setBackend('native');
      expect(backend()).toMatch(/^native-(avx512|avx2|portable)$/);
      expect(backend()).toBe(loadNativeKernels().name);
    } finally {
      setBackend(before as never);
    }
  });

  it('a level above the CPU\'s is refused', () => {
    expect(() => loadNativeKernels({ level: levels.length })).toThrow(`chainrule: native level ${levels.length} is not one this CPU runs (0..${levels.length - 1})`);
  });

  it('a missing addon is an Error naming why and the fix', () => {
    expect(() => loadNativeKernels({ module: '@chainrule/no-such-native' })).toThrow(
      /^chainrule: the native kernels could not load: require\('@chainrule\/no-such-native'\) failed: Cannot find module '@chainrule\/no-such-native'.*To fix it, install @chainrule\/native .*g\+\+, make and python3.*allowBuilds/,
    );
  });

  it("with the addon missing, setBackend('native') throws that Error and the set in use stays", async () => {
    vi.resetModules();
    vi.doMock('../src/backend/native/addon.ts', async (importOriginal) => {
      const real = await importOriginal<typeof import('../src/backend/native/addon.ts')>();
      return { ...real, loadAddon: () => real.loadAddon('@chainrule/no-such-native') };
    });
    try {
      const fresh = await import('../src/backend/active.ts');
      const before = fresh.backend();
      expect(() => fresh.setBackend('native')).toThrow(/^chainrule: the native kernels could not load: .*To fix it, install @chainrule\/native/);
      expect(fresh.backend()).toBe(before);
    } finally {
      vi.doUnmock('../src/backend/native/addon.ts');
      vi.resetModules();
    }
  });
});

describe('fit on the native set', () => {
  /** 64 points in [-1, 1]², labelled by which side of the line x₀ + x₁ = 0 they lie on. */
  const points = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i * 1.7 + 0.3));
  const x = fromData(points, [64, 2]);
  const y = Array.from({ length: 64 }, (_, i) => (points[2 * i]! + points[2 * i + 1]! > 0 ? 1 : 0));
  const train = (set: string) => {
    const before = backend();
    setBackend(set as never);
    try {
      const model = mlp([2, 16, 16, 2], { hidden: 'relu', output: 'softmax' });
      const result = fit(model, model.init(1), { x, y }, { loss: 'crossEntropy', epochs: 20, batchSize: 16, seed: 3, progress: false, monitor: false });
      return { losses: result.history.loss.toArray(), params: result.params };
    } finally {
      setBackend(before as never);
    }
  };

  it('a small MLP trains like on the reference set (loss per epoch within 1e-4 relative, falling)', () => {
    const native = train('native'), reference = train('reference');
    expect(native.losses.length).toBe(20);
    native.losses.forEach((l: number, e: number) => expect(Math.abs(l - reference.losses[e]!), `epoch ${e}`).toBeLessThanOrEqual(1e-4 * Math.abs(reference.losses[e]!)));
    expect(native.losses[19]!).toBeLessThan(native.losses[0]! * 0.6);
  });
});
