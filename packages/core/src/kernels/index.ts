/** The active kernel set. Ops read `kernels` at call time, so swapping the set takes effect at once. */
import type { Kernels } from './kernels.ts';
import { referenceKernels } from './reference/index.ts';
import { loadWasmKernels, wasmLoadError } from './wasm/index.ts';

export type { Kernels, UnaryKernel, BinaryKernel, ReduceKernel } from './kernels.ts';
export { referenceKernels, loadWasmKernels };

/**
 * The fast set where it loads, else the reference one. CHAINRULE_KERNELS=reference forces the reference
 * set, CHAINRULE_KERNELS=wasm-simd plain SIMD without relaxed-SIMD FMA.
 */
function defaultKernels(): Kernels {
  const choice = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CHAINRULE_KERNELS;
  if (choice === 'reference') return referenceKernels;
  const fast = loadWasmKernels({ relaxed: choice !== 'wasm-simd' });
  if (fast) return fast;
  console.warn(`chainrule: using the reference kernels: ${wasmLoadError}`);
  return referenceKernels;
}

export let kernels: Kernels = defaultKernels();

/** Installs a kernel set; any kernel it leaves out falls back to the reference one. */
export function useKernels(set: Partial<Kernels> & { name: string }): void {
  kernels = { ...referenceKernels, ...set };
}

/** The name of the kernel set in use: 'wasm-relaxed-simd', 'wasm-simd' or 'reference'. */
export function backend(): string {
  return kernels.name;
}
