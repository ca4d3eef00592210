/**
 * The active kernel set, and choosing it. Ops call `kernels()` at every call, so swapping the set takes
 * effect at once.
 *
 * At import the fastest set that loads is installed:
 * - in Node, synchronously, native → WebAssembly → reference: the C++ addon `@chainrule/native` (an
 *   optional dependency) when it loads, else the WebAssembly kernels embedded in the package as bytes
 *   (they load wherever core runs, installed or bundled, with no file to copy), saying once why;
 * - elsewhere (browsers), the WebAssembly kernels, asynchronously, since Chrome refuses to compile
 *   modules over 4 KB synchronously on the main thread: the reference set is active until `ready()`
 *   resolves. Native is never tried there.
 */
import type { Kernels } from './kernels.ts';
import { describeValue } from '../describe-value.ts';
import { referenceKernels } from './reference/index.ts';
import { checkedKernels, uncheckedOf } from './checked.ts';
import {
  embeddedSetName, hasRelaxedSimd, inNode, loadEmbeddedSync, loadWasmKernels, loadWasmSet, type LoadKernelsOptions,
} from './wasm/index.ts';
import { loadNativeKernels } from './native/index.ts';
import { nodeBuiltin } from './wasm/runtime.ts';

export type { Kernels, UnaryKernel, BinaryKernel, ReduceKernel } from './kernels.ts';
export type { KernelBinary, LoadKernelsOptions } from './wasm/index.ts';
export { referenceKernels, loadWasmKernels };

/**
 * The kernel sets `setBackend` knows: the plain TypeScript oracle, the WebAssembly sets (a helper thread: Node only),
 * and 'native', the C++ addon `@chainrule/native` (Node only, when installed and built) at the best code path
 * the CPU runs; `backend()` then names that path, 'native-avx512', 'native-avx2' or 'native-portable', and each
 * of those names chooses its path (at most the CPU's), so `setBackend(backend())` gives back the set in use.
 */
export type BackendName = 'reference' | 'wasm-simd' | 'wasm-relaxed-simd' | 'wasm-simd-2threads' | 'wasm-relaxed-simd-2threads'
  | 'native' | 'native-avx512' | 'native-avx2' | 'native-portable';
const NATIVE_LEVELS: readonly string[] = ['native-portable', 'native-avx2', 'native-avx512']; // by level number
const BACKEND_NAMES: readonly string[] = ['reference', 'wasm-simd', 'wasm-relaxed-simd', 'wasm-simd-2threads', 'wasm-relaxed-simd-2threads', 'native', ...NATIVE_LEVELS];

/**
 * The kernel set in use, always behind the boundary's checks (./checked.ts): every way of installing a set
 * goes through `install`. Change it with setBackend.
 */
let active: Kernels = checkedKernels(referenceKernels);
const install = (set: Kernels) => { active = checkedKernels(set); };

/**
 * The kernel set in use: what every op calls, behind the boundary's checks. Read it at each call (sets can change).
 *
 * @example
 * ```ts
 * import { kernels } from '@chainrule/core/backend';
 * kernels().sumSquares(Float32Array.of(3, 4));   // 25
 * ```
 */
export const kernels = (): Kernels => active;

/** WebAssembly sets compiled so far, by name: what `setBackend` installs without compiling again. */
const compiled = new Map<string, Kernels>();
/** Outside Node: why a default set could not load, by name, for setBackend to say. */
const failed = new Map<string, string>();
/** Set once the user installs a set: the default load, finishing later in a browser, then leaves theirs alone. */
let chosen = false;

/** What has been warned about: each once ('native': why not native; 'kernels': why not the fast WebAssembly set, or a bad switch). */
const warned = new Set<string>();
const warnOnce = (message: string, about: 'native' | 'kernels' = 'kernels') => {
  if (!warned.has(about)) console.warn(`chainrule: ${message}`);
  warned.add(about);
};
/** An error's message without the 'chainrule: ' it starts with, to quote inside another message. */
const reason = (e: unknown) => String((e as Error)?.message ?? e).replace(/^chainrule: /, '');

/** A user's set, completed from the reference set where it leaves a kernel out; a set taken from `kernels()` earlier, as it was. */
function completed(set: Partial<Kernels> & { name: string }): Kernels {
  if (set === null || typeof set !== 'object' || typeof set.name !== 'string') {
    throw new Error(`chainrule: setBackend takes a kernel set's name or a kernel set ({ name, ...kernels }), got ${describeValue(set)}`);
  }
  return uncheckedOf(set as Kernels) ? set as Kernels : { ...referenceKernels, ...set };
}

/**
 * The name of the kernel set in use: 'native-avx512', 'native-avx2' or 'native-portable' (the native set and
 * its code path), 'wasm-relaxed-simd', 'wasm-simd' (either may end in '-2threads'), 'reference', or a custom set's name.
 *
 * @example
 * ```ts
 * import { backend } from '@chainrule/core';
 * console.log(backend());   // in Node 'native-avx2' on an AVX2 CPU with @chainrule/native installed; in a browser 'wasm-relaxed-simd'
 * ```
 */
