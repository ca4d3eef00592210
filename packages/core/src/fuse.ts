/**
 * fuse: an elementwise expression over several arrays and scalars, with several results, compiled once
 * into a program (./backend/program.ts) that the kernel set runs in one pass, block by block: no
 * intermediate array is ever made. Optimisers are written this way (nn's sgd, adam, rmsprop, lion):
 *
 *   const decay = fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(g.mul(lr)) }));
 *   const { p } = decay.run({ p: w, g: dw }, { lr: 0.1 });
 *
 * The results are new tensors with the first array's shape and no gradient: a fused program is not
 * differentiated (it is the seed of op fusion, not an op).
 */
import { allocate, kernels } from './backend/index.ts';
import { FUSED_OPS, INSTRUCTION_WORDS, programError, type FusedOp, type FusedProgram } from './backend/program.ts';
import { describeValue } from './describe-value.ts';
import type { TypedArray } from './dtype.ts';
import { fmt } from './shape.ts';
import { checkedTensor, Tensor } from './tensor.ts';

type Operand = Expr | number;

/**
 * A value in a fused expression: an array element, a scalar, a constant, or an instruction's result.
 * The body given to `fuse` receives one per input and combines them with these methods; a number
 * operand is a constant. Nothing is computed until the compiled program runs.
 *
 * @example
 * ```ts
 * import { fuse } from '@chainrule/core';
 * const axpy = fuse({ arrays: ['x', 'y'], scalars: ['a'] }, ({ x, y, a }) => ({ out: x.mul(a).add(y) }));
 * ```
 */
export class Expr {
  /** @internal */
  constructor(
    /** The instruction that makes this value, or 'input', 'scalar' or 'constant' for a leaf. */
    readonly op: FusedOp | 'input' | 'scalar' | 'constant',
    /** The operands of the instruction (none for a leaf). */
    readonly args: readonly Expr[],
    /** A leaf's number: the input's or scalar's position, or the constant's value; 0 for an instruction. */
    readonly value = 0,
  ) {}
  /** this + b, elementwise, e.g. `p.add(g)`. */
  add(b: Operand): Expr { return node('add', this, b); }
  /** this − b, elementwise, e.g. `p.sub(g.mul(lr))`. */
  sub(b: Operand): Expr { return node('sub', this, b); }
  /** this · b, elementwise, e.g. `g.mul(0.5)`. */
  mul(b: Operand): Expr { return node('mul', this, b); }
  /** this / b, elementwise, e.g. `m.div(v.sqrt().add(1e-8))`. */
  div(b: Operand): Expr { return node('div', this, b); }
  /** The smaller of this and b (Math.min), e.g. `x.min(1)`. */
  min(b: Operand): Expr { return node('min', this, b); }
  /** The larger of this and b (Math.max), e.g. `x.max(0)` (a ReLU). */
  max(b: Operand): Expr { return node('max', this, b); }
  /** −this, e.g. `g.neg()`. */
  neg(): Expr { return node('neg', this); }
  /** |this|, e.g. `g.abs()`. */
  abs(): Expr { return node('abs', this); }
  /** √this (NaN below 0), e.g. `v.sqrt()`. */
  sqrt(): Expr { return node('sqrt', this); }
  /** -1, 0 or 1 (Math.sign), e.g. `m.sign().mul(lr)` (Lion's update). */
  sign(): Expr { return node('sign', this); }
  /** 0 where |x| < 1e-30: keeps decaying state (momentum, second moments) out of slow subnormal numbers, e.g. `v.mul(0.999).flush()`. */
  flush(): Expr { return node('flush', this); }
}

const lift = (x: Operand): Expr => {
  if (x instanceof Expr) return x;
  if (typeof x !== 'number') throw new Error(`fuse: an operand must be an expression or a number, got ${describeValue(x)}`);
  return new Expr('constant', [], x);
};
const node = (op: FusedOp, ...args: Operand[]) => new Expr(op, args.map(lift));

/**
 * a·b + c, as one instruction of a fused expression. float32 kernel sets round the product first unless
 * they say they fuse it ('wasm-relaxed-simd').
 *
 * @throws Error when an operand is neither an `Expr` nor a number.
 * @example
 * ```ts
 * import { fma, fuse } from '@chainrule/core';
 * const ema = fuse({ arrays: ['m', 'g'] }, ({ m, g }) => ({ m: fma(m, 0.9, g.mul(0.1)) }));
 * ```
 */
export const fma = (a: Operand, b: Operand, c: Operand): Expr => node('fma', a, b, c);

/**
 * A compiled fused expression (what `fuse` returns): its input and output names, the program, and `run`.
 * `A`, `S` and `O` are the names of its arrays, scalars and outputs.
 */
