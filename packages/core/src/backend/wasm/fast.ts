/**
 * The fast kernel set: float32 WebAssembly SIMD kernels (AssemblyScript, ./assembly/), wrapped as
 * `Kernels`. The set at the end of makeKernels lists which kernels run here and which are the reference
 * set's; float64 and tiny calls go to the reference set too (wasmTakes), where the copy into wasm memory
 * costs more than it saves. Getting the binaries and instantiating them is ./index.ts's job.
 */
import type { TypedArray } from '../../dtype.ts';
import type { BinaryKernel, Kernels, UnaryKernel } from '../kernels.ts';
import type { FusedProgram } from '../program.ts';
import { referenceKernels as ref } from '../reference/index.ts';
import { Arena } from './arena.ts';
import { argumentWords, compileFused, type CompiledFused, type MemoryType } from './compile-fused.ts';
import { uncheckedOf } from '../checked.ts';
import { CONTROL_BYTES, HelperThread, MAX_CHUNKS } from './thread.ts';

/**
 * How a call is routed, the same way by every kernel below: to wasm when all its arrays are float32 and
 * its work (elements, or m·k·n for a matmul) reaches the kernel's minimum; to the reference set otherwise.
 * Below these minimums the JS path wins: a wasm call costs ~80 ns (copy in and out, one new view),
 * ~110 ns for a binary op. Measured per call, element counts 16..1024 and matmuls 2³..32³.
 */
const MIN_ELEMENTWISE = 32;
const MIN_BINARY = 64; // below it, float32 binary ops take a plain JS loop (binaryJs), not the reference
const MIN_MATMUL_FLOPS = 125; // m·k·n
const MIN_FUSED = 16;

const isF32 = (x: TypedArray): x is Float32Array => x instanceof Float32Array;

/** The routing rule above: whether wasm takes a call with this much work over these arrays. */
const wasmTakes = (work: number, min: number, a: TypedArray, b: TypedArray = a, c: TypedArray = a, d: TypedArray = a): boolean =>
  work >= min && isF32(a) && isF32(b) && isF32(c) && isF32(d);

/** With a helper thread, matmuls from this size (m·k·n) on are split (64×128×64 = 2¹⁹ measured slower split). */
const MIN_THREAD_FLOPS = 1 << 20;
/** Pieces a threaded matmul is cut into: more balance the threads better, fewer duplicate less packing. */
const chunksFor = (mkn: number) => (mkn >= 1 << 24 ? MAX_CHUNKS : 2);

interface Exports {
  PACK_A_BYTES: WebAssembly.Global;
  PACK_B_BYTES: WebAssembly.Global;
  TILE_BYTES: WebAssembly.Global;
  matmulBlock(a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
    i0: number, i1: number, j0: number, j1: number, pa: number, pb: number, tile: number): void;
  [binary: `binary${string}`]: (a: number, aRow: number, aInner: number, b: number, bRow: number, bInner: number,
    out: number, outer: number, inner: number) => void;
  [unary: `unary${string}`]: (x: number, out: number, len: number, alpha: number) => void;
  sum3(x: number, outer: number, len: number, inner: number, out: number): void;
  softmaxRows(x: number, rows: number, len: number, out: number, log: number): void;
  logsumexpRows(x: number, rows: number, len: number, out: number): void;
  addRowVector(c: number, bias: number, m: number, n: number): void;
  sumSquares(x: number, len: number): number;
  heapBase(): number;
}

const BINARY_CODES: Partial<Record<BinaryKernel, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
const BINARY_EXPORTS = ['binaryAdd', 'binarySub', 'binaryMul', 'binaryDiv'] as const;
const UNARY_EXPORTS: Partial<Record<UnaryKernel, `unary${string}`>> = {
  relu: 'unaryRelu', step: 'unaryStep', sigmoid: 'unarySigmoid', exp: 'unaryExp', neg: 'unaryNeg', abs: 'unaryAbs',
  sqrt: 'unarySqrt', square: 'unarySquare', reciprocal: 'unaryReciprocal', leakyRelu: 'unaryLeakyRelu',
};

/** Every export this file calls: a binary without one of them is not (this version of) the kernels. */
export const REQUIRED_EXPORTS: readonly string[] = [
  'PACK_A_BYTES', 'PACK_B_BYTES', 'TILE_BYTES', 'matmulBlock', ...BINARY_EXPORTS, ...Object.values(UNARY_EXPORTS),
  'sum3', 'softmaxRows', 'logsumexpRows', 'addRowVector', 'sumSquares', 'heapBase',
];

