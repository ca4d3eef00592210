/**
 * A fused program (../program.ts) compiled to its own tiny WebAssembly module: one function
 *
 *   run(argumentsAddress)
 *
 * whose registers are v128 locals. Its arguments lie in memory as 32-bit words (see argumentWords):
 * one JS→wasm call with a fixed number of arguments costs ~30 ns, one with 17 spread from an array
 * ~150 ns, which is most of a call on a bias vector. At entry it reads the addresses and splats each
 * scalar into a local. Each turn of its loop loads every input it reads once (four elements), runs the
 * instructions on locals, and stores every output; a value written to an output is read back from its
 * local, never from memory. The module imports the kernel set's memory as env.memory.
 *
 * It runs whole vectors, ceil(n/4) of them: a partial last one reads and writes up to 12 bytes past the
 * last value, which the arena allows (every block is padded, see arena.ts `blockBytes`).
 *
 * Every op has exactly the reference semantics (../reference/fused.ts) on float32: see OP_CODE.
 */
import { FUSED_OPS, FLUSH_BELOW, INSTRUCTION_WORDS, type FusedOp, type FusedProgram } from '../program.ts';

/**
 * The kernel set's memory, as the module must import it: an unshared memory matches an import without a
 * maximum, but a shared one only an import that is shared with the same maximum.
 */
export interface MemoryType { shared: boolean; max: number | undefined }

// Value types, section ids and the few core opcodes used.
const I32 = 0x7f, V128 = 0x7b, FUNC = 0x60, VOID_BLOCK = 0x40;
const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
const IMPORT_MEMORY = 0x02, EXPORT_FUNC = 0x00;
const BLOCK = 0x02, LOOP = 0x03, BR_IF = 0x0d, END = 0x0b;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22, I32_LOAD = 0x28;
const I32_CONST = 0x41, I32_EQZ = 0x45, I32_LT_U = 0x49, I32_ADD = 0x6a, I32_SHL = 0x74;

/** SIMD opcodes: each follows the 0xfd prefix as an unsigned LEB128. */
const SIMD = {
  load: 0x00, load32Splat: 0x09, store: 0x0b, const: 0x0c,
  f32x4Lt: 0x43, f32x4Gt: 0x44, and: 0x4e, andnot: 0x4f, or: 0x50, bitselect: 0x52,
  f32x4Abs: 0xe0, f32x4Neg: 0xe1, f32x4Sqrt: 0xe3, f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7,
  f32x4Min: 0xe8, f32x4Max: 0xe9, f32x4RelaxedMadd: 0x105,
} as const;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}
function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) { out.push(byte); return out; }
    out.push(byte | 0x80);
  }
}
const simd = (op: number) => [0xfd, ...uleb(op)];
/** v128.const with the same float32 in all four lanes. */
function f32x4Const(value: number): number[] {
  const lanes = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
  return [...simd(SIMD.const), ...lanes];
}
/** v128.const with the same 32-bit pattern in all four lanes. */
const i32x4Const = (bits: number) => [...simd(SIMD.const), ...new Uint8Array(new Int32Array([bits, bits, bits, bits]).buffer)];
/** A memarg for 16-byte vectors: alignment 2⁴, offset 0. */
const VECTOR_MEMARG = [4, 0];
/** A memarg for the argument word at `offset` bytes: alignment 2². */
const wordMemarg = (offset: number) => [2, ...uleb(offset)];

/** An operand pushed onto the stack (its local.get), or bytes as they are. */
type Piece = 'a' | 'b' | 'c' | number[];

/**
 * What each op compiles to: its operands and instructions in stack order. Only fma differs between the
 * plain and the relaxed set, like the kernel binaries (./assembly/simd.ts).
 */
