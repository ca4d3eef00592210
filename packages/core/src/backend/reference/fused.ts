/** The reference `fused` kernel: the program interpreted block by block, the oracle for faster sets. */
import type { TypedArray } from '../../dtype.ts';
import { FLUSH_BELOW, FUSED_OPS, INSTRUCTION_WORDS, type FusedProgram } from '../program.ts';

/** Elements per block: the temporaries (one block each) stay in the L1 cache. */
const BLOCK = 256;

export function fused(program: FusedProgram, inputs: readonly TypedArray[], scalars: Float64Array, outputs: readonly TypedArray[]): void {
  const n = (inputs[0] ?? outputs[0])?.length ?? 0;
  const f32 = (outputs[0] ?? inputs[0]) instanceof Float32Array;
  // A float32 register rounds each result, as float32 hardware does; a scalar is rounded once.
  const temps = f32 ? new Float32Array(program.temps * BLOCK) : new Float64Array(program.temps * BLOCK);
  const values = f32 ? Float32Array.from(scalars) : scalars;
  const tiny = f32 ? Math.fround(FLUSH_BELOW) : FLUSH_BELOW;
  const firstScalar = program.inputs, firstTemp = firstScalar + program.scalars, firstOutput = firstTemp + program.temps;
  const { code } = program;
  // A register read as (array, offset) for this block, or as a scalar when array is null.
  const arrays: (TypedArray | null)[] = [null, null, null, null];
  const offsets = [0, 0, 0, 0];
  const constant = [0, 0, 0, 0];
  const locate = (slot: number, r: number, start: number) => {
    if (r < firstScalar) { arrays[slot] = inputs[r]!; offsets[slot] = start; }
    else if (r < firstTemp) { arrays[slot] = null; constant[slot] = values[r - firstScalar]!; }
    else if (r < firstOutput) { arrays[slot] = temps; offsets[slot] = (r - firstTemp) * BLOCK; }
    else { arrays[slot] = outputs[r - firstOutput]!; offsets[slot] = start; }
  };
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    for (let at = 0; at < code.length; at += INSTRUCTION_WORDS) {
      const op = FUSED_OPS[code[at]!]!;
      for (let k = 0; k < 4; k++) if (code[at + 1 + k]! >= 0) locate(k, code[at + 1 + k]!, start);
      const out = arrays[0]!, o = offsets[0]!;
      const [A, B, C] = [arrays[1], arrays[2], arrays[3]];
      const [ao, bo, co] = [offsets[1]!, offsets[2]!, offsets[3]!];
      const [as, bs, cs] = [constant[1]!, constant[2]!, constant[3]!];
      for (let i = 0; i < len; i++) {
        const a = A ? A[ao + i]! : as;
        const b = B ? B[bo + i]! : bs;
        out[o + i] = apply(op, a, b, C ? C[co + i]! : cs, f32, tiny);
      }
    }
  }
}

function apply(op: (typeof FUSED_OPS)[number], a: number, b: number, c: number, f32: boolean, tiny: number): number {
  switch (op) {
    case 'copy': return a;
    case 'neg': return -a;
    case 'abs': return Math.abs(a);
    case 'sqrt': return Math.sqrt(a);
    case 'sign': return Math.sign(a);
    case 'flush': return a < tiny && a > -tiny ? 0 : a;
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'min': return Math.min(a, b);
    case 'max': return Math.max(a, b);
    // Not fused: the product is rounded (to float32 on float32 data) before the sum, as with plain SIMD.
    case 'fma': return (f32 ? Math.fround(a * b) : a * b) + c;
  }
}