/** The output as [outer, inner] with per-operand row strides and inner strides of 0 or 1, or null. */
export interface Plan2d { outer: number; inner: number; aRow: number; aInner: number; bRow: number; bInner: number }

export function plan2d(shape: readonly number[], aS: readonly number[], bS: readonly number[]): Plan2d | null {
  // Skip unit dims and merge neighbours that both operands walk as one (including both broadcast),
  // keeping at most two merged dims. Plain locals: this runs on every binary op, small ones included.
  let dims = 0;
  let s0 = 1, a0 = 0, b0 = 0, s1 = 1, a1 = 0, b1 = 0;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const sa = aS[d]!, sb = bS[d]!;
    if (dims === 0) { s0 = size; a0 = sa; b0 = sb; dims = 1; }
    else if (dims === 1 && a0 === sa * size && b0 === sb * size) { s0 *= size; a0 = sa; b0 = sb; }
    else if (dims === 1) { s1 = size; a1 = sa; b1 = sb; dims = 2; }
    else if (a1 === sa * size && b1 === sb * size) { s1 *= size; a1 = sa; b1 = sb; }
    else return null;
  }
  if (dims === 0) return { outer: 1, inner: 1, aRow: 0, aInner: 0, bRow: 0, bInner: 0 };
  if (dims === 1) {
    return (a0 === 0 || a0 === 1) && (b0 === 0 || b0 === 1) ? { outer: 1, inner: s0, aRow: 0, aInner: a0, bRow: 0, bInner: b0 } : null;
  }
  return (a1 === 0 || a1 === 1) && (b1 === 0 || b1 === 1) ? { outer: s0, inner: s1, aRow: a0, aInner: a1, bRow: b0, bInner: b1 } : null;
}

function binaryJs(op: number, a: Float32Array, b: Float32Array, out: Float32Array, p: Plan2d): void {
  const { outer, inner, aRow, aInner, bRow, bInner } = p;
  for (let o = 0, at = 0; o < outer; o++) {
    let ia = o * aRow, ib = o * bRow;
    for (let i = 0; i < inner; i++, at++, ia += aInner, ib += bInner) {
      const x = a[ia]!, y = b[ib]!;
      out[at] = op === 0 ? x + y : op === 1 ? x - y : op === 2 ? x * y : x / y;
    }
  }
}

/** [outer, len, inner] for a sum over one block of consecutive axes (unit dims may sit anywhere), or null. */
function reduceBlock(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const reduced = shape.map((s, d) => axes.includes(d) && s !== 1);
  const first = reduced.indexOf(true);
  if (first < 0) return null;
  const last = reduced.lastIndexOf(true);
  let outer = 1, len = 1, inner = 1;
  for (let d = 0; d < shape.length; d++) {
    if (d < first) outer *= shape[d]!;
    else if (d > last) inner *= shape[d]!;
    else if (reduced[d] || shape[d] === 1) len *= shape[d]!;
    else return null; // a kept dim between reduced ones
  }
  return [outer, len, inner];
}

/** Per program: its compiled function, or null when compiling failed (the reference set runs it then). */
type FusedCache = WeakMap<FusedProgram, CompiledFused | null>;

