/**
 * What the WebAssembly kernel tests share: the sets under test (relaxed SIMD where the runtime has it, and
 * plain SIMD) and seeded values. The comparison with the reference is ./kernel-agreement.ts.
 */
import { loadWasmKernels, type Kernels } from '../src/backend/index.ts';
import { wasmLoadError } from '../src/backend/wasm/index.ts';

/** Why the kernels are missing, and the fix. */
export const notLoaded = () =>
  `the WebAssembly kernels did not load: ${wasmLoadError || 'unknown reason'} ` +
  '(build them with `pnpm --filter @chainrule/core build`)';

/** The one-thread fast sets (one if the runtime has no relaxed SIMD); throws, saying why, if they do not load. */
export function fastSets(): Kernels[] {
  const relaxed = loadWasmKernels({ relaxed: true });
  if (!relaxed) throw new Error(notLoaded());
  const simd = loadWasmKernels({ relaxed: false });
  if (!simd) throw new Error(notLoaded());
  return relaxed.name === simd.name ? [simd] : [relaxed, simd];
}

/** Seeded values: uniform in [-scale, scale] with some exact zeros. */
export function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const u = s / 4294967296;
    out[i] = u < 0.05 ? 0 : (u * 2 - 1) * scale;
  }
  return out;
}

/** One unit in the last place of a float32 near r. */
export const ulp = (r: number) => Math.max(Math.abs(r) * 2 ** -23, 2 ** -149);