export interface Fused<A extends string, S extends string, O extends string> {
  /** The names of the array inputs, in register order. */
  readonly arrays: readonly A[];
  /** The names of the scalar inputs, in register order (the constants follow them). */
  readonly scalars: readonly S[];
  /** The names of the outputs, in the order the body returned them. */
  readonly outputs: readonly O[];
  /** The compiled program a kernel set's `fused` kernel runs (see `FusedProgram` in `@chainrule/core/backend`). */
  readonly program: FusedProgram;
  /**
   * Runs the program: arrays of one size and dtype in, new tensors of the first array's shape and dtype
   * out (leaves: not differentiable).
   *
   * @throws Error when an array is missing or not a Tensor, the arrays differ in size or dtype, or a scalar is not a number.
   * @example
   * ```ts
   * const double = fuse({ arrays: ['x'] }, ({ x }) => ({ y: x.mul(2) }));
   * double.run({ x: tensor([1, 2, 3]) }, {}).y.toArray();   // [2, 4, 6]
   * ```
   */
  run(arrays: Readonly<Record<A, Tensor>>, scalars: Readonly<Record<S, number>>): Record<O, Tensor>;
  /** The program's scalar registers for these values: the named scalars, then the constants (for calling a kernel set's `fused` directly). */
  scalarValues(scalars: Readonly<Record<S, number>>): Float64Array;
}

/**
 * Compiles `body` (called once, on symbolic values) into a fused program. `arrays` and `scalars` name
 * its inputs; the object it returns names its outputs. `run` then computes every output in one pass over
 * the arrays, with no intermediate tensor; the arrays must share one size and dtype (float32 or float64,
 * kept), and the outputs take the first array's shape. The results carry no gradient.
 *
 * @throws Error when an input name is repeated, there is no array, or the body does not return an object
 *   of at least one `Expr`, naming the bad output.
 * @example
 * ```ts
 * import { fuse, randn } from '@chainrule/core';
 * const sgd = fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(g.mul(lr)) }));
 * const w = randn([3, 3], { seed: 0 }), dw = randn([3, 3], { seed: 1 });
 * const { p } = sgd.run({ p: w, g: dw }, { lr: 0.1 });
 * ```
 */
export function fuse<A extends string, S extends string = never, O extends string = string>(
  inputs: { readonly arrays: readonly A[]; readonly scalars?: readonly S[] },
  body: (x: Record<A | S, Expr>) => Record<O, Expr>,
): Fused<A, S, O> {
  const arrays = [...inputs.arrays], scalars = [...(inputs.scalars ?? [])];
  const names = [...arrays, ...scalars];
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new Error(`fuse: the input name '${repeated}' is given twice`);
  if (arrays.length === 0) throw new Error('fuse: give at least one array');
  const leaves = Object.fromEntries(names.map((name, i) => [name, i < arrays.length ? new Expr('input', [], i) : new Expr('scalar', [], i - arrays.length)]));
  const result = body(leaves as Record<A | S, Expr>);
  if (result === null || typeof result !== 'object') throw new Error(`fuse: the body must return an object of expressions, got ${describeValue(result)}`);
  const outputs = Object.keys(result) as O[];
  if (outputs.length === 0) throw new Error('fuse: the body returned no outputs');
  for (const o of outputs) if (!(result[o] instanceof Expr)) throw new Error(`fuse: output '${o}' is ${describeValue(result[o])}, not an expression`);
  const { program, constants } = compile(arrays.length, scalars.length, outputs.map((o) => result[o]));
  const registers = new ScalarRegisters(program, constants, scalars);
  return {
    arrays, scalars, outputs, program,
    scalarValues: (values) => registers.fresh(values),
    run: (given, values) => run(program, arrays, outputs, given, registers.current(values)) as Record<O, Tensor>,
  };
}

