/**
 * A fused elementwise program: what `fuse` (../fuse.ts) compiles an expression into and what every
 * kernel set's `fused` kernel runs. It reads some arrays and scalars and writes some arrays, all arrays
 * of one length, in one pass: a kernel runs it block by block (each instruction over a block of
 * elements, then the next), so the intermediate values stay in small scratch registers.
 *
 * Registers are numbered in one space: the input arrays first, then the scalars, the temporaries
 * (block-sized scratch) and the output arrays. An instruction writes a temporary or an output and
 * reads any register; reading an output gives what an earlier instruction wrote there.
 *
 * On float32 arrays every instruction rounds its result to float32 (`fma` rounds the product and then
 * the sum, except in a kernel set that says it fuses them, like 'wasm-relaxed-simd'), and scalars are
 * rounded to float32 first: so any two sets that do not fuse compute the same bits.
 */
/** The one-operand instructions, opcodes 0.. in this order: `copy` moves a value, `flush` zeroes |x| < FLUSH_BELOW. */
export const FUSED_UNARY = ['copy', 'neg', 'abs', 'sqrt', 'sign', 'flush'] as const;
/** The two-operand instructions, numbered after FUSED_UNARY in this order (min and max as Math.min, Math.max). */
export const FUSED_BINARY = ['add', 'sub', 'mul', 'div', 'min', 'max'] as const;
/** Every instruction, by opcode (its index here): unary ones read a; binary a and b; fma computes a·b + c. */
export const FUSED_OPS = [...FUSED_UNARY, ...FUSED_BINARY, 'fma'] as const;
/** An instruction's name: one of FUSED_OPS ('copy', 'add', …, 'fma'). */
export type FusedOp = (typeof FUSED_OPS)[number];

/**
 * `flush` gives 0 for values smaller than this in magnitude (float32: the nearest float32): optimiser
 * state decays towards zero, and subnormal numbers make every later update many times slower.
 */
export const FLUSH_BELOW = 1e-30;

/** Each instruction is this many Int32 in `code`: opcode, destination, a, b, c (-1 where unused). */
export const INSTRUCTION_WORDS = 5;

/**
 * A compiled fused elementwise program: it reads `inputs` arrays and `scalars` numbers and writes
 * `outputs` arrays, all arrays of one length, in one pass. Registers are numbered in one space: the
 * input arrays, then the scalars, the temporaries (block-sized scratch) and the output arrays; an
 * instruction writes a temporary or an output and reads any register. On float32 arrays every
 * instruction rounds its result to float32 (and scalars are rounded first). `fuse` makes programs,
 * `Kernels.fused` runs them, `programError` says whether one is well formed.
 *
 * @example
 * ```ts
 * import { fuse } from '@chainrule/core';
 * const { program } = fuse({ arrays: ['x'] }, ({ x }) => ({ y: x.abs() }));
 * program;   // { inputs: 1, scalars: 0, temps: 0, outputs: 1, code: Int32Array [2, 1, 0, -1, -1] }
 * ```
 */
export interface FusedProgram {
  /** The number of input arrays: registers 0..inputs-1. */
  readonly inputs: number;
  /** The number of scalar registers (named scalars, then constants), after the inputs. */
  readonly scalars: number;
  /** The number of block-sized scratch registers, after the scalars. */
  readonly temps: number;
  /** The number of output arrays: the last registers. */
  readonly outputs: number;
  /** The instructions, INSTRUCTION_WORDS Int32 each: opcode (index in FUSED_OPS), destination, operands a, b, c (-1 where unused). */
  readonly code: Int32Array;
}

/** The number of operands an opcode reads. */
export const arityOf = (opcode: number): 1 | 2 | 3 =>
  opcode < FUSED_UNARY.length ? 1 : opcode < FUSED_UNARY.length + FUSED_BINARY.length ? 2 : 3;

/**
 * Where a register lies: 'input', 'scalar', 'temp' or 'output', and its index within that kind.
 *
 * @example
 * ```ts
 * import { registerKind } from '@chainrule/core/backend';
 * registerKind({ inputs: 2, scalars: 1, temps: 1, outputs: 1, code: new Int32Array(0) }, 3);   // { kind: 'temp', index: 0 }
 * ```
 */
export function registerKind(p: FusedProgram, r: number): {
  /** Which part of the register space `r` is in. */
  kind: 'input' | 'scalar' | 'temp' | 'output';
  /** Its position within that part: the input, scalar, temporary or output number. */
  index: number;
} {
  if (r < p.inputs) return { kind: 'input', index: r };
  if ((r -= p.inputs) < p.scalars) return { kind: 'scalar', index: r };
  if ((r -= p.scalars) < p.temps) return { kind: 'temp', index: r };
  return { kind: 'output', index: r - p.temps };
}

/**
 * Why a program is malformed, or '' when it is well formed: opcodes known, destinations temporaries or
 * outputs, operands in range and unused ones -1. Kernel sets rely on it; the kernel boundary checks it.
 *
 * @example
 * ```ts
 * import { programError } from '@chainrule/core/backend';
 * programError({ inputs: 1, scalars: 0, temps: 0, outputs: 1, code: Int32Array.of(99, 1, 0, -1, -1) });
 * // 'instruction 0 has opcode 99, not one of 0..12'
 * ```
 */
export function programError(p: FusedProgram): string {
  const registers = p.inputs + p.scalars + p.temps + p.outputs;
  const firstWritable = p.inputs + p.scalars;
  if (!(p.code instanceof Int32Array) || p.code.length % INSTRUCTION_WORDS !== 0) return `its code is not a whole number of ${INSTRUCTION_WORDS}-word instructions`;
  for (let at = 0; at < p.code.length; at += INSTRUCTION_WORDS) {
    const [op, dst, ...operands] = p.code.subarray(at, at + INSTRUCTION_WORDS);
    const i = at / INSTRUCTION_WORDS;
    if (!(op! >= 0 && op! < FUSED_OPS.length)) return `instruction ${i} has opcode ${op}, not one of 0..${FUSED_OPS.length - 1}`;
    if (!(dst! >= firstWritable && dst! < registers)) return `instruction ${i} (${FUSED_OPS[op!]}) writes register ${dst}, not a temporary or output (${firstWritable}..${registers - 1})`;
    const arity = arityOf(op!);
    for (let k = 0; k < 3; k++) {
      const r = operands[k]!;
      if (k < arity ? !(r >= 0 && r < registers) : r !== -1) return `instruction ${i} (${FUSED_OPS[op!]}) has operand ${k} = ${r}`;
    }
  }
  return '';
}
