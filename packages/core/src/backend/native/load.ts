/**
 * Choosing the native set's code path: the best level the CPU runs, or a lower one forced by
 * CHAINRULE_NATIVE_LEVEL=0|1|2 (0 portable, 1 AVX2+FMA, 2 AVX-512) or by the caller, so that each
 * level can be tested on a machine that has it. And its thread count: CHAINRULE_THREADS (which also
 * gives the wasm set its worker), else DEFAULT_THREADS.
 */
import type { Kernels } from '../kernels.ts';
import { loadAddon } from './addon.ts';
import { nativeKernelSet } from './kernels.ts';

/** How to load the native kernel set. */
export interface LoadNativeOptions {
  /** The code path: at most what the CPU supports (default: that, or CHAINRULE_NATIVE_LEVEL when lower). */
  level?: number;
  /** The addon's module id (default '@chainrule/native'). */
  module?: string;
  /** Run every call natively, however small (default false: tiny calls go to the reference set, which is faster there). For tests. */
  allNative?: boolean;
  /**
   * Threads for large matmuls and elementwise work, the caller's included (1..64; 1: no pool). Results have the
   * same bits at any count. Process-wide: the addon has one pool. Default: CHAINRULE_THREADS, else DEFAULT_THREADS.
   */
  threads?: number;
}

/**
 * One thread unless asked: on the 2-core VM this was measured on, two threads ran large matmuls 1.4-1.7×
 * faster while the second core was free, but slower while it was busy (as it usually is there), and the
 * MNIST MLP's batch-64 training step gained nothing either way (see packages/native/README.md).
 */
export const DEFAULT_THREADS = 1;
const MAX_THREADS = 64;

const envLevel = (): number | undefined => {
  const text = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CHAINRULE_NATIVE_LEVEL;
  if (text === undefined || text === '') return undefined;
  if (!['0', '1', '2'].includes(text)) throw new Error(`chainrule: CHAINRULE_NATIVE_LEVEL=${text} is not 0 (portable), 1 (AVX2+FMA) or 2 (AVX-512)`);
  return Number(text);
};

const envThreads = (): number | undefined => {
  const text = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CHAINRULE_THREADS;
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > MAX_THREADS) throw new Error(`chainrule: CHAINRULE_THREADS=${text} is not a thread count in 1..${MAX_THREADS}`);
  return n;
};

/**
 * The native kernel set (Node only).
 *
 * @throws Error when the addon cannot load (saying why and the fix), the level asked for is above the CPU's,
 *   or the thread count is not in 1..64.
 */
export function loadNativeKernels(options: LoadNativeOptions = {}): Kernels {
  const addon = loadAddon(options.module);
  const supported = addon.level();
  const level = options.level ?? Math.min(supported, envLevel() ?? supported);
  if (!Number.isInteger(level) || level < 0 || level > supported) {
    throw new Error(`chainrule: native level ${level} is not one this CPU runs (0..${supported})`);
  }
  const threads = options.threads ?? envThreads() ?? DEFAULT_THREADS;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`chainrule: native threads ${threads} is not a thread count in 1..${MAX_THREADS}`);
  }
  addon.threads(threads);
  return nativeKernelSet(addon, level, options.allNative ?? false);
}

/** The levels this CPU runs, lowest first (for tests). */
export const nativeLevels = (options: Pick<LoadNativeOptions, 'module'> = {}): number[] =>
  Array.from({ length: loadAddon(options.module).level() + 1 }, (_, i) => i);
