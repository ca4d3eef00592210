/**
 * Loading the WebAssembly kernels: from the bytes embedded in the package (./build/binaries.ts, written
 * by ../build.mjs), or from files or bytes a user serves. Nothing here reads a file or compiles anything
 * unless asked, and no `node:` module is imported statically, so core bundles for browsers as it is.
 *
 * Two ways to compile: synchronously (`new WebAssembly.Module`), which only Node allows for modules of
 * this size (Chrome refuses more than 4 KB on the main thread), and asynchronously, which works everywhere.
 * Both go through the same checks, so a binary is accepted or refused alike whichever way it comes.
 */
import type { Kernels } from '../kernels.ts';
import * as embedded from './build/binaries.ts';
import type { MemoryType as ImportType } from './compile-fused.ts';
import { REQUIRED_EXPORTS, wasmKernelSet } from './fast.ts';

export { fusedPath, helperOf, plan2d, type Plan2d } from './fast.ts';

/** The names of the WebAssembly kernel sets (one thread); with a helper thread they end in '-2threads'. */
export type WasmSetName = 'wasm-simd' | 'wasm-relaxed-simd';

/** Kernel bytes, or where to get them: a URL (or URL string) to fetch, or in Node a file path or `file:` URL. */
export type KernelBinary = URL | string | ArrayBuffer | ArrayBufferView;

/** How to load a WebAssembly kernel set. */
export interface LoadKernelsOptions {
  /**
   * The kernels to load, when not the ones embedded in the package (say, to serve them as cacheable
   * files instead of shipping them inside the JavaScript): one binary, used as it is (it says itself
   * whether it is the relaxed-SIMD one), or one per variant, so the relaxed-SIMD binary is taken where
   * the runtime has relaxed SIMD and `relaxed` is not false, and the plain one elsewhere. The binaries
   * are the package's dist/backend/wasm/build/kernels-*.wasm; with `threads: 2`, the `-shared` ones.
   */
  wasm?: KernelBinary | { simd: KernelBinary; relaxedSimd?: KernelBinary };
  /**
   * Use relaxed-SIMD fused multiply-add where the runtime has it (default true): faster, but results
   * may differ by rounding between machines. false gives 'wasm-simd', the same bits everywhere.
   */
  relaxed?: boolean;
  /** 2 adds a worker thread that takes part of each big matmul (Node only; default 1). */
  threads?: 1 | 2;
}

/** The version of the interface between the kernel binaries and ./fast.ts (KERNELS_ABI in ./assembly/kernels.ts). */
const KERNELS_ABI = 3;

/** Where the package ships the .wasm files (named in error messages). */
const SHIPPED_AT = 'dist/backend/wasm/build/';
const OMIT = 'or omit `wasm` to use the kernels embedded in the package';

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?(id: string): unknown;
  cwd?(): string;
}
const nodeProcess = (): NodeProcess | undefined => {
  const proc = (globalThis as { process?: NodeProcess }).process;
  return proc?.versions?.node ? proc : undefined;
};
/** Node's built-in modules, reached without an import so that bundles for browsers do not try to include them. */
const nodeBuiltin = <T>(id: string): T | undefined => nodeProcess()?.getBuiltinModule?.(id) as T | undefined;

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

/** The kernel set a load gives: its name before any '-2threads'. */
const setName = (relaxed: boolean): WasmSetName => (relaxed ? 'wasm-relaxed-simd' : 'wasm-simd');
const fileName = (relaxed: boolean, shared: boolean) => `kernels-${relaxed ? 'relaxed-simd' : 'simd'}${shared ? '-shared' : ''}.wasm`;

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/** One binary to compile, with what to call it and how to fix it in error messages. */
interface Binary {
  bytes: Uint8Array<ArrayBuffer>;
  /** 'the 123 bytes given', '/srv/k.wasm', 'https://…/k.wasm (123 bytes)', 'the embedded kernels-simd.wasm'. */
  what: string;
  /** What to do when it is not usable. */
  fix: string;
  /** What it must be: the relaxed-SIMD binary (true), the plain one (false), either (undefined). */
  relaxed: boolean | undefined;
}

/** The Error for a source that gave no usable kernels: what was looked for, why it failed, the fix. */
const refuse = (what: string, why: string, fix: string) => new Error(`chainrule: cannot load the kernels from ${what}: ${why}. Fix: ${fix}.`);

function embeddedBinary(relaxed: boolean, shared: boolean): Binary {
  const text = relaxed ? (shared ? embedded.relaxedSimdShared : embedded.relaxedSimd) : (shared ? embedded.simdShared : embedded.simd);
  return {
    bytes: fromBase64(text),
    what: `the embedded ${fileName(relaxed, shared)}`,
    fix: 'rebuild the kernels of @chainrule/core (pnpm --filter @chainrule/core build)',
    relaxed,
  };
}

/** The limits of a binary's imported memory, read from its import section (WebAssembly's JS API does not say whether it is shared). */
interface MemoryType { min: number; max: number | undefined; shared: boolean }