function makeKernels(name: string, w: Exports, arena: Arena, helper: HelperThread | null, compile: (p: FusedProgram) => CompiledFused,
  cache: FusedCache): Kernels {
  const packA = w.PACK_A_BYTES.value as number, packB = w.PACK_B_BYTES.value as number, tile = w.TILE_BYTES.value as number;
  const scratch = () => [arena.alloc(packA / 4), arena.alloc(packB / 4), arena.alloc(tile / 4)] as const;

  /** op(A)·op(B) into a fresh output block (after arena.begin()); returns its address. */
  function product(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): number {
    const [pa, pb, pt] = scratch();
    const pA = arena.input(a), pB = arena.input(b), pC = arena.output(m * n);
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    if (helper && m * k * n >= MIN_THREAD_FLOPS && (m >= 8 || n >= 16) && helper.available()) {
      // Split the dimension whose pieces duplicate less packing: by columns each chunk packs all of
      // A, by rows all of B.
      helper.matmul(w, [pA, pB, pC, m, k, n, tA, tB], m < n, chunksFor(m * k * n), [pa, pb, pt], scratch());
    } else {
      w.matmulBlock(pA, pB, pC, m, k, n, tA, tB, 0, m, 0, n, pa, pb, pt);
    }
    return pC;
  }

  const matmul: Kernels['matmul'] = (a, b, out, m, k, n, transA, transB) => {
    if (!wasmTakes(m * k * n, MIN_MATMUL_FLOPS, a, b, out)) { ref.matmul(a, b, out, m, k, n, transA, transB); return; }
    arena.begin(a.length + b.length + out.length);
    arena.finish(product(a as Float32Array, b as Float32Array, m, k, n, transA, transB), out as Float32Array);
  };

  const linear: Kernels['linear'] = (x, wt, bias, out, m, k, n) => {
    if (!wasmTakes(m * k * n, MIN_MATMUL_FLOPS, x, wt, bias, out)) { ref.linear(x, wt, bias, out, m, k, n); return; }
    arena.begin(x.length + wt.length + bias.length + out.length);
    const pC = product(x as Float32Array, wt as Float32Array, m, k, n, false, false);
    w.addRowVector(pC, arena.input(bias as Float32Array), m, n);
    arena.finish(pC, out as Float32Array);
  };

  const binary: Kernels['binary'] = (op, a, aStrides, b, bStrides, outShape, out) => {
    const code = BINARY_CODES[op];
    const plan = code !== undefined && wasmTakes(0, 0, a, b, out) ? plan2d(outShape, aStrides, bStrides) : null;
    if (!plan) { ref.binary(op, a, aStrides, b, bStrides, outShape, out); return; }
    if (!wasmTakes(out.length, MIN_BINARY, out)) { binaryJs(code!, a as Float32Array, b as Float32Array, out as Float32Array, plan); return; }
    arena.begin(a.length + b.length + out.length);
    const pa = arena.input(a as Float32Array), pb = arena.input(b as Float32Array), po = arena.output(out.length);
    w[BINARY_EXPORTS[code!]!](pa, plan.aRow, plan.aInner, pb, plan.bRow, plan.bInner, po, plan.outer, plan.inner);
    arena.finish(po, out as Float32Array);
  };

  const unary: Kernels['unary'] = (op, x, out, alpha) => {
    const fn = UNARY_EXPORTS[op];
    if (fn === undefined || !wasmTakes(x.length, MIN_ELEMENTWISE, x, out)) { ref.unary(op, x, out, alpha); return; }
    arena.begin(2 * x.length);
    const px = arena.input(x as Float32Array), po = arena.output(x.length);
    w[fn](px, po, x.length, alpha);
    arena.finish(po, out as Float32Array);
  };

  const reduce: Kernels['reduce'] = (op, x, shape, axes, out) => {
    const block = op === 'sum' && wasmTakes(x.length, MIN_ELEMENTWISE, x, out) ? reduceBlock(shape, axes) : null;
    if (!block) { ref.reduce(op, x, shape, axes, out); return; }
    const [outer, len, inner] = block;
    arena.begin(x.length + out.length);
    const px = arena.input(x as Float32Array), po = arena.output(outer * inner);
    w.sum3(px, outer, len, inner, po);
    arena.finish(po, out as Float32Array);
  };

  const softmax: Kernels['softmax'] = (x, outer, len, inner, out, log) => {
    if (inner !== 1 || !wasmTakes(x.length, MIN_ELEMENTWISE, x, out)) { ref.softmax(x, outer, len, inner, out, log); return; }
    arena.begin(2 * x.length);
    const px = arena.input(x as Float32Array), po = arena.output(x.length);
    w.softmaxRows(px, outer, len, po, log ? 1 : 0);
    arena.finish(po, out as Float32Array);
  };

  const logsumexp: Kernels['logsumexp'] = (x, outer, len, inner, out) => {
    if (inner !== 1 || !wasmTakes(x.length, MIN_ELEMENTWISE, x, out)) { ref.logsumexp(x, outer, len, inner, out); return; }
    arena.begin(x.length + outer);
    const px = arena.input(x as Float32Array), po = arena.output(outer);
    w.logsumexpRows(px, outer, len, po);
    arena.finish(po, out as Float32Array);
  };

  const sumSquares: Kernels['sumSquares'] = (x) => {
    if (!wasmTakes(x.length, MIN_ELEMENTWISE, x)) return ref.sumSquares(x);
    arena.begin(x.length);
    return w.sumSquares(arena.input(x as Float32Array), x.length);
  };

  /** The program's compiled function, compiled on its first run here; null if that failed (then never retried). */
  const compiledFor = (program: FusedProgram): CompiledFused | null => {
    let run = cache.get(program);
    if (run === undefined) {
      try { run = compile(program); } catch { run = null; }
      cache.set(program, run);
    }
    return run;
  };

  // Each program runs as its own WebAssembly function (./compile-fused.ts), compiled on its first run
  // here; where compiling fails, in the reference set. The arrays come in through the ring (a gradient or
  // parameters already there are not copied again). No closures here: this runs once per parameter per step.
  const fused: Kernels['fused'] = (program, inputs, scalars, outputs) => {
    // One dtype and length for all arrays (the kernel boundary checks it): the first one stands for all.
    const first = inputs[0] ?? outputs[0]!;
    const run = wasmTakes(first.length, MIN_FUSED, first) ? compiledFor(program) : null;
    if (!run) { ref.fused(program, inputs, scalars, outputs); return; }
    const n = first.length;
    arena.begin(n * (inputs.length + outputs.length));
    // The arguments (argumentWords): input addresses, output addresses, the vector count, the scalars.
    // Each address is computed before `arena.i32` is read: arena.input and arena.output may grow the
    // memory, which replaces the view. The function runs ceil(n/4) vectors: a partial last one reads and
    // writes past the last value, inside the padding the arena leaves after every block (arena.ts,
    // blockBytes), and what it wrote there is never read.
    const args = arena.alloc(argumentWords(program)), word = args >> 2;
    for (let i = 0; i < inputs.length; i++) { const at = arena.input(inputs[i] as Float32Array); arena.i32[word + i] = at; }
    const firstOutput = word + inputs.length;
    for (let o = 0; o < outputs.length; o++) { const at = arena.output(n); arena.i32[firstOutput + o] = at; }
    arena.i32[firstOutput + outputs.length] = (n + 3) >> 2;
    for (let s = 0; s < program.scalars; s++) arena.f32[firstOutput + outputs.length + 1 + s] = scalars[s]!;
    run(args);
    for (let o = 0; o < outputs.length; o++) arena.finish(arena.i32[firstOutput + o]!, outputs[o] as Float32Array);
  };

  return {
    name,
    // In WebAssembly, for the calls routed to it (wasmTakes); the others go to the reference set.
    matmul, linear, binary, unary, reduce, softmax, logsumexp, sumSquares, fused,
    // From the reference set: no wasm version (yet).
    select: ref.select, copyStrided: ref.copyStrided, pad: ref.pad, gather: ref.gather, scatterAdd: ref.scatterAdd,
    concat: ref.concat, clip: ref.clip, crossEntropy: ref.crossEntropy, crossEntropyGrad: ref.crossEntropyGrad,
  };
}