export function backend(): string {
  return active.name;
}

/**
 * Installs a kernel set: the one public way to choose. By name: 'wasm-simd' is the same binary everywhere, so two runtimes pinned to it
 * compute the same bits; 'wasm-relaxed-simd' is faster but its fused multiply-add may round differently
 * between machines. In Node this works at any time; in a browser a WebAssembly set must have been
 * compiled first: `await ready()` (or `await loadKernels(...)`) before choosing one. Or a kernel set of your
 * own (`{ name, ...kernels }`, see `Kernels` in `@chainrule/core/backend`): any kernel it leaves out is the
 * reference one.
 *
 * @throws Error when the name is unknown (listing the names), a '-2threads' set is asked for outside
 *   Node, 'native' where its addon cannot load (saying why and the fix; the set in use stays) or a 'native-…' code path above the CPU's, a relaxed-SIMD set where the runtime has none, or (outside Node) a WebAssembly set not compiled
 *   yet or that failed to load, saying why; and when a custom set is not an object with a string `name`.
 * @example
 * ```ts
 * import { backend, setBackend } from '@chainrule/core';
 * setBackend('reference');   // plain TypeScript: slow, the oracle
 * setBackend('wasm-simd');   // the same bits on every machine
 * backend();                 // 'wasm-simd'
 * setBackend('native');      // Node with @chainrule/native: its best code path, e.g. backend() === 'native-avx2'
 * ```
 */
export function setBackend(name: BackendName | (Partial<Kernels> & { name: string })): void {
  if (typeof name === 'object') {
    install(completed(name));
    chosen = true;
    return;
  }
  if (!BACKEND_NAMES.includes(name)) {
    throw new Error(`chainrule: there is no kernel set named ${JSON.stringify(name)}; the names are ${BACKEND_NAMES.map((n) => `'${n}'`).join(', ')}`);
  }
  install(name === 'reference' ? referenceKernels : name.startsWith('native') ? nativeSet(name) : compiledSet(name));
  chosen = true;
}

function nativeSet(name: BackendName): Kernels {
  if (name === 'native') return loadNativeKernels({ module: nativeModule() });
  return loadNativeKernels({ module: nativeModule(), level: NATIVE_LEVELS.indexOf(name) });
}

function compiledSet(name: BackendName): Kernels {
  const have = compiled.get(name);
  if (have) return have;
  const threads = name.endsWith('-2threads') ? 2 : 1;
  const relaxed = name.startsWith('wasm-relaxed-simd');
  if (threads === 2 && !inNode) throw new Error(`chainrule: '${name}' needs Node's worker threads; outside Node use '${name.replace('-2threads', '')}'`);
  if (relaxed && !hasRelaxedSimd()) throw new Error(`chainrule: this runtime has no relaxed SIMD, so no '${name}' kernels; use '${name.replace('relaxed-', '')}'`);
  if (!inNode) {
    const why = failed.get(name);
    if (why) throw new Error(`chainrule: the '${name}' kernels could not load: ${why}`);
    throw new Error(`chainrule: the '${name}' kernels are not compiled yet: outside Node they compile asynchronously, so \`await ready()\` (or \`await loadKernels(...)\`) before setBackend('${name}')`);
  }
  const set = loadEmbeddedSync(relaxed, threads);
  compiled.set(set.name, set);
  if (set.name !== name) throw new Error(`chainrule: asked for the '${name}' kernels, got '${set.name}'`);
  return set;
}

/**
 * Compiles a WebAssembly kernel set and resolves with its name, for `setBackend` to install:
 * `setBackend(await loadKernels({ wasm: url }))`. Without `wasm` it uses the kernels embedded in the
 * package; with it, files or bytes you serve yourself (see LoadKernelsOptions), which then stand for
 * that name. On failure it rejects with an Error that names what it looked for and the fix.
 *
 * @example
 * ```ts
 * import { loadKernels, setBackend } from '@chainrule/core';
 * setBackend(await loadKernels());                                  // the embedded fast set
 * setBackend(await loadKernels({ wasm: new URL('/wasm/kernels-simd.wasm', location.href) }));   // or a binary you serve
 * ```
 */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<BackendName> {
  const have = options.wasm === undefined ? compiled.get(embeddedSetName(options)) : undefined;
  const set = have ?? await loadWasmSet(options);
  compiled.set(set.name, set);
  return set.name as BackendName;
}

const nodeEnv = (): Record<string, string | undefined> =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
/** The addon's module id: '@chainrule/native', or CHAINRULE_NATIVE_MODULE (for tests: they name a missing one). */
const nativeModule = (): string => nodeEnv().CHAINRULE_NATIVE_MODULE || '@chainrule/native';
const WASM_CHOICES = ['wasm', 'wasm-simd', 'wasm-relaxed-simd'];

