/**
 * The fast (WebAssembly SIMD) kernels agree with the reference kernels.
 *
 * Tolerances, per output element, all in float32:
 * - matmul: |fast − ref| ≤ 1e-5 · Σₚ |a_ip|·|b_pj| (the two differ only in summation order and FMA rounding).
 * - sum: |fast − ref| ≤ 1e-5 · Σ |x| over the reduced elements.
 * - add/sub/mul/div, relu, step, neg, abs, sqrt, square, reciprocal, leakyRelu: equal up to 1 ulp
 *   (IEEE float32 operations; the reference's float64 op rounded to float32 gives the same value).
 * - exp, sigmoid (polynomial exp): relative 1e-6, i.e. a few ulp; softmax: relative 1e-5;
 *   log-softmax and logsumexp: 2e-6·(1 + |ref|).
 * NaN must meet NaN and ±Infinity the same infinity.
 *
 * If the WebAssembly kernels did not load, this file fails saying why: build them with
 * `pnpm --filter @chainrule/core build`. Loading and the helper thread: kernels-wasm-loading.test.ts and
 * kernels-loader.test.ts; the ring of kept copies: kernels-wasm-ring.test.ts; the fused kernel: fused.test.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { referenceKernels as ref } from '../src/backend/index.ts';
import { plan2d } from '../src/backend/wasm/index.ts';
import { broadcastStrides } from '../src/shape.ts';
import { fastSets, ulp, values } from './wasm-sets.ts';
import { expectAgree, expectMatmulAgrees } from './kernel-agreement.ts';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe.each(fastSets().map((ks) => [ks.name, ks] as const))('%s kernels agree with the reference', (_name, ks) => {
  const checkMatmul = (m: number, k: number, n: number, tA: boolean, tB: boolean, seed: number) =>
    expectMatmulAgrees(ks, values(m * k, seed), values(k * n, seed + 1), m, k, n, tA, tB, 1e-5, 1e-30);

  const dim = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 13, 31, 64, 67), fc.integer({ min: 1, max: 90 }));

  it('matmul on random shapes, all four transposes', () => {
    fc.assert(
      fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.nat(), (m, k, n, tA, tB, seed) => {
        checkMatmul(m, k, n, tA, tB, seed);
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    [257, 129, 65], [64, 784, 128], [5, 300, 1030], [131, 513, 9], [1, 1000, 1], [1000, 1, 3],
  ])('matmul %i×%i×%i (blocks in every direction), all four transposes', (m, k, n) => {
    for (const tA of [false, true]) for (const tB of [false, true]) checkMatmul(m, k, n, tA, tB, m + k + n);
  });

  it('linear (x·W + b) on random shapes, like matmul then a bias row', () => {
    fc.assert(fc.property(dim, dim, dim, fc.nat(), (m, k, n, seed) => {
      const x = values(m * k, seed), wt = values(k * n, seed + 1), bias = values(n, seed + 2);
      const out = new Float32Array(m * n).fill(NaN), want = new Float32Array(m * n);
      ks.linear(x, wt, bias, out, m, k, n);
      ref.linear(x, wt, bias, want, m, k, n);
      expectAgree(`linear ${m}×${k}×${n}`, out, want, (at) => {
        const i = Math.floor(at / n), j = at % n;
        let mag = Math.abs(bias[j]!);
        for (let p = 0; p < k; p++) mag += Math.abs(x[i * k + p]! * wt[p * n + j]!);
        return 1e-5 * mag + 1e-30;
      });
    }), { numRuns: 80 });
  });

  it('matmul with k = 0 gives zeros', () => {
    const out = new Float32Array(64 * 80).fill(7);
    ks.matmul(new Float32Array(0), new Float32Array(0), out, 64, 0, 80, false, false);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  // [output shape, a shape, b shape]: same shape, bias rows, columns, scalars, rank 3, and patterns
  // that are not [outer, inner] (handled by the reference path; still checked).
  const broadcastCases = fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 140 })).chain(([r, c]) =>
      fc.constantFrom<[number[], number[], number[]]>(
        [[r, c], [r, c], [r, c]], [[r, c], [r, c], [c]], [[r, c], [c], [r, c]], [[r, c], [r, c], [r, 1]],
        [[r, c], [r, 1], [r, c]], [[r, c], [r, c], []], [[r, c], [], [r, c]], [[r, c], [r, 1], [1, c]],
        [[c], [c], [c]], [[r, 3, c], [r, 3, c], [c]], [[r, 3, c], [r, 1, c], [r, 3, c]], [[r, 3, c], [3, 1], [r, 3, c]],
      ),
    ),
  );

  it('binary add/sub/mul/div with broadcasts', () => {
    fc.assert(
      fc.property(broadcastCases, fc.constantFrom('add', 'sub', 'mul', 'div') as fc.Arbitrary<'add'>, fc.nat(), ([outShape, aShape, bShape], op, seed) => {
        const a = values(size(aShape), seed, 10), b = values(size(bShape), seed + 7, 10);
        const aS = broadcastStrides(aShape, outShape), bS = broadcastStrides(bShape, outShape);
        const out = new Float32Array(size(outShape)), want = new Float32Array(size(outShape));
        ks.binary(op, a, aS, b, bS, outShape, out);
        ref.binary(op, a, aS, b, bS, outShape, want);
        expectAgree(`${op} ${JSON.stringify([outShape, aShape, bShape])}`, out, want, (_i, r) => ulp(r));
      }),
      { numRuns: 300 },
    );
  });

  const unaryOps = ['relu', 'step', 'sigmoid', 'exp', 'neg', 'abs', 'sqrt', 'square', 'reciprocal', 'leakyRelu'] as const;
  const specials = [0, -0, 1e-30, -1e-30, 88.7, 88.8, -87.3, -103, -104, -200, 200, Infinity, -Infinity, NaN, 1e38, -1e38];

  it.each(unaryOps)('unary %s on random sizes and special values', (op) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.constantFrom(1, 20, 100), (n, seed, scale) => {
        const x = values(n, seed, scale);
        for (let i = 0; i < Math.min(n, specials.length); i++) if (seed % 2) x[(i * 7919) % n] = specials[i]!;
        const out = new Float32Array(n), want = new Float32Array(n);
        ks.unary(op, x, out, 0.1);
        ref.unary(op, x, want, 0.1);
        const rel = op === 'exp' || op === 'sigmoid' ? 1e-6 : 0;
        expectAgree(`${op} n=${n}`, out, want, (_i, r) => Math.max(rel * Math.abs(r), ulp(r), 1e-37));
      }),
      { numRuns: 60 },
    );
  });

  it('sum over any axes (one block of axes on the fast path, others on the reference path)', () => {
    const shapes = fc.array(fc.oneof(fc.constantFrom(1, 2, 3, 7, 64), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(shapes, fc.nat(), fc.nat(), (shape, mask, seed) => {
        const axes = shape.map((_, d) => d).filter((d) => (mask >> d) & 1);
        const x = values(size(shape), seed, 5);
        const outSize = size(shape.filter((_, d) => !axes.includes(d)));
        const out = new Float32Array(outSize).fill(NaN), want = new Float32Array(outSize);
        ks.reduce('sum', x, shape, axes, out);
        ref.reduce('sum', x, shape, axes, want);
        // Σ|x| per output, computed with the reference kernel on |x| in float64.
        const mag = new Float64Array(outSize);
        ref.reduce('sum', Float64Array.from(x, Math.abs), shape, axes, mag);
        expectAgree(`sum ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`, out, want, (i) => 1e-5 * mag[i]! + 1e-30);
      }),
      { numRuns: 300 },
    );
  });

  it('softmax, log-softmax and logsumexp along the last axis (and other axes via the reference path)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.oneof(fc.constantFrom(1, 3, 4, 10, 127, 1000), fc.integer({ min: 1, max: 200 })),
        fc.constantFrom(1, 1, 3), fc.constantFrom(1, 10, 60), fc.nat(), (outer, len, inner, scale, seed) => {
          const x = values(outer * len * inner, seed, scale);
          if (seed % 3 === 0) x.fill(-Infinity, 0, len * inner); // a row with no finite entry
          for (const log of [false, true]) {
            const out = new Float32Array(x.length), want = new Float32Array(x.length);
            ks.softmax(x, outer, len, inner, out, log);
            ref.softmax(x, outer, len, inner, want, log);
            const bound = log ? (r: number) => 2e-6 * (1 + Math.abs(r)) : (r: number) => 1e-5 * Math.abs(r) + 1e-37;
            expectAgree(`${log ? 'log-' : ''}softmax [${outer},${len},${inner}]`, out, want, (_i, r) => bound(r));
          }
          const out = new Float32Array(outer * inner), want = new Float32Array(outer * inner);
          ks.logsumexp(x, outer, len, inner, out);
          ref.logsumexp(x, outer, len, inner, want);
          expectAgree(`logsumexp [${outer},${len},${inner}]`, out, want, (_i, r) => 2e-6 * (1 + Math.abs(r)));
        }),
      { numRuns: 200 },
    );
  });

  const optLen = fc.oneof(fc.constantFrom(1, 3, 4, 5, 31, 32, 33, 64, 127, 1000, 100352), fc.integer({ min: 1, max: 5000 }));

  it('sumSquares (float64 accumulation) on every length', () => {
    fc.assert(fc.property(optLen, fc.nat(), (n, seed) => {
      const x = values(n, seed, 3);
      const got = ks.sumSquares(x), want = ref.sumSquares(x);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want + 1e-30);
    }), { numRuns: 60 });
  });
});

// The binary kernel's shape planning, which decides which broadcasts the fast path takes (the others are checked above).
describe('plan2d', () => {
  it('plans bias-row, column and scalar broadcasts as [outer, inner], and refuses what is not', () => {
    expect(plan2d([64, 128], [128, 1], [0, 1])).toEqual({ outer: 64, inner: 128, aRow: 128, aInner: 1, bRow: 0, bInner: 1 });
    expect(plan2d([64, 128], [128, 1], [1, 0])).toEqual({ outer: 64, inner: 128, aRow: 128, aInner: 1, bRow: 1, bInner: 0 });
    expect(plan2d([2, 3, 4], [12, 4, 1], [0, 0, 0])).toEqual({ outer: 1, inner: 24, aRow: 0, aInner: 1, bRow: 0, bInner: 0 });
    expect(plan2d([2, 3, 4], [12, 4, 1], [4, 0, 1])).toBeNull();
  });
});
