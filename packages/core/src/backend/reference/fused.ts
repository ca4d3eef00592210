/** The reference `fused` kernel: the program interpreted block by block, the oracle for faster sets. */
import type { TypedArray } from '../../dtype.ts';
import { FLUSH_BELOW, FUSED_OPS, INSTRUCTION_WORDS, type FusedOp, type FusedProgram } from '../program.ts';

/** Elements per block: the temporaries (one block each) stay in the L1 cache. */
const BLOCK = 256;

/** Scratch reused by every call (kernels run synchronously), per dtype: grown when a program needs more. */
const scratch = { f32: new Float32Array(0), f64: new Float64Array(0) };
/** Per-register array and block-0 offset, reused by every call; arrays' offsets move with the block, scratch's do not. */
const arrays: TypedArray[] = [], offsets: number[] = [], moves: boolean[] = [];

export function fused(program: FusedProgram, inputs: readonly TypedArray[], scalars: Float64Array, outputs: readonly TypedArray[]): void {
  const n = (inputs[0] ?? outputs[0])?.length ?? 0;
  if (n === 0) return;
  const f32 = (outputs[0] ?? inputs[0]) instanceof Float32Array;
  // A float32 register rounds each result, as float32 hardware does. Each scalar is a block filled
  // with its value (rounded once), so every operand reads the same way: array[offset + i]. Blocks
  // are no longer than the arrays (an optimiser's small biases run this many times a step), and the
  // temporaries start at zero, as fresh arrays would.
  const block = Math.min(BLOCK, n), need = (program.scalars + program.temps) * block;
  if ((f32 ? scratch.f32 : scratch.f64).length < need) {
    if (f32) scratch.f32 = new Float32Array(need);
    else scratch.f64 = new Float64Array(need);
  }
  const space = f32 ? scratch.f32 : scratch.f64;
  for (let s = 0; s < program.scalars; s++) space.fill(scalars[s]!, s * block, (s + 1) * block);
  space.fill(0, program.scalars * block, need);
  const tiny = f32 ? Math.fround(FLUSH_BELOW) : FLUSH_BELOW;
  const firstScalar = program.inputs, firstOutput = firstScalar + program.scalars + program.temps;
  const registers = firstOutput + program.outputs;
  for (let r = 0; r < registers; r++) {
    const isArray = r < firstScalar || r >= firstOutput;
    arrays[r] = r < firstScalar ? inputs[r]! : isArray ? outputs[r - firstOutput]! : space;
    offsets[r] = isArray ? 0 : (r - firstScalar) * block;
    moves[r] = isArray;
  }
  const { code } = program;
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    for (let pc = 0; pc < code.length; pc += INSTRUCTION_WORDS) {
      const d = code[pc + 1]!, a = code[pc + 2]!, b0 = code[pc + 3]!, c0 = code[pc + 4]!;
      const b = b0 >= 0 ? b0 : a, c = c0 >= 0 ? c0 : a;
      LOOPS[FUSED_OPS[code[pc]!]!](len, arrays[d]!, offsets[d]! + (moves[d] ? start : 0), arrays[a]!, offsets[a]! + (moves[a] ? start : 0),
        arrays[b]!, offsets[b]! + (moves[b] ? start : 0), arrays[c]!, offsets[c]! + (moves[c] ? start : 0), f32, tiny);
    }
  }
  arrays.length = 0; // hold no caller's array after the call
}

type Loop = (len: number, out: TypedArray, o: number, a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, f32: boolean, tiny: number) => void;

/** One instruction over one block, out[o + i] = op(a[ao + i], b[bo + i], c[co + i]): a small function per op, so each stays fast. */
const LOOPS: Record<FusedOp, Loop> = {
  copy: (len, out, o, a, ao) => { for (let i = 0; i < len; i++) out[o + i] = a[ao + i]!; },
  neg: (len, out, o, a, ao) => { for (let i = 0; i < len; i++) out[o + i] = -a[ao + i]!; },
  abs: (len, out, o, a, ao) => { for (let i = 0; i < len; i++) out[o + i] = Math.abs(a[ao + i]!); },
  sqrt: (len, out, o, a, ao) => { for (let i = 0; i < len; i++) out[o + i] = Math.sqrt(a[ao + i]!); },
  sign: (len, out, o, a, ao) => { for (let i = 0; i < len; i++) out[o + i] = Math.sign(a[ao + i]!); },
  flush: (len, out, o, a, ao, _b, _bo, _c, _co, _f32, tiny) => {
    for (let i = 0; i < len; i++) { const x = a[ao + i]!; out[o + i] = x < tiny && x > -tiny ? 0 : x; }
  },
  add: (len, out, o, a, ao, b, bo) => { for (let i = 0; i < len; i++) out[o + i] = a[ao + i]! + b[bo + i]!; },
  sub: (len, out, o, a, ao, b, bo) => { for (let i = 0; i < len; i++) out[o + i] = a[ao + i]! - b[bo + i]!; },
  mul: (len, out, o, a, ao, b, bo) => { for (let i = 0; i < len; i++) out[o + i] = a[ao + i]! * b[bo + i]!; },
  div: (len, out, o, a, ao, b, bo) => { for (let i = 0; i < len; i++) out[o + i] = a[ao + i]! / b[bo + i]!; },
  min: (len, out, o, a, ao, b, bo) => { for (let i = 0; i < len; i++) out[o + i] = Math.min(a[ao + i]!, b[bo + i]!); },
  max: (len, out, o, a, ao, b, bo) => { for (let i = 0; i < len; i++) out[o + i] = Math.max(a[ao + i]!, b[bo + i]!); },
  // Not fused: the product is rounded (to float32 on float32 data) before the sum, as with plain SIMD.
  fma: (len, out, o, a, ao, b, bo, c, co, f32) => {
    if (f32) for (let i = 0; i < len; i++) out[o + i] = Math.fround(a[ao + i]! * b[bo + i]!) + c[co + i]!;
    else for (let i = 0; i < len; i++) out[o + i] = a[ao + i]! * b[bo + i]! + c[co + i]!;
  },
};