function importedMemory(bytes: Uint8Array): MemoryType | null {
  let at = 8; // past the magic number and version
  const leb = (): number => {
    let value = 0, shift = 0, byte: number;
    do { byte = bytes[at++] ?? 0; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && at < bytes.length);
    return value;
  };
  const skip = () => { const length = leb(); at += length; }; // a name (`at += leb()` would add to the old `at`)
  const limits = (): MemoryType => {
    const flags = bytes[at++] ?? 0;
    const min = leb();
    return { min, max: flags & 1 ? leb() : undefined, shared: (flags & 2) !== 0 };
  };
  while (at < bytes.length) {
    const id = bytes[at++], size = leb(), end = at + size;
    if (id !== 2) { at = end; continue; }
    for (let count = leb(); count > 0; count--) {
      skip(); // module name
      skip(); // field name
      const kind = bytes[at++];
      if (kind === 0) leb(); // function: type index
      else if (kind === 1) { at++; limits(); } // table: element type, limits
      else if (kind === 2) return limits(); // memory
      else if (kind === 3) at += 2; // global: value type, mutability
      else if (kind === 4) { at++; leb(); } // tag: attribute, type index
      else return null;
    }
    return null;
  }
  return null;
}

/** The memory a kernel set runs over, and its type (for modules compiled later to import it too). */
interface Memory { memory: WebAssembly.Memory; type: ImportType }

/** Checks what can be checked before instantiating; returns the memory and imports to instantiate with. */
function prepare(module: WebAssembly.Module, binary: Binary, threads: 1 | 2): Memory & { imports: WebAssembly.Imports } {
  const { what, fix } = binary;
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = ['KERNELS_ABI', 'RELAXED_SIMD', ...REQUIRED_EXPORTS].filter((name) => !exported.has(name));
  const imports = WebAssembly.Module.imports(module);
  const memoryType = importedMemory(binary.bytes);
  const foreign = imports.filter((i) => i.module !== 'env' || !['memory', 'abort'].includes(i.name));
  if (missing.length > 0 || foreign.length > 0 || !memoryType) {
    const why = missing.length > 0 ? `it lacks the export${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`
      : foreign.length > 0 ? `it imports ${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}`
        : 'it imports no memory';
    throw refuse(what, `a WebAssembly module, but not chainrule's kernels (or not this version's): ${why}`, fix);
  }
  if (threads === 2 && !memoryType.shared) {
    throw refuse(what, 'kernels over unshared memory, but threads: 2 needs the ones over shared memory (kernels-*-shared.wasm)', fix);
  }
  // 4 MiB to start, grown on demand; shared memory needs the maximum the binary declares.
  const initial = Math.max(64, memoryType.min);
  const type: ImportType = { shared: memoryType.shared, max: memoryType.shared ? memoryType.max ?? 32768 : memoryType.max };
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

/** Throws, saying why, where no WebAssembly kernel set can load at all. */
function checkRuntime(threads: unknown): asserts threads is 1 | 2 {
  if (threads !== 1 && threads !== 2) throw new Error(`chainrule: threads must be 1 or 2, not ${String(threads)}`);
  if (threads === 2 && !inNode) {
    throw new Error('chainrule: threads: 2 needs Node\'s worker threads; outside Node the kernels run on one thread (threads: 1)');
  }
  if (typeof WebAssembly !== 'object') throw new Error('chainrule: this runtime has no WebAssembly');
  if (!hasSimd()) throw new Error('chainrule: this runtime has no WebAssembly SIMD');
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

const isBinary = (x: unknown): x is KernelBinary =>
  typeof x === 'string' || x instanceof URL || x instanceof ArrayBuffer || ArrayBuffer.isView(x);

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

const hasScheme = (s: string) => /^[a-z][a-z\d+.-]+:/i.test(s); // two letters at least: C:\ is a path

/** Gets the bytes of `source`; `file` is the shipped file it should be, for the fix in error messages. */
async function readBinary(source: KernelBinary, file: string, relaxed: boolean | undefined): Promise<Binary> {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const view = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return { bytes: view.slice(), what: `the ${view.length} bytes given`, fix: `give the bytes of ${SHIPPED_AT}${file} from @chainrule/core, ${OMIT}`, relaxed };
  }
  const text = source.toString();
  if (inNode && (!hasScheme(text) || text.startsWith('file:'))) {
    const fs = nodeBuiltin<{ promises: { readFile(path: string | URL): Promise<Uint8Array> } }>('node:fs');
    const path = nodeBuiltin<{ resolve(...paths: string[]): string }>('node:path');
    const url = nodeBuiltin<{ fileURLToPath(url: string | URL): string }>('node:url');
    const fix = `put ${SHIPPED_AT}${file} from @chainrule/core there, ${OMIT}`;
    if (!fs || !path || !url) throw new Error(`chainrule: cannot read ${text}: this Node has no process.getBuiltinModule (Node ≥ 20.16 has); pass the bytes instead, ${OMIT}`);
    const resolved = hasScheme(text) ? url.fileURLToPath(text) : path.resolve(text);
    let data: Uint8Array;
    try { data = await fs.promises.readFile(resolved); } catch (e) {
      throw refuse(resolved, `reading it failed (${(e as Error).message})`, fix);
    }
    return { bytes: new Uint8Array(data), what: resolved, fix, relaxed };
  }
  let href = text;
  try { href = new URL(text, (globalThis as { location?: { href: string } }).location?.href).href; } catch { /* keep it as given */ }
  const fix = `serve ${SHIPPED_AT}${file} from @chainrule/core at that URL, ${OMIT}`;
  if (typeof fetch !== 'function') throw new Error(`chainrule: cannot fetch ${href}: this runtime has no fetch; pass the bytes instead, ${OMIT}`);
  let response: Response;
  try { response = await fetch(href); } catch (e) {
    throw refuse(href, `fetching it failed (${(e as Error).message})`, fix);
  }
  if (!response.ok) throw refuse(href, `fetching it failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, fix);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { bytes, what: `${href} (${bytes.length} bytes)`, fix, relaxed };
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
