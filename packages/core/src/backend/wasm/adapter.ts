/**
 * The JS↔wasm adapter: how a kernel call moves its arrays into wasm memory and its results out. Tensors
 * live in JS-owned typed arrays, so a call copies its inputs in (unless the arena's ring still holds
 * them), runs, and copies its output out. Every kernel of ./fast.ts does it the same way:
 *
 *   const at = io.copyIn(out, x);        // room in the ring, x copied in or found there, out's block reserved
 *   w.someKernel(at.a, at.out, …);       // the kernel's own export, called with the addresses
 *   io.copyOut(out);                      // out's block copied out into `out`, and remembered
 *
 * The kernel calls its export itself, rather than handing a callback to a helper: a callback called from
 * one place for every kernel is a megamorphic call, ~25 ns a call (measured), and calls run down to ~100 ns.
 * Nothing here allocates per call (a closure per call costs ~0.6 µs).
 */
import type { FusedProgram } from '../program.ts';
import type { Arena } from './arena.ts';
import { argumentWords, type CompiledFused } from './compile-fused.ts';

/** One kernel set's calls into wasm. The addresses of the call under way are its fields, reused by every call. */
export class Adapter {
  /** The byte addresses of the call's inputs (0 for an input not given) and of its output block (0 for none). */
  a = 0;
  b = 0;
  c = 0;
  out = 0;
  /** The byte address of the call's int32 output block (maxPool2d's argmax; 0 for none). */
  indices = 0;

  constructor(readonly arena: Arena) {}

  /**
   * Starts a call with up to three inputs and one output (none for a kernel that returns its result):
   * room in the ring for them all, each input copied in or found there, the output block reserved.
   * Read the addresses from the returned adapter; end the call with copyOut(out).
   */
  copyIn(out: Float32Array | null, a: Float32Array, b: Float32Array | null = null, c: Float32Array | null = null): this {
    const arena = this.arena;
    arena.begin(a.length + (b === null ? 0 : b.length) + (c === null ? 0 : c.length) + (out === null ? 0 : out.length));
    this.a = arena.input(a);
    this.b = b === null ? 0 : arena.input(b);
    this.c = c === null ? 0 : arena.input(c);
    this.out = out === null ? 0 : arena.output(out.length);
    return this;
  }

  /** Ends the call copyIn started: its output block copied out into `out` (the array given to copyIn), and remembered. */
  copyOut(out: Float32Array): void {
    this.arena.finish(this.out, out);
  }

  /**
   * copyIn for a kernel that also writes int32s (maxPool2d's argmax): x in, out's block, and a block for
   * `indices` after it, at `this.indices`. End the call with copyOut(out), then copyOutIndices(indices).
   */
  copyInWithIndices(out: Float32Array, x: Float32Array, indices: Int32Array): this {
    const arena = this.arena;
    arena.begin(x.length + out.length + indices.length);
    this.a = arena.input(x);
    this.out = arena.output(out.length);
    this.indices = arena.output(indices.length); // int32s in a float32-sized block: the same 4 bytes each
    return this;
  }

  /** Copies the int32 block copyInWithIndices reserved out into `indices` (not remembered: only float32 copies are kept). */
  copyOutIndices(indices: Int32Array): void {
    const from = this.indices >> 2;
    indices.set(this.arena.i32.subarray(from, from + indices.length));
  }

  /**
   * Runs a compiled fused program (./compile-fused.ts) over `inputs` into `outputs`, float32 arrays of
   * length `n`. The program's function takes one argument, the address of its arguments in memory
   * (argumentWords): input addresses, output addresses, the vector count, the scalars.
   */
  runCompiled(run: CompiledFused, program: FusedProgram, inputs: readonly Float32Array[], scalars: Float64Array,
    outputs: readonly Float32Array[], n: number): void {
    const arena = this.arena;
    arena.begin(n * (inputs.length + outputs.length));
    // Each address is computed before `arena.i32` is read: arena.input and arena.output may grow the
    // memory, which replaces the view. The function runs ceil(n/4) vectors: a partial last one reads and
    // writes past the last value, inside the padding the arena leaves after every block (arena.ts,
    // blockBytes), and what it wrote there is never read.
    const args = arena.alloc(argumentWords(program)), word = args >> 2;
    for (let i = 0; i < inputs.length; i++) { const at = arena.input(inputs[i]!); arena.i32[word + i] = at; }
    const firstOutput = word + inputs.length;
    for (let o = 0; o < outputs.length; o++) { const at = arena.output(n); arena.i32[firstOutput + o] = at; }
    arena.i32[firstOutput + outputs.length] = (n + 3) >> 2;
    for (let s = 0; s < program.scalars; s++) arena.f32[firstOutput + outputs.length + 1 + s] = scalars[s]!;
    run(args);
    for (let o = 0; o < outputs.length; o++) arena.finish(arena.i32[firstOutput + o]!, outputs[o]!);
  }
}