const OP_CODE = (relaxed: boolean): Record<FusedOp, Piece[]> => ({
  copy: ['a'],
  neg: ['a', simd(SIMD.f32x4Neg)],
  abs: ['a', simd(SIMD.f32x4Abs)],
  sqrt: ['a', simd(SIMD.f32x4Sqrt)],
  // Math.sign: ±1 with a's sign where |a| > 0, a itself elsewhere (so ±0 and NaN stay).
  sign: ['a', i32x4Const(0x80000000 | 0), simd(SIMD.and), f32x4Const(1), simd(SIMD.or),
    'a', 'a', simd(SIMD.f32x4Abs), f32x4Const(0), simd(SIMD.f32x4Gt), simd(SIMD.bitselect)],
  // +0 where |a| < 1e-30 as float32 (-0 too); NaN compares false and stays.
  flush: ['a', 'a', simd(SIMD.f32x4Abs), f32x4Const(FLUSH_BELOW), simd(SIMD.f32x4Lt), simd(SIMD.andnot)],
  add: ['a', 'b', simd(SIMD.f32x4Add)],
  sub: ['a', 'b', simd(SIMD.f32x4Sub)],
  mul: ['a', 'b', simd(SIMD.f32x4Mul)],
  div: ['a', 'b', simd(SIMD.f32x4Div)],
  // WebAssembly's min and max are Math.min's and Math.max's: NaN wins, and -0 < +0.
  min: ['a', 'b', simd(SIMD.f32x4Min)],
  max: ['a', 'b', simd(SIMD.f32x4Max)],
  fma: relaxed ? ['a', 'b', 'c', simd(SIMD.f32x4RelaxedMadd)] : ['a', 'b', simd(SIMD.f32x4Mul), 'c', simd(SIMD.f32x4Add)],
});
const OP_CODES = [OP_CODE(false), OP_CODE(true)] as const;

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (text: string) => vector([...new TextEncoder().encode(text)].map((b) => [b]));

/** The name of the compiled module's one export. */
export const FUSED_EXPORT = 'run';

/**
 * The arguments, as 32-bit words from the address run() is given: the inputs' addresses, the outputs'
 * addresses, the number of vectors (i32), then the scalars (f32).
 */
export const argumentWords = (p: FusedProgram): number => p.inputs + p.outputs + 1 + p.scalars;

/**
 * The module's bytes. Locals: the arguments' address (the one parameter), the arrays' addresses and the
 * vector count, one v128 per register (numbered like the program's: inputs, scalars' splats, temporaries,
 * outputs), the loop's two i32, then one v128 per hoisted instruction (see below).
 */
