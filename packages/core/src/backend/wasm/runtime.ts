/**
 * What this runtime offers the kernels: Node (synchronous compiling, files, worker threads), WebAssembly,
 * SIMD and relaxed SIMD. No `node:` module is imported statically, so core bundles for browsers as it is.
 */

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?(id: string): unknown;
}
const nodeProcess = (): NodeProcess | undefined => {
  const proc = (globalThis as { process?: NodeProcess }).process;
  return proc?.versions?.node ? proc : undefined;
};
/** Node's built-in modules, reached without an import so that bundles for browsers do not try to include them. */
export const nodeBuiltin = <T>(id: string): T | undefined => nodeProcess()?.getBuiltinModule?.(id) as T | undefined;

/** Whether this is Node, where WebAssembly may compile synchronously and files are read with fs. */
export const inNode: boolean = nodeProcess() !== undefined;

// A minimal module using one SIMD instruction (v128.const): validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);
// The same with three v128.const and f32x4.relaxed_madd: validates only where relaxed SIMD is supported.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  ...[0, 0, 0].flatMap(() => [253, 12, ...new Array<number>(16).fill(0)]), 253, 133, 2, 11,
]);

/** Whether WebAssembly with 128-bit SIMD is there (every current browser and Node ≥ 16). */
export function hasSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

let relaxedFlagSet = false;
/** Whether relaxed SIMD is there. Node 20 hides it behind a V8 flag, set here before anything compiles with it. */
export function hasRelaxedSimd(): boolean {
  if (inNode && !relaxedFlagSet) {
    relaxedFlagSet = true;
    try {
      nodeBuiltin<{ setFlagsFromString(flags: string): void }>('node:v8')?.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch { /* plain SIMD only */ }
  }
  return hasSimd() && WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Throws, saying why, where no WebAssembly kernel set can load at all. */
export function checkRuntime(threads: unknown): asserts threads is 1 | 2 {
  if (threads !== 1 && threads !== 2) throw new Error(`chainrule: threads must be 1 or 2, not ${String(threads)}`);
  if (threads === 2 && !inNode) {
    throw new Error('chainrule: threads: 2 needs Node\'s worker threads; outside Node the kernels run on one thread (threads: 1)');
  }
  if (typeof WebAssembly !== 'object') throw new Error('chainrule: this runtime has no WebAssembly');
  if (!hasSimd()) throw new Error('chainrule: this runtime has no WebAssembly SIMD');
}
