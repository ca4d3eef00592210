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
 * If the WebAssembly kernels did not load, these tests fail: build them with
 * `pnpm --filter @chainrule/core build`. How they load (bytes, files, names, errors): kernels-loader.test.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadWasmKernels, ready, referenceKernels as ref, type Kernels } from '../src/backend/index.ts';
import { helperOf, plan2d, wasmLoadError } from '../src/backend/wasm/index.ts';
import type { TypedArray } from '../src/dtype.ts';
import { giveBack, take } from '../src/backend/pool.ts';

const notLoaded = () =>
  `the WebAssembly kernels did not load: ${wasmLoadError || 'unknown reason'} ` +
  '(build them with `pnpm --filter @chainrule/core build`)';

function fastSets(): Kernels[] {
  const relaxed = loadWasmKernels({ relaxed: true });
  if (!relaxed) throw new Error(notLoaded());
  const simd = loadWasmKernels({ relaxed: false });
  if (!simd) throw new Error(notLoaded());
  return relaxed.name === simd.name ? [simd] : [relaxed, simd];
}
const sets = (() => { try { return fastSets(); } catch { return []; } })();

/** Seeded values: uniform in [-scale, scale] with some exact zeros. */
function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const u = s / 4294967296;
    out[i] = u < 0.05 ? 0 : (u * 2 - 1) * scale;
  }
  return out;
}

/** Checks every element; `bound(i, ref)` is the allowed |fast − ref|. Names the first failure. */
function expectAgree(what: string, fast: TypedArray, want: TypedArray, bound: (i: number, r: number) => number): void {
  expect(fast.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const f = fast[i]!, r = want[i]!;
    if (Number.isNaN(r) && Number.isNaN(f)) continue;
    if (f === r) continue;
    const ok = Number.isFinite(r) && Number.isFinite(f) && Math.abs(f - r) <= bound(i, r);
    if (!ok) throw new Error(`${what}: element ${i}: fast ${f}, reference ${r}, allowed difference ${bound(i, r)}`);
  }
}
const ulp = (r: number) => Math.max(Math.abs(r) * 2 ** -23, 2 ** -149);

