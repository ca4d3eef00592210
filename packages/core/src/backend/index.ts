/**
 * The backend: where numbers live and how they are computed. The engine (ops, autodiff) reaches every
 * kernel and every buffer through this file:
 *
 * - `kernels()`: the active kernel set (./kernels.ts says what a set does; ./reference is the oracle,
 *   ./wasm the fast set), chosen with `setBackend`;
 * - `allocate`: output buffers, from the pool of ./pool.ts;
 * - ./ownership.ts: running a function so that the buffers it no longer needs are reused.
 *
 * It is also the package entry `@chainrule/core/backend`, for people who write or inspect kernel sets.
 *
 * @module @chainrule/core/backend
 */
export { kernels, backend, setBackend, loadKernels, ready, referenceKernels, loadWasmKernels, type BackendName } from './active.ts';
export type { Kernels, UnaryKernel, BinaryKernel, ReduceKernel, Window2d } from './kernels.ts';
export { FUSED_OPS, FUSED_UNARY, FUSED_BINARY, FLUSH_BELOW, INSTRUCTION_WORDS, programError, registerKind, type FusedOp, type FusedProgram } from './program.ts';
export type { KernelBinary, LoadKernelsOptions } from './wasm/index.ts';
export { bufferStats, bufferGeneration, type BufferStats } from './pool.ts';
export { allocate, reusing, expose, HOLDS, type ReuseOptions } from './ownership.ts';