/** Whether Node can find the addon's package from here (not installed, or a bundle that left it behind: no). */
function nativeReachable(id: string): boolean {
  try {
    nodeBuiltin<{ createRequire(from: string): { resolve(id: string): string } }>('module')?.createRequire(import.meta.url).resolve(id);
    return true;
  } catch {
    return false;
  }
}

/**
 * The native set, or undefined after saying once why not: in one short line when the optional package is
 * simply not there (never installed, another OS, a bundle without it), with the loader's reason and fix
 * when it is there but does not load.
 */
function nativeOrWarn(asked: boolean): Kernels | undefined {
  const id = nativeModule();
  if (!asked && !nativeReachable(id)) {
    warnOnce(`using the WebAssembly kernels: the faster native ones need the optional package ${id}, not found here (CHAINRULE_KERNELS=wasm chooses wasm without this note)`, 'native');
    return undefined;
  }
  try {
    return loadNativeKernels({ module: id });
  } catch (e) {
    warnOnce(`${asked ? 'CHAINRULE_KERNELS=native: ' : ''}using the WebAssembly kernels: ${reason(e)}`, 'native');
    return undefined;
  }
}

/**
 * Node: the fastest set that loads, now: native, else WebAssembly (saying once why), else reference.
 * CHAINRULE_KERNELS forces a set with no note: 'reference' the reference set; 'wasm' the WebAssembly one
 * (relaxed SIMD where V8 has it), 'wasm-relaxed-simd' likewise, 'wasm-simd' plain SIMD without relaxed-SIMD
 * FMA; 'native' the C++ addon (falling back to WebAssembly with a warning when it cannot load;
 * CHAINRULE_NATIVE_LEVEL=0|1 forces a lower code path). CHAINRULE_THREADS=2 adds a worker thread to the
 * WebAssembly set for big matmuls (off by default: it only wins when the second core is idle).
 * CHAINRULE_NATIVE_MODULE names another module id for the addon (for tests of a missing one).
 */
function nodeDefault(): Kernels {
  const env = nodeEnv();
  const choice = env.CHAINRULE_KERNELS ?? '';
  if (choice === 'reference') return referenceKernels;
  if (choice !== '' && choice !== 'native' && !WASM_CHOICES.includes(choice)) {
    warnOnce(`CHAINRULE_KERNELS=${choice} is not one of reference, wasm, wasm-simd, wasm-relaxed-simd, native; using the default kernels`);
  }
  if (!WASM_CHOICES.includes(choice)) {
    const native = nativeOrWarn(choice === 'native');
    if (native) return native;
  }
  try {
    const set = loadEmbeddedSync(choice !== 'wasm-simd' && hasRelaxedSimd(), env.CHAINRULE_THREADS === '2' ? 2 : 1);
    compiled.set(set.name, set);
    return set;
  } catch (e) {
    warnOnce(`using the reference kernels: ${reason(e)}`);
    return referenceKernels;
  }
}

/**
 * Outside Node: compiles the embedded sets (plain SIMD, and relaxed SIMD where the runtime has it, so
 * either can be chosen with setBackend) and installs the fastest, unless the user chose a set meanwhile.
 */
async function loadDefaultAsync(): Promise<void> {
  const [simd, relaxed] = await Promise.allSettled([loadWasmSet({ relaxed: false }), hasRelaxedSimd() ? loadWasmSet({ relaxed: true }) : null]);
  for (const r of [simd, relaxed]) if (r.status === 'fulfilled' && r.value && !compiled.has(r.value.name)) compiled.set(r.value.name, r.value);
  if (simd.status === 'rejected') failed.set('wasm-simd', reason(simd.reason));
  if (relaxed.status === 'rejected') failed.set('wasm-relaxed-simd', reason(relaxed.reason));
  const best = compiled.get('wasm-relaxed-simd') ?? compiled.get('wasm-simd');
  // When both fail it is for the same reason (no SIMD, a Content Security Policy): say it once.
  if (simd.status === 'rejected') warnOnce(`using the reference kernels: ${reason(simd.reason)}`);
  else if (relaxed.status === 'rejected') warnOnce(`using the plain SIMD kernels: ${reason(relaxed.reason)}`);
  if (best && !chosen) install(best);
}

let defaultLoaded: Promise<void>;
if (inNode) {
  install(nodeDefault());
  defaultLoaded = Promise.resolve();
} else {
  defaultLoaded = loadDefaultAsync().catch((e: unknown) => warnOnce(`using the reference kernels: ${reason(e)}`));
}

/**
 * Resolves with `backend()` once the default fast kernels are installed: at once in Node, where they
 * compile during the import; in a browser once their asynchronous compilation is done. Where they cannot
 * load it resolves too (a console.warn has said why) and the reference kernels stay. Never rejects.
 *
 * @example
 * ```ts
 * import { ready } from '@chainrule/core';
 * console.log(await ready());   // e.g. 'native-avx512' in Node, 'wasm-relaxed-simd' in a browser; await this before timing anything
 * ```
 */
export function ready(): Promise<string> {
  return defaultLoaded.then(() => backend());
}
