/**
 * The native fused kernel runs programs that are chains of a known shape (packages/native/src/fused-chain.h:
 * SGD's update, ReLU's backward, p − lr·g, x·a + y) in one vectorised pass instead of its block interpreter.
 * Both must give the reference's bits: here on those shapes with every kind of value (NaN, ±0, ±∞,
 * subnormals) in arrays and scalars, on lengths around the vector widths and the blocks, in place and not,
 * float32 and float64; and on chains that look alike but are not of a known shape (they take the interpreter).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fma, fuse } from '../src/index.ts';
import { referenceKernels as ref, type Kernels } from '../src/backend/index.ts';
import { INSTRUCTION_WORDS, type FusedProgram } from '../src/backend/program.ts';
import { loadNativeKernels, nativeLevels } from '../src/backend/native/index.ts';
import type { TypedArray } from '../src/dtype.ts';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const DTYPES: readonly [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const sets = nativeLevels().map((level) => loadNativeKernels({ level, allNative: true }));
const cases = sets.flatMap((ks) => DTYPES.map(([dtype, C]) => [`${ks.name} ${dtype}`, ks, C] as const));

/** Lengths around the vector widths (2..16 lanes) and the interpreter's blocks (256, 1024), and the MNIST MLP's first weight. */
const LENGTHS = [1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 97, 255, 1023, 1024, 1025, 100352];

/** Values of every kind: mostly ordinary, with NaN, ±0, ±∞, subnormals, huge and tiny ones sprinkled in. */
function mixedValues(C: Ctor, n: number, seed: number): TypedArray {
  const subnormal = C === Float32Array ? 1e-40 : 1e-310, huge = C === Float32Array ? 3e38 : 1e308;
  const special = [NaN, 0, -0, Infinity, -Infinity, subnormal, -subnormal, huge, -huge, 1e-31, -1e-31, 1, -1];
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new C(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const u = s / 4294967296;
    out[i] = u < 0.2 ? special[Math.floor(u * 5 * special.length)]! : (u * 2 - 1) * 10 ** Math.floor(u * 12 - 6);
  }
  return out;
}

const same = (g: number, w: number) => Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w));
/** A number as it is, -0 included. */
const show = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

/** Runs the program natively and on the reference, from the same outputs (or in place on input 0), and compares every output's bits. */
function expectSameBits(ks: Kernels, C: Ctor, p: FusedProgram, n: number, seed: number, scalars: Float64Array, inPlace: boolean, what: string): void {
  const inputs = Array.from({ length: p.inputs }, (_, i) => mixedValues(C, n, seed + i));
  const fresh = () => Array.from({ length: p.outputs }, (_, o) => mixedValues(C, n, seed + 100 + o));
  const wantInputs = inputs.map((x) => x.slice());
  const got = fresh(), want = fresh();
  if (inPlace) { got[0] = inputs[0]!; want[0] = wantInputs[0]!; }
  ks.fused(p, inputs, scalars, got);
  ref.fused(p, wantInputs, scalars, want);
  for (let o = 0; o < p.outputs; o++) {
    for (let i = 0; i < n; i++) {
      if (!same(got[o]![i]!, want[o]![i]!)) {
        throw new Error(`${what} (n ${n}, ${inPlace ? 'in place' : 'separate output'}, scalars [${Array.from(scalars, show)}]): output ${o}, element ${i}: `
          + `native ${show(got[o]![i]!)}, reference ${show(want[o]![i]!)} (code ${Array.from(p.code)})`);
      }
    }
  }
}

const program = (inputs: number, scalars: number, temps: number, outputs: number, code: number[]): FusedProgram =>
  ({ inputs, scalars, temps, outputs, code: Int32Array.from(code) });

/** The known shapes, as fuse makes them (the optimisers' and ReLU's own programs) and as written by hand. */
const SHAPES: readonly [string, FusedProgram][] = [
  ['sgd: p − lr·fma(wd, p, g)', fuse({ arrays: ['p', 'g'], scalars: ['lr', 'wd'] }, ({ p, g, lr, wd }) => ({ p: p.sub(lr.mul(fma(wd, p, g))) })).program],
  ['relu backward: g·sign(y)', fuse({ arrays: ['g', 'y'] }, ({ g, y }) => ({ dx: g.mul(y.sign()) })).program],
  ['p − lr·g', fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(lr.mul(g)) })).program],
  ['p − g·lr', fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(g.mul(lr)) })).program],
  ['x·a + y', fuse({ arrays: ['x', 'y'], scalars: ['a'] }, ({ x, y, a }) => ({ out: x.mul(a).add(y) })).program],
  // The same shapes with other registers: more inputs, outputs and temporaries than they use.
  ['sgd over spare registers', program(3, 3, 2, 2, [12, 7, 5, 2, 0, 8, 6, 3, 7, -1, 7, 9, 2, 6, -1])],
  ['relu backward into output 1', program(2, 0, 2, 2, [4, 3, 0, -1, -1, 8, 5, 1, 3, -1])],
];

