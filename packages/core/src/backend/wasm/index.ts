/**
 * The WebAssembly kernel set, one idea per file:
 *
 * - ./load.ts: loading a set (compile, check, instantiate), from binaries ./sources.ts finds (embedded,
 *   bytes, files, URLs) in a runtime ./runtime.ts checks (Node, SIMD, relaxed SIMD); ./imported-memory.ts
 *   reads the memory a binary imports;
 * - ./abi.ts: the interface with the binaries (./assembly/, built into ./build/ by ./build.mjs);
 * - ./fast.ts: the set itself: which kernels run in wasm, how calls are routed there, what each one calls;
 * - ./plan.ts: shapes and strides reduced to a kernel's loops;
 * - ./adapter.ts: moving a call's arrays into wasm memory and back, through ./arena.ts (the ring of kept copies);
 * - ./compile-fused.ts: fused programs compiled to WebAssembly functions;
 * - ./thread.ts: the helper thread that shares big matmuls.
 */
export {
  embeddedSetName, loadEmbeddedSync, loadWasmKernels, loadWasmSet, wasmLoadError, type LoadKernelsOptions, type WasmSetName,
} from './load.ts';
export type { KernelBinary } from './sources.ts';
export { hasRelaxedSimd, hasSimd, inNode } from './runtime.ts';
export { fusedPath, helperOf } from './fast.ts';
export { plan2d, type Plan2d } from './plan.ts';
