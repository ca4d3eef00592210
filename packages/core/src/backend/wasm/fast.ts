/**
 * The fast kernel set: float32 WebAssembly SIMD kernels (AssemblyScript, ./assembly/), wrapped as
 * `Kernels`. The set at the end of makeKernels lists which kernels run here and which are the reference
 * set's; float64 and tiny calls go to the reference set too (wasmTakes), where the copy into wasm memory
 * costs more than it saves. Each kernel here routes its call, plans its loops (./plan.ts) and names the
 * exports it calls (./abi.ts); moving the arrays in and out is ./adapter.ts's job, loading ./load.ts's.
 */
import type { TypedArray } from '../../dtype.ts';
import type { Kernels } from '../kernels.ts';
import type { FusedProgram } from '../program.ts';
import { referenceKernels as ref } from '../reference/index.ts';
import { takeRows } from './take-rows.ts';
import { uncheckedOf } from '../checked.ts';
import { BINARY_CODES, BINARY_EXPORTS, UNARY_EXPORTS, windowSizes, type Exports } from './abi.ts';
import { Adapter } from './adapter.ts';
import { Arena } from './arena.ts';
import { compileFused, type CompiledFused, type MemoryType } from './compile-fused.ts';
import { plan2d, reduceInSteps, type Plan2d } from './plan.ts';
import { giveBack, take } from '../pool.ts';
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
/** Window kernels: elements written (not measured apart; each window call is a loop nest like an elementwise op's). */
const MIN_WINDOW = 32;

const isF32 = (x: TypedArray): x is Float32Array => x instanceof Float32Array;

/** The routing rule above: whether wasm takes a call with this much work over these arrays. */
const wasmTakes = (work: number, min: number, a: TypedArray, b: TypedArray = a, c: TypedArray = a, d: TypedArray = a): boolean =>
  work >= min && isF32(a) && isF32(b) && isF32(c) && isF32(d);

/** With a helper thread, matmuls from this size (m·k·n) on are split (64×128×64 = 2¹⁹ measured slower split). */
const MIN_THREAD_FLOPS = 1 << 20;
/** Pieces a threaded matmul is cut into: more balance the threads better, fewer duplicate less packing. */
const chunksFor = (mkn: number) => (mkn >= 1 << 24 ? MAX_CHUNKS : 2);

/** A float32 binary op too small for wasm, in a plain JS loop over its plan (op: a BINARY_CODES code). */
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

/** Per program: its compiled function, or null when compiling failed (the reference set runs it then). */
type FusedCache = WeakMap<FusedProgram, CompiledFused | null>;