const helpers = new WeakMap<Kernels, HelperThread>();
const fusedCaches = new WeakMap<Kernels, FusedCache>();

/**
 * How a wasm kernel set runs `program`: 'compiled' (its own WebAssembly function), 'fallback' (compiling
 * failed: the reference set runs it), or undefined before its first run there (for tests).
 */
export function fusedPath(ks: Kernels, program: FusedProgram): 'compiled' | 'fallback' | undefined {
  const entry = fusedCaches.get(uncheckedOf(ks) ?? ks)?.get(program);
  return entry === undefined ? undefined : entry ? 'compiled' : 'fallback';
}
/** The helper thread of a set loaded with `threads: 2` (for tests and tuning). */
export const helperOf = (ks: Kernels): HelperThread | undefined => helpers.get(uncheckedOf(ks) ?? ks);

/**
 * The kernel set of one instance of a kernel binary, over `memory` (shared when `threads` is 2: a helper
 * thread then runs part of each big matmul; Node only, see ./thread.ts).
 */
export function wasmKernelSet(name: string, relaxed: boolean, module: WebAssembly.Module, instance: WebAssembly.Instance,
  memory: WebAssembly.Memory, memoryType: MemoryType, threads: 1 | 2): Kernels {
  const w = instance.exports as unknown as Exports;
  let base = (w.heapBase() + 63) & ~63;
  let helper: HelperThread | null = null;
  if (threads === 2) {
    helper = HelperThread.start(module, memory, base);
    base += (CONTROL_BYTES + 63) & ~63;
    if (helper) name += '-2threads';
  }
  const cache: FusedCache = new WeakMap();
  const compile = (program: FusedProgram) => compileFused(program, memory, memoryType, relaxed);
  const ks = makeKernels(name, w, new Arena(memory, base), helper, compile, cache);
  if (helper) helpers.set(ks, helper);
  fusedCaches.set(ks, cache);
  return ks;
}
