/**
 * How a kernel set's results are compared with the reference set's, shared by the wasm and native kernel
 * tests: element by element within a bound, naming the first element out of it; and matmul, whose bound
 * follows from the magnitude of each output's products.
 */
import { expect } from 'vitest';
import { referenceKernels as ref, type Kernels } from '../src/backend/index.ts';
import type { TypedArray } from '../src/dtype.ts';

/** Checks every element; `bound(i, ref)` is the allowed |got − ref|. Names the first failure. */
export function expectAgree(what: string, got: TypedArray, want: TypedArray, bound: (i: number, r: number) => number): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const f = got[i]!, r = want[i]!;
    if ((Number.isNaN(r) && Number.isNaN(f)) || f === r) continue;
    const ok = Number.isFinite(r) && Number.isFinite(f) && Math.abs(f - r) <= bound(i, r);
    if (!ok) throw new Error(`${what}: element ${i}: got ${f}, reference ${r}, allowed difference ${bound(i, r)}`);
  }
}

/**
 * `ks.matmul` of a and b (m×k×n, transposed as asked) against the reference's: each output within
 * eps·Σ|a||b| of its products (plus `floor`, for outputs whose products all vanish).
 */
export function expectMatmulAgrees(ks: Kernels, a: TypedArray, b: TypedArray, m: number, k: number, n: number,
  tA: boolean, tB: boolean, eps: number, floor: number): void {
  const C = a.constructor as new (n: number) => TypedArray;
  const out = new C(m * n).fill(NaN), want = new C(m * n);
  ks.matmul(a, b, out, m, k, n, tA, tB);
  ref.matmul(a, b, want, m, k, n, tA, tB);
  const A = (i: number, p: number) => Math.abs(tA ? a[p * m + i]! : a[i * k + p]!);
  const B = (p: number, j: number) => Math.abs(tB ? b[j * k + p]! : b[p * n + j]!);
  expectAgree(`matmul ${m}×${k}×${n} transA=${tA} transB=${tB}`, out, want, (at) => {
    const i = Math.floor(at / n), j = at % n;
    let mag = 0;
    for (let p = 0; p < k; p++) mag += A(i, p) * B(p, j);
    return eps * mag + floor;
  });
}

/** Seeded values: uniform in [-scale, scale] with some exact zeros. */
export function seededValues(C: Float32ArrayConstructor | Float64ArrayConstructor, n: number, seed: number, scale = 1): TypedArray {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new C(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const u = s / 4294967296;
    out[i] = u < 0.05 ? 0 : (u * 2 - 1) * scale;
  }
  return out;
}
