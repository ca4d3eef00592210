/**
 * The native addon (`@chainrule/native`) as core sees it: its exports' signatures, the opcodes it
 * numbers (the order of its src/kernels.h enums), and loading it. Node only, and only when asked: the
 * package is reached through `createRequire`, never a static import, so core bundles for browsers as it is.
 */
import type { TypedArray } from '../../dtype.ts';
import type { BinaryKernel, UnaryKernel, Window2d } from '../kernels.ts';
import { nodeBuiltin } from '../wasm/runtime.ts';

/** The addon's exports (packages/native/src/addon.cc); each checks its sizes and throws a RangeError naming itself. */
export interface NativeAddon {
  /** The best code path the CPU runs: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable. */
  level(): number;
  /**
   * The threads large kernels use, the caller's included, after setting it to `n` when given (1..64; 1 = no
   * pool). Process-wide. Results have the same bits whatever the count: work is split by output.
   */
  threads(n?: number): number;
  /** How many calls have been split across threads since the addon loaded (tests check that a gate was crossed). */
  parallelCalls(): number;
  unary(op: number, x: TypedArray, out: TypedArray, alpha: number): void;
  binary(op: number, a: TypedArray, aRow: number, aInner: number, b: TypedArray, bRow: number, bInner: number, out: TypedArray, outer: number, inner: number): void;
  sum3(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray): void;
  /** `level` picks the code path of their exps as gemm's does (default: the CPU's best); every level gives the same bits. */
  logsumexp(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray, level?: number): void;
  softmax(x: TypedArray, outer: number, len: number, inner: number, out: TypedArray, log: boolean, level?: number): void;
  sumSquares(x: TypedArray): number;
  fused(code: Int32Array, inputs: number, scalars: number, temps: number, outputs: number,
    inputArrays: readonly TypedArray[], scalarValues: Float64Array, outputArrays: readonly TypedArray[]): void;
  /**
   * fused with its arrays as arguments, inputs then outputs: Node-API reads arguments far faster than a JS
   * array's elements (~0.4 vs ~0.8 µs a call of 5 arrays). Call it through Reflect.apply over a reused array.
   */
  fusedFlat(code: Int32Array, inputs: number, scalars: number, temps: number, outputs: number, scalarValues: Float64Array,
    ...arrays: TypedArray[]): void;
  gemm(level: number, m: number, n: number, k: number, a: TypedArray, transA: boolean, b: TypedArray, transB: boolean,
    bias: TypedArray | null, c: TypedArray): void;
  copyStrided(x: TypedArray, offset: number, strides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  select(cond: TypedArray, cStrides: readonly number[], a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[],
    outShape: readonly number[], out: TypedArray): void;
  /** A binary op over any shape of rank ≤ 8 (binary's [outer, inner] walk under the other dims). */
  binaryNd(op: number, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  pad(x: TypedArray, shape: readonly number[], before: readonly number[], outShape: readonly number[], out: TypedArray): void;
  gather(x: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void;
  scatterAdd(g: TypedArray, outer: number, len: number, inner: number, indices: Int32Array, out: TypedArray): void;
  takeRows(x: TypedArray, rowLength: number, rows: Int32Array, out: TypedArray): void;
  concat(parts: readonly TypedArray[], blocks: readonly number[], outer: number, out: TypedArray): void;
  clip(x: TypedArray, lo: number, hi: number, out: TypedArray): void;
  /** Max (or min, when `max` is false) over the middle axis of x viewed as [outer, len, inner]. */
  /** A sum (op 0), max (1) or min (2) over any axes, in the reference's order: outStrides are 0 along reduced dims. */
  reduceNd(op: number, x: TypedArray, shape: readonly number[], outStrides: readonly number[], out: TypedArray): void;
  extreme3(max: boolean, x: TypedArray, outer: number, len: number, inner: number, out: TypedArray): void;
  crossEntropy(x: TypedArray, rows: number, len: number, labels: Int32Array, probs: TypedArray, level?: number): number;
  crossEntropyGrad(probs: TypedArray, rows: number, len: number, labels: Int32Array, scale: number, out: TypedArray): void;
  /** The window kernels take the Window2d as its 14 sizes in WINDOW_FIELDS order (see windowSizes). */
  im2col(x: TypedArray, window: readonly number[], out: TypedArray): void;
  col2im(cols: TypedArray, window: readonly number[], out: TypedArray): void;
  /** `level` picks its vector code path as gemm's does (at most `level()`); every level gives the same bits. */
  maxPool2d(x: TypedArray, window: readonly number[], out: TypedArray, argmax: Int32Array, level: number): void;
  avgPool2d(x: TypedArray, window: readonly number[], out: TypedArray): void;
  avgPool2dBackward(g: TypedArray, window: readonly number[], out: TypedArray): void;
}

/** Window2d's fields in the order the addon's window kernels read them (windowArg in src/addon.cc). */
export const WINDOW_FIELDS = ['batch', 'channels', 'height', 'width', 'kernelH', 'kernelW', 'strideH', 'strideW',
  'padH', 'padW', 'dilationH', 'dilationW', 'outH', 'outW'] as const satisfies readonly (keyof Window2d)[];

/** One array reused by every call (kernels run synchronously): no allocation per window kernel call. */
const windowArray: number[] = WINDOW_FIELDS.map(() => 0);

/** The window's sizes as the addon takes them (the same array each call: use it before the next). */
export function windowSizes(w: Window2d): readonly number[] {
  for (let i = 0; i < WINDOW_FIELDS.length; i++) windowArray[i] = w[WINDOW_FIELDS[i]!];
  return windowArray;
}

/** The most dims the addon's strided kernels (copyStrided, select, binaryNd, pad) take (kMaxRank in src/kernels.h). */
export const MAX_RANK = 8;

/** Opcodes in the addon's order (enum Unary, enum Binary in packages/native/src/kernels.h). */
const UNARY_ORDER: readonly UnaryKernel[] = ['neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'sin', 'cos', 'tanh', 'sigmoid',
  'relu', 'leakyRelu', 'softplus', 'sign', 'square', 'reciprocal', 'step'];
const BINARY_ORDER: readonly BinaryKernel[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'notEqual',
  'greater', 'greaterEqual', 'less', 'lessEqual'];
export const UNARY_CODES = Object.fromEntries(UNARY_ORDER.map((op, i) => [op, i])) as Record<UnaryKernel, number>;
export const BINARY_CODES = Object.fromEntries(BINARY_ORDER.map((op, i) => [op, i])) as Record<BinaryKernel, number>;

/** The names of the levels, by number: what `backend()` reports after 'native-'. */
export const LEVEL_NAMES = ['portable', 'avx2', 'avx512'] as const;

const FIX = 'install @chainrule/native beside @chainrule/core and let it build (it needs g++, make and python3; '
  + 'pnpm users approve its build script with `allowBuilds: { "@chainrule/native": true }` in pnpm-workspace.yaml), '
  + "or use the WebAssembly kernels: setBackend('wasm-relaxed-simd')";

const EXPORTS: readonly (keyof NativeAddon)[] = ['level', 'threads', 'parallelCalls', 'unary', 'binary', 'sum3', 'logsumexp', 'softmax', 'sumSquares', 'fused', 'fusedFlat', 'gemm',
  'copyStrided', 'select', 'binaryNd', 'pad', 'gather', 'scatterAdd', 'takeRows', 'concat', 'clip', 'extreme3', 'reduceNd', 'crossEntropy', 'crossEntropyGrad',
  'im2col', 'col2im', 'maxPool2d', 'avgPool2d', 'avgPool2dBackward'];

/**
 * Loads the addon (by package name, or another module id: tests name a missing one).
 *
 * @throws Error naming why it could not load (not Node, not installed, not built, another version) and the fix.
 */
export function loadAddon(id = '@chainrule/native'): NativeAddon {
  const nodeModule = nodeBuiltin<{ createRequire(from: string): (id: string) => unknown }>('module');
  if (!nodeModule) throw new Error(`chainrule: the native kernels run only in Node (≥ 20.16, with process.getBuiltinModule); use the WebAssembly kernels here`);
  let addon: Partial<NativeAddon>;
  try {
    addon = nodeModule.createRequire(import.meta.url)(id) as Partial<NativeAddon>;
  } catch (e) {
    const why = String((e as Error)?.message ?? e).split('\n')[0];
    throw new Error(`chainrule: the native kernels could not load: require('${id}') failed: ${why}. To fix it, ${FIX}`);
  }
  const missing = EXPORTS.filter((name) => typeof addon?.[name] !== 'function');
  if (missing.length > 0) throw new Error(`chainrule: '${id}' is not this version's native kernel addon: it lacks ${missing.join(', ')}. To fix it, ${FIX}`);
  return addon as NativeAddon;
}