/** Chains that look like a known shape but are not (other operand kinds or order, an older temporary): the interpreter's. */
const NEAR_MISSES: readonly [string, FusedProgram][] = [
  ['sgd with the chain read first in sub', program(2, 2, 1, 1, [12, 4, 3, 0, 1, 8, 4, 2, 4, -1, 7, 5, 4, 0, -1])],
  ['sgd with an array for lr', program(3, 1, 1, 1, [12, 4, 3, 0, 1, 8, 4, 2, 4, -1, 7, 5, 0, 4, -1])],
  ['relu backward reading an older temporary', program(2, 0, 2, 1, [4, 2, 1, -1, -1, 1, 3, 0, -1, -1, 8, 4, 0, 2, -1])],
  ['relu backward with sign of a scalar', program(1, 1, 1, 1, [4, 2, 1, -1, -1, 8, 3, 0, 2, -1])],
  ['x·a + y writing an output midway', program(2, 1, 0, 2, [8, 3, 0, 2, -1, 6, 4, 3, 1, -1])],
];

const SCALARS = [0.1, 0, -0, -3, NaN, Infinity, -Infinity, 1e-40, 1e-310, 3e38];

describe.each(cases)('%s: chains of a known shape give the reference\'s bits', (_name, ks: Kernels, C: Ctor) => {
  it.each(SHAPES)('%s, on every length, in place and not', (what, p) => {
    const scalars = Float64Array.from({ length: p.scalars }, (_, s) => [0.1, 5e-4, -2][s]!);
    for (const n of LENGTHS) for (const inPlace of [false, true]) expectSameBits(ks, C, p, n, n + 7, scalars, inPlace, what);
  });

  it.each(SHAPES)('%s, with special scalars', (what, p) => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...SCALARS), { minLength: p.scalars, maxLength: p.scalars }), fc.constantFrom(1, 17, 1025), fc.nat(),
      (values, n, seed) => { expectSameBits(ks, C, p, n, seed, Float64Array.from(values), seed % 2 === 0, what); }), { numRuns: 40 });
  });

  it.each(NEAR_MISSES)('%s', (what, p) => {
    const scalars = Float64Array.from({ length: p.scalars }, (_, s) => [0.1, -2][s]!);
    for (const n of [1, 17, 1025, 4099]) for (const inPlace of [false, true]) expectSameBits(ks, C, p, n, n, scalars, inPlace, what);
  });

  // Random chains (each instruction reads inputs, scalars and the previous result; the last writes an output), over
  // every opcode, mostly not of a known shape, and the known shapes' opcodes with random operand kinds.
  it('random chains of 1 to 8 instructions', () => {
    const REGISTERS = { inputs: 2, scalars: 2, temps: 2, outputs: 1 };
    const firstTemp = 4, output = 6;
    const step = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }));
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), fc.constantFrom(1, 16, 33, 1024, 1031), fc.nat(), fc.boolean(),
      (steps, n, seed, inPlace) => {
        const code: number[] = [];
        steps.forEach(([op, picks], k) => {
          const arity = op < 6 ? 1 : op < 12 ? 2 : 3;
          const dst = k === steps.length - 1 ? output : firstTemp + (k % 2);
          // picks 0..3 read an input or scalar; 4 reads the previous result (an input when there is none).
          const operand = (pick: number) => (pick === 4 ? (k === 0 ? 0 : firstTemp + ((k - 1) % 2)) : pick);
          code.push(op, dst, ...[0, 1, 2].map((j) => (j < arity ? operand(picks[j]!) : -1)));
        });
        const p = program(REGISTERS.inputs, REGISTERS.scalars, REGISTERS.temps, REGISTERS.outputs, code);
        expect(p.code.length).toBe(steps.length * INSTRUCTION_WORDS);
        expectSameBits(ks, C, p, n, seed, Float64Array.of(0.1, -3), inPlace, 'random chain');
      }), { numRuns: 300 });
  });
});
