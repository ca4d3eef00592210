/** The active kernel set. Ops read `kernels` at call time, so swapping the set takes effect at once. */
import type { Kernels } from './kernels.ts';
import { referenceKernels } from './reference/index.ts';
import { loadWasmKernels, wasmLoadError } from './wasm/index.ts';

export type { Kernels, UnaryKernel, BinaryKernel, ReduceKernel, SgdConstants, AdamConstants, RmspropConstants } from './kernels.ts';
export { referenceKernels, loadWasmKernels };

/**
 * The fast set where it loads, else the reference one. CHAINRULE_KERNELS=reference forces the reference
 * set, CHAINRULE_KERNELS=wasm-simd plain SIMD without relaxed-SIMD FMA. CHAINRULE_THREADS=2 adds a
 * worker thread for big matmuls (off by default: it only wins when the second core is idle).
 */
function defaultKernels(): Kernels {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const choice = env.CHAINRULE_KERNELS;
  if (choice === 'reference') return referenceKernels;
  const fast = loadWasmKernels({ relaxed: choice !== 'wasm-simd', threads: env.CHAINRULE_THREADS === '2' ? 2 : 1 });
  if (fast) return fast;
  console.warn(`chainrule: using the reference kernels: ${wasmLoadError}`);
  return referenceKernels;
}

export let kernels: Kernels = defaultKernels();

/** Installs a kernel set; any kernel it leaves out falls back to the reference one. */
export function useKernels(set: Partial<Kernels> & { name: string }): void {
  kernels = { ...referenceKernels, ...set };
}

/** The name of the kernel set in use: 'wasm-relaxed-simd', 'wasm-simd' (either may end in '-2threads') or 'reference'. */
export function backend(): string {
  return kernels.name;
}