export function encodeFused(program: FusedProgram, memory: MemoryType, relaxed: boolean): Uint8Array<ArrayBuffer> {
  const { inputs, scalars, temps, outputs, code } = program;
  const registers = inputs + scalars + temps + outputs;
  const ARGUMENTS = 0, addresses = inputs + outputs; // locals 1…addresses, then the vector count
  const inputAddress = (i: number) => 1 + i, outputAddress = (o: number) => 1 + inputs + o, vectorCount = 1 + addresses;
  const register = (r: number) => vectorCount + 1 + r;
  const output = (o: number) => inputs + scalars + temps + o; // its register
  const at = register(registers), end = at + 1; // byte offset of this turn's vector, and where the vectors end

  const get = (local: number) => [LOCAL_GET, ...uleb(local)];
  const set = (local: number) => [LOCAL_SET, ...uleb(local)];
  const ops = OP_CODES[relaxed ? 1 : 0];
  const entry: number[] = [], loop: number[] = [];
  for (let word = 0; word <= addresses; word++) entry.push(...get(ARGUMENTS), I32_LOAD, ...wordMemarg(4 * word), ...set(1 + word));
  for (let s = 0; s < scalars; s++) {
    entry.push(...get(ARGUMENTS), ...simd(SIMD.load32Splat), ...wordMemarg(4 * (addresses + 1 + s)), ...set(register(inputs + s)));
  }
  // Load each input some instruction reads.
  const read = new Set<number>();
  for (let k = 0; k < code.length; k += INSTRUCTION_WORDS) for (let j = 2; j < 5; j++) read.add(code[k + j]!);
  for (let i = 0; i < inputs; i++) {
    if (read.has(i)) loop.push(...get(inputAddress(i)), ...get(at), I32_ADD, ...simd(SIMD.load), ...VECTOR_MEMARG, ...set(register(i)));
  }
  // An instruction that reads only scalars and values computed from them alone (like nn's 1 − β, an fma
  // of constants) gives the same value at every element: it runs once, at entry, into a local of its
  // own, and the register reads that local until an instruction in the loop writes it again.
  const holder = new Map<number, number>(); // register → the local holding its value at this point of the loop
  const localOf = (r: number) => holder.get(r) ?? register(r);
  const hoisted = new Set<number>(), firstHoisted = end + 1;
  const constant = (r: number) => r === -1 || (r >= inputs && r < inputs + scalars) || hoisted.has(localOf(r));
  for (let k = 0; k < code.length; k += INSTRUCTION_WORDS) {
    const op = FUSED_OPS[code[k]!]!, dst = code[k + 1]!, a = code[k + 2]!, b = code[k + 3]!, c = code[k + 4]!;
    const operands = { a: localOf(a), b: localOf(b), c: localOf(c) };
    const once = constant(a) && constant(b) && constant(c);
    const target = once ? firstHoisted + hoisted.size : register(dst);
    (once ? entry : loop).push(...ops[op].flatMap((piece) => (typeof piece === 'string' ? get(operands[piece]) : piece)), ...set(target));
    if (once) hoisted.add(target);
    holder.set(dst, target);
  }
  for (let o = 0; o < outputs; o++) {
    loop.push(...get(outputAddress(o)), ...get(at), I32_ADD, ...get(localOf(output(o))), ...simd(SIMD.store), ...VECTOR_MEMARG);
  }
  const body = [
    ...entry,
    ...get(vectorCount), I32_CONST, ...sleb(4), I32_SHL, LOCAL_TEE, ...uleb(end), I32_EQZ, BR_IF, 0, // no vectors: return
    LOOP, VOID_BLOCK, ...loop,
    ...get(at), I32_CONST, ...sleb(16), I32_ADD, LOCAL_TEE, ...uleb(at), ...get(end), I32_LT_U, BR_IF, 0,
    END, END,
  ];
  // Locals after the parameter (all zero at entry, so `at` starts at 0).
  const locals = vector([[...uleb(addresses + 1), I32], [...uleb(registers), V128], [2, I32], [...uleb(hoisted.size), V128]]);
  const func = [...locals, ...body];

  // Limits: 0x00 and a minimum of 0 pages; 0x03 (shared) and a minimum and maximum.
  const limits = memory.shared ? [0x03, 0, ...uleb(memory.max ?? 0)] : [0x00, 0];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(SECTION.type, vector([[FUNC, ...vector([[I32]]), 0]])),
    ...section(SECTION.import, vector([[...name('env'), ...name('memory'), IMPORT_MEMORY, ...limits]])),
    ...section(SECTION.function, vector([[0]])),
    ...section(SECTION.export, vector([[...name(FUSED_EXPORT), EXPORT_FUNC, 0]])),
    ...section(SECTION.code, vector([[...uleb(func.length), ...func]])),
  ]);
}

/** The compiled function: given the address of its arguments (argumentWords). */
export type CompiledFused = (argumentsAddress: number) => void;

/**
 * Compiles and instantiates `program` over `memory`, synchronously (WebAssembly.Module: always allowed in
 * Node; in a browser's main thread only for modules under 4 KB, which most programs are). Throws whatever
 * the runtime throws when it cannot (a Content Security Policy, a module too big); the caller falls back.
 */
export function compileFused(program: FusedProgram, memory: WebAssembly.Memory, type: MemoryType, relaxed: boolean): CompiledFused {
  const module = new WebAssembly.Module(encodeFused(program, type, relaxed));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports[FUSED_EXPORT] as CompiledFused;
}
