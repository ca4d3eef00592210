/** The reference `fused` kernel: the program interpreted block by block, the oracle for faster sets. */
import type { TypedArray } from '../../dtype.ts';
import { FLUSH_BELOW, FUSED_OPS, INSTRUCTION_WORDS, type FusedOp, type FusedProgram } from '../program.ts';

/** Elements per block: the temporaries (one block each) stay in the L1 cache. */
const BLOCK = 256;

export function fused(program: FusedProgram, inputs: readonly TypedArray[], scalars: Float64Array, outputs: readonly TypedArray[]): void {
  const n = (inputs[0] ?? outputs[0])?.length ?? 0;
  const f32 = (outputs[0] ?? inputs[0]) instanceof Float32Array;
  // A float32 register rounds each result, as float32 hardware does. Each scalar is a block filled
  // with its value (rounded once), so every operand reads the same way: array[offset + i].
  const make = (length: number) => (f32 ? new Float32Array(length) : new Float64Array(length));
  const temps = make(program.temps * BLOCK);
  const constants = make(program.scalars * BLOCK);
  scalars.forEach((v, s) => constants.fill(v, s * BLOCK, (s + 1) * BLOCK));
  const tiny = f32 ? Math.fround(FLUSH_BELOW) : FLUSH_BELOW;
  const firstScalar = program.inputs, firstTemp = firstScalar + program.scalars, firstOutput = firstTemp + program.temps;
  const at = (r: number, start: number): [TypedArray, number] =>
    r < firstScalar ? [inputs[r]!, start]
      : r < firstTemp ? [constants, (r - firstScalar) * BLOCK]
        : r < firstOutput ? [temps, (r - firstTemp) * BLOCK]
          : [outputs[r - firstOutput]!, start];
  const { code } = program;
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    for (let pc = 0; pc < code.length; pc += INSTRUCTION_WORDS) {
      const [out, o] = at(code[pc + 1]!, start);
      const [a, ao] = at(code[pc + 2]!, start);
      const [b, bo] = code[pc + 3]! >= 0 ? at(code[pc + 3]!, start) : [a, ao];
      const [c, co] = code[pc + 4]! >= 0 ? at(code[pc + 4]!, start) : [a, ao];
      LOOPS[FUSED_OPS[code[pc]!]!](len, out, o, a, ao, b, bo, c, co, f32, tiny);
    }
  }
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