/** Orders the expression graph, gives each value a register (temporaries reused once dead) and emits the code. */
function compile(nArrays: number, nScalars: number, results: readonly Expr[]): { program: FusedProgram; constants: number[] } {
  const order: Expr[] = [];
  const seen = new Set<Expr>();
  const visit = (e: Expr) => {
    if (seen.has(e)) return;
    seen.add(e);
    e.args.forEach(visit);
    order.push(e);
  };
  results.forEach(visit);
  const constants: number[] = [];
  const lastUse = new Map<Expr, number>();
  order.forEach((e, i) => e.args.forEach((a) => lastUse.set(a, i)));
  const register = new Map<Expr, number>();
  const constantRegister = (e: Expr) => nArrays + nScalars + constants.push(e.value) - 1;
  // Registers are numbered once the counts are known: temporaries and outputs are placed last.
  const code: number[][] = [];
  const freeTemps: number[] = [];
  let temps = 0;
  const outputOf = new Map<Expr, number>();
  results.forEach((e, i) => { if (!outputOf.has(e) && !['input', 'scalar', 'constant'].includes(e.op)) outputOf.set(e, i); });
  const TEMP = 1 << 20, OUT = 1 << 21; // placeholders, renumbered below
  for (let i = 0; i < order.length; i++) {
    const e = order[i]!;
    if (e.op === 'input') { register.set(e, e.value); continue; }
    if (e.op === 'scalar') { register.set(e, nArrays + e.value); continue; }
    if (e.op === 'constant') { register.set(e, constantRegister(e)); continue; }
    const operands = e.args.map((a) => register.get(a)!);
    for (const a of new Set(e.args)) if (lastUse.get(a) === i && register.get(a)! >= TEMP && register.get(a)! < OUT) freeTemps.push(register.get(a)!);
    const out = outputOf.get(e);
    const dst = out !== undefined ? OUT + out : (freeTemps.pop() ?? TEMP + temps++);
    register.set(e, dst);
    code.push([FUSED_OPS.indexOf(e.op), dst, ...operands, ...[-1, -1, -1].slice(operands.length)]);
  }
  // Outputs that are inputs, scalars, or the same value as an earlier output: copied.
  results.forEach((e, i) => { if (outputOf.get(e) !== i) code.push([FUSED_OPS.indexOf('copy'), OUT + i, register.get(e)!, -1, -1]); });
  const scalars = nScalars + constants.length;
  const renumber = (r: number) => (r >= OUT ? nArrays + scalars + temps + (r - OUT) : r >= TEMP ? nArrays + scalars + (r - TEMP) : r);
  const words = new Int32Array(code.length * INSTRUCTION_WORDS);
  code.forEach((ins, i) => words.set([ins[0]!, ...ins.slice(1).map((r) => (r < 0 ? r : renumber(r)))], i * INSTRUCTION_WORDS));
  const program: FusedProgram = { inputs: nArrays, scalars, temps, outputs: results.length, code: words };
  const why = programError(program);
  if (why) throw new Error(`fuse: compiled a malformed program (${why}); this is a bug in fuse`);
  return { program, constants };
}

/**
 * A program's scalar registers: the named scalars, then the constants. `run` keeps the last ones it
 * made and makes new ones only when a value changed: an optimiser runs one program per parameter with
 * the same step scalars, and a fresh Float64Array per run was a measurable part of a training step.
 */
class ScalarRegisters {
  private last: Float64Array | undefined;
  constructor(private readonly program: FusedProgram, private readonly constants: readonly number[], private readonly names: readonly string[]) {}

  /** New registers for these values (`scalarValues` hands them to callers, who may keep or change them). */
  fresh(values: Readonly<Record<string, number>>): Float64Array {
    const scalars = new Float64Array(this.program.scalars);
    for (let i = 0; i < this.names.length; i++) scalars[i] = scalarValue(this.names[i]!, values);
    scalars.set(this.constants, this.names.length);
    return scalars;
  }

  /** Registers for these values, the last ones when every value is the same (Object.is: -0 is not 0); only `run` reads them. */
  current(values: Readonly<Record<string, number>>): Float64Array {
    const last = this.last;
    if (last) {
      let same = true;
      for (let i = 0; i < this.names.length && same; i++) same = Object.is(scalarValue(this.names[i]!, values), last[i]);
      if (same) return last;
    }
    return (this.last = this.fresh(values));
  }
}

function scalarValue(name: string, values: Readonly<Record<string, number>>): number {
  const v = values?.[name];
  if (typeof v !== 'number') throw new Error(`fused run: scalar '${name}' is ${describeValue(v)}, not a number`);
  return v;
}

function run(program: FusedProgram, arrayNames: readonly string[], outputNames: readonly string[],
  given: Readonly<Record<string, Tensor>>, scalars: Float64Array): Record<string, Tensor> {
  if (given === null || typeof given !== 'object') throw new Error(`fused run: arrays must be an object of tensors named ${arrayNames.join(', ')}, got ${describeValue(given)}`);
  // Plain loops: an optimiser runs this once per parameter per step.
  const first = given[arrayNames[0]!];
  const inputs = new Array<TypedArray>(arrayNames.length);
  for (let i = 0; i < arrayNames.length; i++) {
    const name = arrayNames[i]!;
    const t = given[name];
    if (!(t instanceof Tensor)) throw new Error(`fused run: array '${name}' is ${describeValue(t)}, not a Tensor`);
    if (t.size !== first!.size || t.dtype !== first!.dtype) {
      throw new Error(`fused run: array '${name}' is ${t.dtype} ${fmt(t.shape)}, but '${arrayNames[0]}' is ${first!.dtype} ${fmt(first!.shape)}; all arrays need the same size and dtype`);
    }
    inputs[i] = t.data;
  }
  const { dtype, size, shape } = first!;
  // Every output value is written by the program.
  const outputs = new Array<TypedArray>(outputNames.length);
  for (let i = 0; i < outputs.length; i++) outputs[i] = allocate(dtype, size, 'overwritten');
  kernels().fused(program, inputs, scalars, outputs);
  const result: Record<string, Tensor> = {};
  // Each output has first's size and a frozen shape (first's): the constructor's check would find nothing.
  for (let i = 0; i < outputs.length; i++) result[outputNames[i]!] = checkedTensor(outputs[i]!, shape, undefined);
  return result;
}
