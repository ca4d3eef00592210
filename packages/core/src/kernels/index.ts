/** The active kernel set. Ops read `kernels` at call time, so swapping the set takes effect at once. */
import type { Kernels } from './kernels.ts';
import { referenceKernels } from './reference/index.ts';

export type { Kernels, UnaryKernel, BinaryKernel, ReduceKernel } from './kernels.ts';
export { referenceKernels };

export let kernels: Kernels = referenceKernels;

/** Installs a kernel set; any kernel it leaves out falls back to the reference one. */
export function useKernels(set: Partial<Kernels> & { name: string }): void {
  kernels = { ...referenceKernels, ...set };
}

/** The name of the kernel set in use, e.g. 'reference' or 'wasm-simd'. */
export function backend(): string {
  return kernels.name;
}