/** Broadcast strides of `inShape` read as `outShape` (0 on broadcast dims), like the op layer makes. */
function bstrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let s = 1;
  for (let d = inShape.length - 1; d >= 0; d--) {
    const od = d + outShape.length - inShape.length;
    strides[od] = inShape[d] === 1 ? 0 : s;
    s *= inShape[d]!;
  }
  return strides;
}
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('fast kernels: loading', () => {
  it('installs a WebAssembly kernel set by default (CHAINRULE_KERNELS=reference forces the reference set)', async () => {
    if (process.env.CHAINRULE_KERNELS === 'reference') expect(await ready()).toBe('reference');
    else expect(await ready(), notLoaded()).toMatch(/^wasm-(relaxed-)?simd(-2threads)?$/);
    expect(sets.length, notLoaded()).toBeGreaterThan(0);
  });

  it('splits big matmuls with a helper thread and still agrees with the reference', async () => {
    const threaded = loadWasmKernels({ threads: 2 });
    expect(threaded, notLoaded()).not.toBeNull();
    expect(threaded!.name).toMatch(/-2threads$/);
    const helper = helperOf(threaded!)!;
    for (let waited = 0; !helper.ready() && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(helper.ready(), 'the worker thread did not start within 10 s').toBe(true);
    for (const [m, k, n] of [[64, 784, 128], [256, 129, 67], [131, 300, 41], [9, 400, 300], [600, 100, 600]] as const) { // all ≥ 2²⁰: split by rows, by columns, in 2 and 4 chunks
      for (const tA of [false, true]) for (const tB of [false, true]) {
        const a = values(m * k, m), b = values(k * n, n);
        for (let rep = 0; rep < 3; rep++) { // back-to-back jobs reuse the control block
          const out = new Float32Array(m * n).fill(NaN), want = new Float32Array(m * n);
          threaded!.matmul(a, b, out, m, k, n, tA, tB);
          ref.matmul(a, b, want, m, k, n, tA, tB);
          expectAgree(`2-thread matmul ${m}×${k}×${n} transA=${tA} transB=${tB}`, out, want, (_i, r) => 1e-5 * k + 1e-6 * Math.abs(r));
        }
      }
    }
    // Jobs were handed out; how many chunks the worker won depends on how busy the other core is.
    expect(helper.stats.jobs).toBeGreaterThan(0);
  });

  it('leaves float64 to the reference kernels', () => {
    for (const ks of sets) {
      const a = Float64Array.from(values(300, 1)), b = Float64Array.from(values(300, 2));
      const out = new Float64Array(100), want = new Float64Array(100);
      ks.matmul(a, b, out, 10, 30, 10, false, false);
      ref.matmul(a, b, want, 10, 30, 10, false, false);
      expect(Array.from(out)).toEqual(Array.from(want));
    }
  });
});

describe.each(sets.map((ks) => [ks.name, ks] as const))('%s kernels agree with the reference', (_name, ks) => {
  function checkMatmul(m: number, k: number, n: number, tA: boolean, tB: boolean, seed: number): void {
    const a = values(m * k, seed), b = values(k * n, seed + 1);
    const out = new Float32Array(m * n).fill(NaN), want = new Float32Array(m * n);
    ks.matmul(a, b, out, m, k, n, tA, tB);
    ref.matmul(a, b, want, m, k, n, tA, tB);
    const A = (i: number, p: number) => Math.abs(tA ? a[p * m + i]! : a[i * k + p]!);
    const B = (p: number, j: number) => Math.abs(tB ? b[j * k + p]! : b[p * n + j]!);
    expectAgree(`matmul ${m}×${k}×${n} transA=${tA} transB=${tB}`, out, want, (at) => {
      const i = Math.floor(at / n), j = at % n;
      let mag = 0;
      for (let p = 0; p < k; p++) mag += A(i, p) * B(p, j);
      return 1e-5 * mag + 1e-30;
    });
  }

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
        const aS = bstrides(aShape, outShape), bS = bstrides(bShape, outShape);
        const out = new Float32Array(size(outShape)), want = new Float32Array(size(outShape));
        ks.binary(op, a, aS, b, bS, outShape, out);
        ref.binary(op, a, aS, b, bS, outShape, want);
        expectAgree(`${op} ${JSON.stringify([outShape, aShape, bShape])}`, out, want, (_i, r) => ulp(r));
      }),
      { numRuns: 300 },
    );
  });

  it('plans bias-row, column and scalar broadcasts as [outer, inner]', () => {
    expect(plan2d([64, 128], [128, 1], [0, 1])).toEqual({ outer: 64, inner: 128, aRow: 128, aInner: 1, bRow: 0, bInner: 1 });
    expect(plan2d([64, 128], [128, 1], [1, 0])).toEqual({ outer: 64, inner: 128, aRow: 128, aInner: 1, bRow: 1, bInner: 0 });
    expect(plan2d([2, 3, 4], [12, 4, 1], [0, 0, 0])).toEqual({ outer: 1, inner: 24, aRow: 0, aInner: 1, bRow: 0, bInner: 0 });
    expect(plan2d([2, 3, 4], [12, 4, 1], [4, 0, 1])).toBeNull();
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

  // The fused kernel (optimisers): fused.test.ts.
  const optLen = fc.oneof(fc.constantFrom(1, 3, 4, 5, 31, 32, 33, 64, 127, 1000, 100352), fc.integer({ min: 1, max: 5000 }));

  it('sumSquares (float64 accumulation) on every length', () => {
    fc.assert(fc.property(optLen, fc.nat(), (n, seed) => {
      const x = values(n, seed, 3);
      const got = ks.sumSquares(x), want = ref.sumSquares(x);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want + 1e-30);
    }), { numRuns: 60 });
  });

  it('grows its memory for a large input after small ones', () => {
    const n = 3_000_000; // more than the initial 4 MiB arena
    const x = values(n, 99);
    const out = new Float32Array(n), want = new Float32Array(n);
    ks.unary('relu', x.subarray(0, 100), out.subarray(0, 100), 0);
    ks.unary('relu', x, out, 0);
    ref.unary('relu', x, want, 0);
    expectAgree('relu n=3e6', out, want, () => 0);
  });

  describe('keeps recent inputs and outputs in wasm memory without ever reading a stale copy', () => {
    const engine = (n: number, seed: number, scale = 1) => {
      const buf = take('float32', n, 'overwritten') as Float32Array;
      buf.set(values(n, seed, scale));
      return buf;
    };

    it('an engine buffer handed out again with new contents is read afresh', () => {
      const x = engine(4096, 1), out = take('float32', 4096) as Float32Array, want = new Float32Array(4096);
      ks.unary('relu', x, out, 0); // x and out now have copies in the ring
      giveBack(x);
      const y = take('float32', 4096, 'overwritten') as Float32Array;
      expect(y, 'the pool hands back the same buffer').toBe(x);
      y.set(values(4096, 2));
      ks.unary('neg', y, out, 0);
      ref.unary('neg', y, want, 0);
      expectAgree('neg of a reused buffer', out, want, () => 0);
    });

    it('a kernel output read by the next kernel gives what the reference gives, however far the ring has turned', () => {
      // Chains of matmuls whose outputs feed the next call, with unrelated traffic between them that
      // wraps the ring more than once; each step is checked against the reference.
      let a = engine(64 * 256, 3), aRef = Float32Array.from(a);
      const w = engine(256 * 256, 4, 1 / 8); // keeps the chained products near 1
      for (let step = 0; step < 12; step++) {
        const out = take('float32', 64 * 256, 'overwritten') as Float32Array, want = new Float32Array(64 * 256);
        ks.matmul(a, w, out, 64, 256, 256, false, false);
        ref.matmul(aRef, w, want, 64, 256, 256, false, false);
        // Rounding differences compound along the chain: relative 1e-5 per step.
        expectAgree(`step ${step}`, out, want, (_i, r) => 1e-5 * (step + 1) * (1 + Math.abs(r)));
        // 0 to 12 MiB through the 8 MiB ring (calls of 2 × 256 KiB; a call over half the ring bypasses it).
        for (let i = 0; i < (step % 4) * 8; i++) ks.unary('relu', engine(2 ** 16, 100 * step + i), new Float32Array(2 ** 16), 0);
        a = out; aRef = want;
      }
    });

    it('a call too big for the ring still reads kept copies and gives the reference result', () => {
      const small = engine(1000 * 8, 5), big = engine(8 * 400_000, 6);
      const out = take('float32', 1000 * 400_000 / 100, 'overwritten') as Float32Array;
      ks.unary('relu', small, new Float32Array(small.length), 0); // small now has a copy in the ring
      const m = 1000, k = 8, n = 4000;
      const b = big.subarray(0, k * n), want = new Float32Array(m * n);
      ks.matmul(small, b, out, m, k, n, false, false);
      ref.matmul(small, b, want, m, k, n, false, false);
      expectAgree('1000×8×4000 matmul', out, want, () => 1e-4);
    });
  });
});
