/**
 * Loading a WebAssembly kernel set: a binary (found by ./sources.ts) is compiled, checked, instantiated
 * over a memory of its own and wrapped as a kernel set (./fast.ts). Nothing here reads a file or compiles
 * anything unless asked.
 *
 * Two ways to compile: synchronously (`new WebAssembly.Module`), which only Node allows for modules of
 * this size (Chrome refuses more than 4 KB on the main thread), and asynchronously, which works everywhere.
 * Both go through the same checks, so a binary is accepted or refused alike whichever way it comes.
 */
import type { Kernels } from '../kernels.ts';
import { KERNELS_ABI, REQUIRED_EXPORTS } from './abi.ts';
import type { MemoryType as ImportType } from './compile-fused.ts';
import { wasmKernelSet } from './fast.ts';
import { importedMemory } from './imported-memory.ts';
import { checkRuntime, hasRelaxedSimd, hasSimd, inNode } from './runtime.ts';
import { embeddedBinary, fileName, isBinary, readBinary, refuse, type Binary, type KernelBinary } from './sources.ts';

/** The names of the WebAssembly kernel sets (one thread); with a helper thread they end in '-2threads'. */
export type WasmSetName = 'wasm-simd' | 'wasm-relaxed-simd';

/** How to load a WebAssembly kernel set. */
export interface LoadKernelsOptions {
  /**
   * The kernels to load, when not the ones embedded in the package (say, to serve them as cacheable
   * files instead of shipping them inside the JavaScript): one binary, used as it is (it says itself
   * whether it is the relaxed-SIMD one), or one per variant, so the relaxed-SIMD binary is taken where
   * the runtime has relaxed SIMD and `relaxed` is not false, and the plain one elsewhere. The binaries
   * are the package's dist/backend/wasm/build/kernels-*.wasm; with `threads: 2`, the `-shared` ones.
   */
  wasm?: KernelBinary | {
    /** The plain-SIMD binary (kernels-simd.wasm): taken where relaxed SIMD is absent or not wanted. */
    simd: KernelBinary;
    /** The relaxed-SIMD binary (kernels-relaxed-simd.wasm); without it the plain one is used everywhere. */
    relaxedSimd?: KernelBinary;
  };
  /**
   * Use relaxed-SIMD fused multiply-add where the runtime has it (default true): faster, but results
   * may differ by rounding between machines. false gives 'wasm-simd', the same bits everywhere.
   */
  relaxed?: boolean;
  /** 2 adds a worker thread that takes part of each big matmul (Node only; default 1). */
  threads?: 1 | 2;
}

/** The kernel set a load gives: its name before any '-2threads'. */
const setName = (relaxed: boolean): WasmSetName => (relaxed ? 'wasm-relaxed-simd' : 'wasm-simd');

/** The memory a kernel set runs over, and its type (for modules compiled later to import it too). */
interface Memory { memory: WebAssembly.Memory; type: ImportType }

/** Checks what can be checked before instantiating; returns the memory and imports to instantiate with. */
function prepare(module: WebAssembly.Module, binary: Binary, threads: 1 | 2): Memory & { imports: WebAssembly.Imports } {
  const { what, fix } = binary;
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((name) => !exported.has(name));
  const imports = WebAssembly.Module.imports(module);
  const limits = importedMemory(binary.bytes);
  const foreign = imports.filter((i) => i.module !== 'env' || !['memory', 'abort'].includes(i.name));
  if (missing.length > 0 || foreign.length > 0 || !limits) {
    const why = missing.length > 0 ? `it lacks the export${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`
      : foreign.length > 0 ? `it imports ${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}`
        : 'it imports no memory';
    throw refuse(what, `a WebAssembly module, but not chainrule's kernels (or not this version's): ${why}`, fix);
  }
  if (threads === 2 && !limits.shared) {
    throw refuse(what, 'kernels over unshared memory, but threads: 2 needs the ones over shared memory (kernels-*-shared.wasm)', fix);
  }
  // 4 MiB to start, grown on demand; shared memory needs the maximum the binary declares.
  const initial = Math.max(64, limits.min);
  const type: ImportType = { shared: limits.shared, max: limits.shared ? limits.max ?? 32768 : limits.max };
  const memory = type.shared
    ? new WebAssembly.Memory({ initial, maximum: type.max!, shared: true })
    : new WebAssembly.Memory(type.max === undefined ? { initial } : { initial, maximum: type.max });
  const abort = () => { throw new Error('chainrule: a WebAssembly kernel aborted'); };
  return { memory, type, imports: { env: { memory, abort } } };
}

/** Checks the instance's own description of itself, then wraps it as a kernel set. */
function finish(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: Memory, binary: Binary, threads: 1 | 2): Kernels {
  const { what, fix } = binary;
  const value = (name: string) => (instance.exports[name] as WebAssembly.Global).value as number;
  if (value('KERNELS_ABI') !== KERNELS_ABI) {
    throw refuse(what, `kernels of interface version ${value('KERNELS_ABI')}, but this @chainrule/core needs version ${KERNELS_ABI} (they come from another version of the package)`, fix);
  }
  const relaxed = value('RELAXED_SIMD') === 1;
  if (binary.relaxed !== undefined && relaxed !== binary.relaxed) {
    throw refuse(what, `the ${relaxed ? 'relaxed-SIMD' : 'plain SIMD'} kernels, but the ${binary.relaxed ? 'relaxed-SIMD' : 'plain SIMD'} ones were asked for`, fix);
  }
  return wasmKernelSet(setName(relaxed), relaxed, module, instance, memory.memory, memory.type, threads);
}