function makeKernels(name: string, w: Exports, io: Adapter, helper: HelperThread | null, compile: (p: FusedProgram) => CompiledFused,
  cache: FusedCache): Kernels {
  const packA = w.PACK_A_BYTES.value as number, packB = w.PACK_B_BYTES.value as number, tile = w.TILE_BYTES.value as number;
  const arena = io.arena;
  const scratch = () => [arena.alloc(packA / 4), arena.alloc(packB / 4), arena.alloc(tile / 4)] as const;

  /** C = op(A)·op(B) at the given addresses, on one thread or split with the helper thread. */
  function product(pA: number, pB: number, pC: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
    const [pa, pb, pt] = scratch();
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    if (helper && m * k * n >= MIN_THREAD_FLOPS && (m >= 8 || n >= 16) && helper.available()) {
      // Split the dimension whose pieces duplicate less packing: by columns each chunk packs all of
      // A, by rows all of B.
      helper.matmul(w, [pA, pB, pC, m, k, n, tA, tB], m < n, chunksFor(m * k * n), [pa, pb, pt], scratch());
    } else {
      w.matmulBlock(pA, pB, pC, m, k, n, tA, tB, 0, m, 0, n, pa, pb, pt);
    }
  }

  // Each kernel: its route (wasmTakes, else the reference set), then copyIn, its export, copyOut (./adapter.ts).

  const matmul: Kernels['matmul'] = (a, b, out, m, k, n, transA, transB) => {
    if (!wasmTakes(m * k * n, MIN_MATMUL_FLOPS, a, b, out)) { ref.matmul(a, b, out, m, k, n, transA, transB); return; }
    const at = io.copyIn(out as Float32Array, a as Float32Array, b as Float32Array);
    product(at.a, at.b, at.out, m, k, n, transA, transB);
    io.copyOut(out as Float32Array);
  };

  const linear: Kernels['linear'] = (x, wt, bias, out, m, k, n) => {
    if (!wasmTakes(m * k * n, MIN_MATMUL_FLOPS, x, wt, bias, out)) { ref.linear(x, wt, bias, out, m, k, n); return; }
    const at = io.copyIn(out as Float32Array, x as Float32Array, wt as Float32Array, bias as Float32Array);
    product(at.a, at.b, at.out, m, k, n, false, false);
    w.addRowVector(at.out, at.c, m, n);
    io.copyOut(out as Float32Array);
  };

  const binary: Kernels['binary'] = (op, a, aStrides, b, bStrides, outShape, out) => {
    const code = BINARY_CODES[op];
    const plan = code !== undefined && wasmTakes(0, 0, a, b, out) ? plan2d(outShape, aStrides, bStrides) : null;
    if (!plan) { ref.binary(op, a, aStrides, b, bStrides, outShape, out); return; }
    if (!wasmTakes(out.length, MIN_BINARY, out)) { binaryJs(code!, a as Float32Array, b as Float32Array, out as Float32Array, plan); return; }
    const at = io.copyIn(out as Float32Array, a as Float32Array, b as Float32Array);
    w[BINARY_EXPORTS[code!]!](at.a, plan.aRow, plan.aInner, at.b, plan.bRow, plan.bInner, at.out, plan.outer, plan.inner);
    io.copyOut(out as Float32Array);
  };

  const unary: Kernels['unary'] = (op, x, out, alpha) => {
    const fn = UNARY_EXPORTS[op];
    if (fn === undefined || !wasmTakes(x.length, MIN_ELEMENTWISE, x, out)) { ref.unary(op, x, out, alpha); return; }
    const at = io.copyIn(out as Float32Array, x as Float32Array);
    w[fn](at.a, at.out, x.length, alpha);
    io.copyOut(out as Float32Array);
  };

  const reduce: Kernels['reduce'] = (op, x, shape, axes, out) => {
    const block = (a: Float32Array, outer: number, len: number, inner: number, o: Float32Array) => {
      const at = io.copyIn(o, a);
      w.sum3(at.a, outer, len, inner, at.out);
      io.copyOut(o);
    };
    const ran = op === 'sum' && wasmTakes(x.length, MIN_ELEMENTWISE, x, out) &&
      reduceInSteps(shape, axes, x as Float32Array, out as Float32Array, block, (n) => take('float32', n, 'overwritten') as Float32Array, giveBack);
    if (!ran) ref.reduce(op, x, shape, axes, out);
  };

  const softmax: Kernels['softmax'] = (x, outer, len, inner, out, log) => {
    if (inner !== 1 || !wasmTakes(x.length, MIN_ELEMENTWISE, x, out)) { ref.softmax(x, outer, len, inner, out, log); return; }
    const at = io.copyIn(out as Float32Array, x as Float32Array);
    w.softmaxRows(at.a, outer, len, at.out, log ? 1 : 0);
    io.copyOut(out as Float32Array);
  };

  const logsumexp: Kernels['logsumexp'] = (x, outer, len, inner, out) => {
    if (inner !== 1 || !wasmTakes(x.length, MIN_ELEMENTWISE, x, out)) { ref.logsumexp(x, outer, len, inner, out); return; }
    const at = io.copyIn(out as Float32Array, x as Float32Array);
    w.logsumexpRows(at.a, outer, len, at.out);
    io.copyOut(out as Float32Array);
  };

  const sumSquares: Kernels['sumSquares'] = (x) => {
    if (!wasmTakes(x.length, MIN_ELEMENTWISE, x)) return ref.sumSquares(x);
    // No output block (nor copyOut): the sum comes back as the export's result.
    return w.sumSquares(io.copyIn(null, x as Float32Array).a, x.length);
  };

  // The window kernels (./assembly/window.ts) give the reference's bits, so routing never changes a result.

  const im2col: Kernels['im2col'] = (x, win, out) => {
    if (!wasmTakes(out.length, MIN_WINDOW, x, out)) { ref.im2col(x, win, out); return; }
    const at = io.copyIn(out as Float32Array, x as Float32Array);
    w.im2col(at.a, at.out, ...windowSizes(win));
    io.copyOut(out as Float32Array);
  };

  const col2im: Kernels['col2im'] = (cols, win, out) => {
    if (!wasmTakes(cols.length, MIN_WINDOW, cols, out)) { ref.col2im(cols, win, out); return; }
    const at = io.copyIn(out as Float32Array, cols as Float32Array);
    w.col2im(at.a, at.out, ...windowSizes(win));
    io.copyOut(out as Float32Array);
  };

  const maxPool2d: Kernels['maxPool2d'] = (x, win, out, argmax) => {
    if (!wasmTakes(x.length, MIN_WINDOW, x, out)) { ref.maxPool2d(x, win, out, argmax); return; }
    const at = io.copyInWithIndices(out as Float32Array, x as Float32Array, argmax);
    w.maxPool2d(at.a, at.out, at.indices, ...windowSizes(win));
    io.copyOut(out as Float32Array);
    io.copyOutIndices(argmax);
  };

  const avgPool2d: Kernels['avgPool2d'] = (x, win, out) => {
    if (!wasmTakes(x.length, MIN_WINDOW, x, out)) { ref.avgPool2d(x, win, out); return; }
    const at = io.copyIn(out as Float32Array, x as Float32Array);
    w.avgPool2d(at.a, at.out, ...windowSizes(win));
    io.copyOut(out as Float32Array);
  };

  const avgPool2dBackward: Kernels['avgPool2dBackward'] = (g, win, out) => {
    if (!wasmTakes(out.length, MIN_WINDOW, g, out)) { ref.avgPool2dBackward(g, win, out); return; }
    const at = io.copyIn(out as Float32Array, g as Float32Array);
    w.avgPool2dBackward(at.a, at.out, ...windowSizes(win));
    io.copyOut(out as Float32Array);
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
    io.runCompiled(run, program, inputs as readonly Float32Array[], scalars, outputs as readonly Float32Array[], first.length);
  };

  return {
    name,
    // In WebAssembly, for the calls routed to it (wasmTakes); the others go to the reference set.
    matmul, linear, binary, unary, reduce, softmax, logsumexp, sumSquares, fused,
    im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward,
    // In JavaScript: the reference copy after a pass that overlaps the rows' cache misses.
    takeRows,
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
  const ks = makeKernels(name, w, new Adapter(new Arena(memory, base)), helper, compile, cache);
  if (helper) helpers.set(ks, helper);
  fusedCaches.set(ks, cache);
  return ks;
}
