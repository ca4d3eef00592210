/**
 * The arena (../src/backend/wasm/arena.ts) keeps recent inputs and outputs in wasm memory and grows that
 * memory on demand: results stay the reference's however the ring turns, whatever buffer is reused, and
 * however big a call is. If the WebAssembly kernels did not load, this file fails saying why.
 */
import { describe, expect, it } from 'vitest';
import { referenceKernels as ref } from '../src/backend/index.ts';
import { giveBack, take } from '../src/backend/pool.ts';
import { fastSets, values } from './wasm-sets.ts';
import { expectAgree } from './kernel-agreement.ts';

describe.each(fastSets().map((ks) => [ks.name, ks] as const))('%s kernels: wasm memory', (_name, ks) => {
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