function compileError(binary: Binary, e: unknown): Error {
  const message = (e as Error).message;
  if (/Content.Security.Policy/i.test(message)) {
    return refuse(binary.what, `the page's Content Security Policy forbids compiling WebAssembly (${message})`,
      "allow WebAssembly with 'wasm-unsafe-eval' in the policy's script-src (the kernels need no 'unsafe-eval'), or use the reference kernels");
  }
  const noRelaxed = hasSimd() && !hasRelaxedSimd() ? ' (if these are the relaxed-SIMD kernels: this runtime has no relaxed SIMD, so give kernels-simd.wasm)' : '';
  return refuse(binary.what, `not a WebAssembly module this runtime can compile${noRelaxed} (${message})`, binary.fix);
}

/** Compiles and instantiates synchronously: Node only (browsers refuse it for modules over 4 KB). */
function instantiateSync(binary: Binary, threads: 1 | 2): Kernels {
  let module: WebAssembly.Module;
  try { module = new WebAssembly.Module(binary.bytes); } catch (e) { throw compileError(binary, e); }
  const { imports, ...memory } = prepare(module, binary, threads);
  return finish(module, new WebAssembly.Instance(module, imports), memory, binary, threads);
}

async function instantiateAsync(binary: Binary, threads: 1 | 2): Promise<Kernels> {
  let module: WebAssembly.Module;
  try { module = await WebAssembly.compile(binary.bytes); } catch (e) { throw compileError(binary, e); }
  const { imports, ...memory } = prepare(module, binary, threads);
  return finish(module, await WebAssembly.instantiate(module, imports), memory, binary, threads);
}

/**
 * Compiles the embedded kernels synchronously (Node only): the relaxed-SIMD ones when `relaxed`
 * (the caller checks hasRelaxedSimd() first), else plain SIMD. Throws an Error saying why it cannot.
 */
export function loadEmbeddedSync(relaxed: boolean, threads: 1 | 2 = 1): Kernels {
  checkRuntime(threads);
  if (!inNode) throw new Error('chainrule: WebAssembly compiles synchronously only in Node; elsewhere use `await loadKernels()`');
  return instantiateSync(embeddedBinary(relaxed, threads === 2), threads);
}

/** The name of the set `loadWasmSet(options)` gives when options.wasm is not set. */
export function embeddedSetName(options: LoadKernelsOptions): string {
  checkRuntime(options.threads ?? 1);
  const relaxed = options.relaxed !== false && hasRelaxedSimd();
  return setName(relaxed) + (options.threads === 2 ? '-2threads' : '');
}

/**
 * Loads a WebAssembly kernel set as `options` say (see LoadKernelsOptions) and returns it, without
 * installing it. Rejects with an Error naming what was looked for and the fix.
 */
export async function loadWasmSet(options: LoadKernelsOptions = {}): Promise<Kernels> {
  const threads = options.threads ?? 1;
  checkRuntime(threads);
  const relaxed = options.relaxed !== false && hasRelaxedSimd();
  const shared = threads === 2;
  const { wasm } = options;
  let binary: Binary;
  if (wasm === undefined) {
    binary = embeddedBinary(relaxed, shared);
  } else if (isBinary(wasm)) {
    binary = await readBinary(wasm, fileName(false, shared), options.relaxed === false ? false : undefined);
  } else if (typeof wasm === 'object' && wasm !== null && isBinary((wasm as { simd?: unknown }).simd)) {
    const pick = relaxed && wasm.relaxedSimd !== undefined;
    binary = await readBinary(pick ? wasm.relaxedSimd! : wasm.simd, fileName(pick, shared), pick);
  } else {
    throw new Error('chainrule: `wasm` must be a URL, a URL string or path, an ArrayBuffer or Uint8Array, or { simd, relaxedSimd? } of those');
  }
  return instantiateAsync(binary, threads);
}

/** Why the last `loadWasmKernels` call returned null ('' when it loaded). */
export let wasmLoadError = '';

/**
 * A new WebAssembly kernel set from the embedded bytes, compiled synchronously, or null where it cannot
 * load (the reason in `wasmLoadError`). Node only; for tests and benchmarks that compare sets side by side
 * (the public API is `loadKernels`, `setBackend` and `ready` from ../index.ts).
 */
export function loadWasmKernels(options: { relaxed?: boolean; threads?: 1 | 2 } = {}): Kernels | null {
  try {
    const set = loadEmbeddedSync(options.relaxed !== false && hasRelaxedSimd(), options.threads ?? 1);
    wasmLoadError = '';
    return set;
  } catch (e) {
    wasmLoadError = (e as Error).message;
    return null;
  }
}
