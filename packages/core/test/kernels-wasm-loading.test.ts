/**
 * The WebAssembly kernels load (the default set in browsers, and in Node without the native addon), a helper thread shares big matmuls, and float64 stays with
 * the reference kernels. If the kernels did not load, these tests fail saying why: build them with
 * `pnpm --filter @chainrule/core build`. How they load (bytes, files, names, errors): kernels-loader.test.ts;
 * agreement with the reference: kernels-wasm.test.ts; the ring of kept copies: kernels-wasm-ring.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadWasmKernels, ready, referenceKernels as ref } from '../src/backend/index.ts';
import { helperOf } from '../src/backend/wasm/index.ts';
import { fastSets, notLoaded, values } from './wasm-sets.ts';
import { expectAgree } from './kernel-agreement.ts';

const sets = (() => { try { return fastSets(); } catch { return []; } })();

describe('fast kernels: loading', () => {
  it('installs a fast kernel set by default, native or WebAssembly (CHAINRULE_KERNELS=reference forces the reference set), and the WebAssembly sets load', async () => {
    if (process.env.CHAINRULE_KERNELS === 'reference') expect(await ready()).toBe('reference');
    else expect(await ready(), notLoaded()).toMatch(/^(native-(avx512|avx2|portable)|wasm-(relaxed-)?simd(-2threads)?)$/);
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
