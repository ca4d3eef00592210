/**
 * Fused elementwise programs: the builder (`fuse`), the reference interpreter against plain formulas,
 * and the WebAssembly sets (each program compiled to its own module) against the reference: bit for bit
 * with plain SIMD (the program format's rounding rules make that a promise), within the fused
 * multiply-add's rounding with relaxed SIMD.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { fma, fuse, grad, heaviside, mul, noGrad, relu, sum, tensor, Tensor } from '../src/index.ts';
import { backend, loadWasmKernels, referenceKernels as ref, setBackend, type Kernels } from '../src/backend/index.ts';
import { FUSED_BINARY, FUSED_OPS, FUSED_UNARY, INSTRUCTION_WORDS, programError, type FusedProgram } from '../src/backend/program.ts';
import { fusedPath, wasmLoadError } from '../src/backend/wasm/index.ts';
import { encodeFused } from '../src/backend/wasm/compile-fused.ts';
import { giveBack, take } from '../src/backend/pool.ts';
import { propertySeed } from './helpers.ts';
import { loadNativeKernels } from '../src/backend/native/index.ts';

const simd = loadWasmKernels({ relaxed: false });
const relaxed = loadWasmKernels({ relaxed: true });
const wasm = (): Kernels => {
  if (!simd) throw new Error(`the WebAssembly kernels did not load: ${wasmLoadError} (build them with \`pnpm kernels\`)`);
  return simd;
};
const seed = propertySeed('fused');

/** A program from instructions written as [op, dst, ...operands]. */
function program(counts: Omit<FusedProgram, 'code'>, instructions: readonly (readonly [string, ...number[]])[]): FusedProgram {
  const code = new Int32Array(instructions.length * INSTRUCTION_WORDS).fill(-1);
  instructions.forEach(([op, ...registers], i) => code.set([FUSED_OPS.indexOf(op as never), ...registers], i * INSTRUCTION_WORDS));
  const p = { ...counts, code };
  expect(programError(p)).toBe('');
  return p;
}

/** Runs `p` on fresh float32 outputs. */
function runOn(ks: Kernels, p: FusedProgram, inputs: Float32Array[], scalars: number[]): Float32Array[] {
  const n = inputs[0]!.length;
  const outputs = Array.from({ length: p.outputs }, () => new Float32Array(n));
  ks.fused(p, inputs, Float64Array.from(scalars), outputs);
  return outputs;
}

/** Object.is, except that any NaN meets any NaN (their payloads are not part of the promise). */
const sameBits = (x: number, y: number) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));

function expectSameBits(what: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!sameBits(got[i]!, want[i]!)) throw new Error(`${what}: element ${i} is ${Object.is(got[i], -0) ? '-0' : got[i]}, the reference ${Object.is(want[i], -0) ? '-0' : want[i]}`);
  }
}

describe('fuse: the builder', () => {
  const data = (t: Tensor) => [...t.data];

  it('computes each output over the arrays, with scalars and constants, in the first array\'s shape', () => {
    const f = fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(g.mul(lr)), half: p.mul(0.5).add(1) }));
    const p = tensor([[1, 2, 3], [4, 5, 6]]), g = tensor([[6, 5, 4], [3, 2, 1]]);
    const { p: p2, half } = f.run({ p, g }, { lr: 0.5 });
    expect(p2.shape).toEqual([2, 3]);
    expect(half.shape).toEqual([2, 3]);
    expect(data(p2)).toEqual([-2, -0.5, 1, 2.5, 4, 5.5]);
    expect(data(half)).toEqual([1.5, 2, 2.5, 3, 3.5, 4]);
    expect(f.outputs).toEqual(['p', 'half']);
    expect(f.program.scalars, 'lr and the constants 0.5 and 1').toBe(3);
  });

  it('gives float64 results for float64 arrays and leaves its inputs as they were', () => {
    const f = fuse({ arrays: ['x'] }, ({ x }) => ({ y: x.div(3) }));
    const x = tensor([1, 2], { dtype: 'float64' });
    const { y } = f.run({ x }, {});
    expect(y.dtype).toBe('float64');
    expect(data(y)).toEqual([1 / 3, 2 / 3]);
    expect(data(x)).toEqual([1, 2]);
  });

  it('an output may be an input, a scalar, a constant, or the same value as another output: each a copy', () => {
    const f = fuse({ arrays: ['a', 'b'], scalars: ['s'] }, ({ a, b, s }) => {
      const sum = a.add(b);
      return { same: a, again: sum, sum, scalar: s, seven: a.mul(0).add(7) };
    });
    const a = tensor([1, 2, 3, 4, 5]), b = tensor([10, 20, 30, 40, 50]);
    const out = f.run({ a, b }, { s: 2.5 });
    expect(data(out.same)).toEqual([1, 2, 3, 4, 5]);
    expect(out.same.data, 'a new buffer, not the input').not.toBe(a.data);
    expect(data(out.sum)).toEqual([11, 22, 33, 44, 55]);
    expect(data(out.again)).toEqual(data(out.sum));
    expect(out.again.data).not.toBe(out.sum.data);
    expect(data(out.scalar)).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(data(out.seven)).toEqual([7, 7, 7, 7, 7]);
  });

  it('runs every instruction (the unary ones, min, max and fma) on float64 like Math does', () => {
    const f = fuse({ arrays: ['x', 'y'] }, ({ x, y }) => ({
      neg: x.neg(), abs: x.abs(), sqrt: x.abs().sqrt(), sign: x.sign(), flush: x.mul(1e-31).flush(),
      min: x.min(y), max: x.max(y), fma: fma(x, y, 1), div: x.div(y),
    }));
    const xs = [-2, -0.5, 0, 0.25, 3], ys = [1, -1, 2, 0.5, -4];
    const out = f.run({ x: tensor(xs, { dtype: 'float64' }), y: tensor(ys, { dtype: 'float64' }) }, {});
    expect(data(out.neg)).toEqual(xs.map((x) => -x));
    expect(data(out.abs)).toEqual(xs.map(Math.abs));
    expect(data(out.sqrt)).toEqual(xs.map((x) => Math.sqrt(Math.abs(x))));
    expect(data(out.sign)).toEqual(xs.map(Math.sign));
    expect(data(out.flush)).toEqual(xs.map((x) => (Math.abs(x * 1e-31) < 1e-30 ? 0 : x * 1e-31)));
    expect(data(out.min)).toEqual(xs.map((x, i) => Math.min(x, ys[i]!)));
    expect(data(out.max)).toEqual(xs.map((x, i) => Math.max(x, ys[i]!)));
    expect(data(out.fma)).toEqual(xs.map((x, i) => x * ys[i]! + 1));
    expect(data(out.div)).toEqual(xs.map((x, i) => x / ys[i]!));
  });

  it('refuses a malformed definition, naming what is wrong', () => {
    expect(() => fuse({ arrays: ['a', 'a'] }, ({ a }) => ({ a }))).toThrow("fuse: the input name 'a' is given twice");
    expect(() => fuse({ arrays: ['a'], scalars: ['a'] }, ({ a }) => ({ a }))).toThrow("fuse: the input name 'a' is given twice");
    expect(() => fuse({ arrays: [] }, () => ({}))).toThrow('fuse: give at least one array');
    expect(() => fuse({ arrays: ['a'] }, () => ({}))).toThrow('fuse: the body returned no outputs');
    expect(() => fuse({ arrays: ['a'] }, () => null as never)).toThrow('fuse: the body must return an object of expressions, got null');
    expect(() => fuse({ arrays: ['a'] }, ({ a }) => ({ b: a, c: 3 as never }))).toThrow("fuse: output 'c' is the number 3, not an expression");
    expect(() => fuse({ arrays: ['a'] }, ({ a }) => ({ b: a.add('1' as never) }))).toThrow('fuse: an operand must be an expression or a number, got the string "1"');
  });

  describe('refuses a bad run, naming the array or scalar', () => {
    const f = fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(g.mul(lr)) }));
    const p = tensor([1, 2, 3]);
    it('a missing array', () => {
      expect(() => f.run({ p } as never, { lr: 1 })).toThrow("fused run: array 'g' is undefined, not a Tensor");
    });
    it('an array of another size', () => {
      expect(() => f.run({ p, g: tensor([1, 2]) }, { lr: 1 }))
        .toThrow("fused run: array 'g' is float32 [2], but 'p' is float32 [3]; all arrays need the same size and dtype");
    });
    it('an array of another dtype', () => {
      expect(() => f.run({ p, g: tensor([1, 2, 3], { dtype: 'float64' }) }, { lr: 1 }))
        .toThrow("fused run: array 'g' is float64 [3], but 'p' is float32 [3]; all arrays need the same size and dtype");
    });
    it('a scalar that is not a number, or missing', () => {
      expect(() => f.run({ p, g: p }, { lr: '0.1' as never })).toThrow("fused run: scalar 'lr' is the string \"0.1\", not a number");
      expect(() => f.run({ p, g: p }, {} as never)).toThrow("fused run: scalar 'lr' is undefined, not a number");
    });
    it('arrays that are not an object', () => {
      expect(() => f.run(null as never, { lr: 1 })).toThrow('fused run: arrays must be an object of tensors named p, g, got null');
    });
  });
});

describe('the reference interpreter against plain formulas', () => {
  // An Adam-like update, written once as a program and once as a JS formula (float64 throughout).
  const f = fuse({ arrays: ['p', 'g', 'm', 'v'], scalars: ['b1', 'b2', 'step', 'eps'] }, ({ p, g, m, v, b1, b2, step, eps }) => {
    const m2 = fma(m, b1, g.mul(0.1)).flush(), v2 = fma(v, b2, g.mul(g).mul(0.001)).flush();
    return { p: p.sub(m2.mul(step).div(v2.sqrt().add(eps))), m: m2, v: v2 };
  });
  const flush = (x: number) => (Math.abs(x) < 1e-30 ? 0 : x);

  it('float64: exactly the formula, on every length (blocks of 256 and a partial one)', () => {
    fc.assert(fc.property(fc.constantFrom(0, 1, 255, 256, 257, 1000), fc.nat(), (n, s) => {
      const rnd = xorshift(s);
      const [p, g, m, v] = [0, 1, 2, 3].map(() => Float64Array.from({ length: n }, () => rnd() * 2 - 1));
      v!.forEach((x, i) => { v![i] = Math.abs(x); });
      m![0 % Math.max(n, 1)] = n ? 1e-31 : 0; // flushed after the decay
      const [b1, b2, step, eps] = [0.9, 0.999, 1e-3, 1e-8];
      const outs = [0, 1, 2].map(() => new Float64Array(n));
      ref.fused(f.program, [p!, g!, m!, v!], Float64Array.from([b1, b2, step, eps, 0.1, 0.001]), outs);
      for (let i = 0; i < n; i++) {
        const m2 = flush(m![i]! * b1 + g![i]! * 0.1), v2 = flush(v![i]! * b2 + g![i]! * g![i]! * 0.001);
        expect(outs[1]![i]).toBe(m2);
        expect(outs[2]![i]).toBe(v2);
        expect(outs[0]![i]).toBe(p![i]! - (m2 * step) / (Math.sqrt(v2) + eps));
      }
    }), { seed, numRuns: 30 });
  });

  it('float32: each instruction rounded to float32, scalars rounded first', () => {
    const g = fuse({ arrays: ['x'], scalars: ['s'] }, ({ x, s }) => ({ y: x.mul(s).add(x.div(3)) }));
    const x = Float32Array.from([1, 0.1, -7.3, 3e5]), y = new Float32Array(4);
    ref.fused(g.program, [x], Float64Array.from([0.1, 3]), [y]);
    const r = Math.fround, s = r(0.1);
    expectSameBits('y', y, [...x].map((xi) => r(r(xi * s) + r(xi / 3))));
  });

  it('an output read back by a later instruction gives what that instruction wrote, block by block', () => {
    // out0 = a + b; t = out0 · out0; out1 = t − out0; out0 = out0 · 2 (overwritten after being read)
    const p = program({ inputs: 2, scalars: 1, temps: 1, outputs: 2 }, [
      ['add', 4, 0, 1], ['mul', 3, 4, 4], ['sub', 5, 3, 4], ['mul', 4, 4, 2],
    ]);
    const n = 700, rnd = xorshift(seed);
    const a = Float32Array.from({ length: n }, () => rnd() * 4 - 2), b = Float32Array.from({ length: n }, () => rnd() * 4 - 2);
    const r = Math.fround;
    const sum = [...a].map((x, i) => r(x + b[i]!));
    const want0 = sum.map((s) => r(s * 2)), want1 = sum.map((s) => r(r(s * s) - s));
    for (const ks of [ref, ...(simd ? [wasm()] : [])]) {
      const [o0, o1] = runOn(ks, p, [a, b], [2]);
      expectSameBits(`${ks.name}: out0`, o0!, want0);
      expectSameBits(`${ks.name}: out1`, o1!, want1);
    }
  });
});

/** A seeded generator of uniform numbers in [0, 1). */
function xorshift(s: number): () => number {
  let x = (s >>> 0) || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const tiny = Math.fround(1e-30);
/** Values where the instructions' edge cases lie: NaN, ±0, ±Infinity, around the flush bound, subnormals. */
const SPECIAL = [
  NaN, 0, -0, Infinity, -Infinity, 1, -1, tiny, -tiny, Math.fround(tiny * (1 + 2 ** -23)), tiny * (1 - 2 ** -24), 1e-30, 9.99e-31,
  -1.0000001e-30, 2 ** -126, 2 ** -149, -(2 ** -140), 1e-40, 3.4028234663852886e38, -3e38, 0.5, 2, 1e20, 1e-20,
];

/** n float32 values: a third of them special, the rest spread over many magnitudes. */
function mixed(n: number, s: number): Float32Array {
  const rnd = xorshift(s);
  return Float32Array.from({ length: n }, () => {
    const u = rnd();
    if (u < 0.33) return SPECIAL[Math.floor(rnd() * SPECIAL.length)]!;
    return (rnd() * 2 - 1) * 10 ** Math.floor(rnd() * 12 - 6);
  });
}

/**
 * A random well-formed program in which every register is written before it is read and every output
 * is written (a program that reads a register no instruction wrote reads whatever it held: unspecified).
 */
const programs = (withFma: boolean) => fc.record({
  inputs: fc.integer({ min: 1, max: 3 }), scalars: fc.integer({ min: 0, max: 2 }), temps: fc.integer({ min: 0, max: 3 }),
  outputs: fc.integer({ min: 1, max: 3 }),
  choices: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 10 }),
}).map(({ choices, ...counts }): FusedProgram => {
  const writable = counts.temps + counts.outputs, first = counts.inputs + counts.scalars;
  const ops = withFma ? FUSED_OPS.length : FUSED_OPS.length - 1;
  const known = Array.from({ length: first }, (_, r) => r);
  const code: number[] = [];
  for (const [op, dst, a, b, c] of choices) {
    const opcode = op % ops, arity = opcode < FUSED_UNARY.length ? 1 : opcode < FUSED_UNARY.length + FUSED_BINARY.length ? 2 : 3;
    const operands = [a, b, c].map((x, k) => (k < arity ? known[x % known.length]! : -1));
    const d = first + (dst % writable);
    code.push(opcode, d, ...operands);
    if (!known.includes(d)) known.push(d);
  }
  for (let o = 0; o < counts.outputs; o++) {
    const d = first + counts.temps + o;
    if (!known.includes(d)) code.push(0, d, known[o % known.length]!, -1, -1);
  }
  return { ...counts, code: Int32Array.from(code) };
});

const LENGTHS = [0, 1, 3, 4, 5, 15, 16, 17, 31, 255, 256, 257, 511, 1000, 5000];
const lengths = fc.oneof(fc.constantFrom(...LENGTHS), fc.integer({ min: 0, max: 3000 }));
const scalarValues = fc.array(fc.oneof(fc.constantFrom(...SPECIAL), fc.double({ noNaN: false })), { minLength: 2, maxLength: 2 });

describe('wasm-simd runs fused programs bit for bit like the reference', () => {
  it('loads', () => expect(wasm().name).toBe('wasm-simd'));

  it('random programs over special values, on every length', () => {
    fc.assert(fc.property(programs(true), lengths, fc.nat(), scalarValues, (p, n, s, sc) => {
      expect(programError(p)).toBe('');
      const inputs = Array.from({ length: p.inputs }, (_, i) => mixed(n, s + i));
      const scalars = sc.slice(0, p.scalars);
      const got = runOn(wasm(), p, inputs, scalars), want = runOn(ref, p, inputs, scalars);
      got.forEach((g, o) => expectSameBits(`n=${n}, output ${o}`, g, want[o]!));
    }), { seed, numRuns: 300 });
  });

  it('each instruction alone on every special value against every other (both operand orders)', () => {
    const k = SPECIAL.length;
    const a = Float32Array.from({ length: k * k }, (_, i) => SPECIAL[Math.floor(i / k)]!);
    const b = Float32Array.from({ length: k * k }, (_, i) => SPECIAL[i % k]!);
    const c = Float32Array.from({ length: k * k }, (_, i) => SPECIAL[(i * 7) % k]!);
    FUSED_OPS.forEach((op, opcode) => {
      const arity = opcode < FUSED_UNARY.length ? 1 : opcode < FUSED_UNARY.length + FUSED_BINARY.length ? 2 : 3;
      const p = program({ inputs: 3, scalars: 0, temps: 0, outputs: 1 }, [[op, 3, ...[0, 1, 2].slice(0, arity)]]);
      expectSameBits(op, runOn(wasm(), p, [a, b, c], [])[0]!, runOn(ref, p, [a, b, c], [])[0]!);
    });
  });

  it('flush gives +0 below 1e-30 in magnitude (as float32), keeps the rest and NaN', () => {
    const x = Float32Array.from([tiny, -tiny, Math.fround(tiny * (1 - 2 ** -24)), -1e-31, -0, 1e-40, NaN, -Infinity, ...new Array(24).fill(2e-31)]);
    const p = program({ inputs: 1, scalars: 0, temps: 0, outputs: 1 }, [['flush', 1, 0]]);
    const [got] = runOn(wasm(), p, [x], []);
    expectSameBits('flush', got!.subarray(0, 8), [tiny, -tiny, 0, 0, 0, 0, NaN, -Infinity]);
    expect([...got!.subarray(8)].every((v) => Object.is(v, 0))).toBe(true);
  });

  describe('arrays already in wasm memory (the ring) are read there, and never stale', () => {
    const engine = (n: number, s: number) => {
      const buf = take('float32', n, 'overwritten') as Float32Array;
      buf.set(mixed(n, s));
      return buf;
    };
    const sgd = fuse({ arrays: ['p', 'g'], scalars: ['lr'] }, ({ p, g, lr }) => ({ p: p.sub(g.mul(lr)), g: g.abs() })).program;

    it('an input a kernel just wrote is read from its kept copy, not copied in again', () => {
      const n = 1000, x = engine(n, 1), g = take('float32', n, 'overwritten') as Float32Array;
      wasm().unary('neg', x, g, 0); // g is a kernel output: kept in the ring
      const want = runOn(ref, sgd, [x, g], [0.1]);
      // Changing g behind the engine's back (the engine never does: a buffer gets new contents only
      // when the pool hands it out again) shows which copy the kernel reads: the kept one.
      const written = Float32Array.from(g);
      g.fill(12345);
      const got = runOn(wasm(), sgd, [x, g], [0.1]);
      g.set(written);
      got.forEach((o, i) => expectSameBits(`output ${i}`, o, want[i]!));
    });

    it('steps of an optimiser: outputs fed back as inputs, buffers handed back and out again', () => {
      const n = 3000, rnd = xorshift(seed);
      let p = engine(n, 2), pRef: Float32Array = Float32Array.from(p);
      for (let step = 0; step < 8; step++) {
        const g = engine(n, 10 + step);
        const outs = [take('float32', n, 'overwritten') as Float32Array, take('float32', n, 'overwritten') as Float32Array];
        const lr = rnd();
        wasm().fused(sgd, [p, g], Float64Array.from([lr]), outs);
        const want = runOn(ref, sgd, [pRef, Float32Array.from(g)], [lr]);
        expectSameBits(`step ${step}: p`, outs[0]!, want[0]!);
        expectSameBits(`step ${step}: |g|`, outs[1]!, want[1]!);
        // Last step's p, this step's g and |g| go back to the pool; the next take() reuses them with new contents.
        giveBack(p); giveBack(g); giveBack(outs[1]!);
        p = outs[0]!; pRef = want[0]!;
      }
    });

    it('the same array given twice, and an input that is also read as another input\'s output of the last call', () => {
      const n = 600, x = engine(n, 3);
      const first = [take('float32', n, 'overwritten') as Float32Array, take('float32', n, 'overwritten') as Float32Array];
      wasm().fused(sgd, [x, x], Float64Array.from([0.5]), first);
      expectSameBits('x − 0.5x', first[0]!, runOn(ref, sgd, [x, x], [0.5])[0]!);
      const again = runOn(wasm(), sgd, [first[0]!, first[1]!], [2]);
      const want = runOn(ref, sgd, [first[0]!, first[1]!], [2]);
      again.forEach((o, i) => expectSameBits(`output ${i}`, o, want[i]!));
    });
  });
});

describe('wasm sets compile each program to WebAssembly on its first run', () => {
  const adamLike = () => fuse({ arrays: ['p', 'g', 'm', 'v'], scalars: ['stepSize', 'root', 'keep'] }, ({ p, g, m, v, stepSize, root, keep }) => {
    // 1 − β as nn writes it: an instruction over constants only, which the compiled function runs once.
    const m1 = fma(0.9, m, fma(-1, 0.9, 1).mul(g)).flush(), v1 = fma(0.999, v, fma(-1, 0.999, 1).mul(g.mul(g))).flush();
    return { p: p.mul(keep).sub(stepSize.mul(m1).div(fma(v1.sqrt(), root, 1e-8))), m: m1, v: v1 };
  });
  /** Its scalar registers: the three named scalars, then its constants. */
  const scalarsOf = (f: ReturnType<typeof adamLike>, stepSize: number, root: number, keep: number) => Array.from(f.scalarValues({ stepSize, root, keep }));
  const arrays = (n: number, s: number) => [0, 1, 2, 3].map((i) => mixed(n, s + i).map((x, j) => (i === 3 ? Math.abs(x) : j % 5 ? x : 0.5)));

  it('runs it compiled from the first call on, bit for bit like the reference (constants-only instructions too)', () => {
    const f = adamLike(), p = f.program, scalars = scalarsOf(f, 1e-3, 1.2, 1);
    expect(fusedPath(wasm(), p), 'not run yet').toBeUndefined();
    const inputs = arrays(1001, seed);
    const got = runOn(wasm(), p, inputs, scalars);
    expect(fusedPath(wasm(), p)).toBe('compiled');
    runOn(ref, p, inputs, scalars).forEach((want, o) => expectSameBits(`output ${o}`, got[o]!, want));
  });

  it('its module stays under 4 KB (browsers compile those synchronously on the main thread)', () => {
    const bytes = encodeFused(adamLike().program, { shared: false, max: undefined }, true);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(bytes.length).toBeLessThan(4096);
  });

  it('over shared memory (the set with a helper thread) too', () => {
    const threaded = loadWasmKernels({ relaxed: false, threads: 2 });
    if (!threaded) throw new Error(`the two-thread kernels did not load: ${wasmLoadError}`);
    const f = adamLike(), p = f.program, inputs = arrays(300, seed + 7), scalars = scalarsOf(f, 0.5, 2, 0.99);
    const got = runOn(threaded, p, inputs, scalars);
    expect(fusedPath(threaded, p)).toBe('compiled');
    runOn(ref, p, inputs, scalars).forEach((want, o) => expectSameBits(`output ${o}`, got[o]!, want));
  });

  it('when compiling fails (a Content Security Policy, say), the reference set runs it: the same bits; compiling is not tried again', () => {
    const f = adamLike(), p = f.program, inputs = arrays(777, seed + 3), scalars = scalarsOf(f, 2e-3, 1.1, 0.98);
    const refused = vi.spyOn(WebAssembly, 'Module').mockImplementation(function refuse() { throw new WebAssembly.CompileError('refused by the test'); });
    let got: Float32Array[], again: Float32Array[];
    try {
      got = runOn(wasm(), p, inputs, scalars);
      again = runOn(wasm(), p, inputs, scalars);
      expect(refused).toHaveBeenCalledTimes(1);
    } finally {
      refused.mockRestore();
    }
    expect(fusedPath(wasm(), p)).toBe('fallback');
    const compiled = { ...p }; // another program object: compiled now that compiling works
    const want = runOn(wasm(), compiled, inputs, scalars);
    expect(fusedPath(wasm(), compiled)).toBe('compiled');
    want.forEach((w, o) => {
      expectSameBits(`output ${o}`, got[o]!, w);
      expectSameBits(`output ${o}, second run`, again[o]!, w);
    });
  });
});

describe('wasm-relaxed-simd: the same, except fma, which may round once', () => {
  const fused = () => (relaxed?.name === 'wasm-relaxed-simd' ? relaxed : null);

  it('programs without fma: bit for bit', () => {
    const ks = fused();
    if (!ks) return expect(relaxed?.name, 'no relaxed SIMD here: the plain set stands in').toBe('wasm-simd');
    fc.assert(fc.property(programs(false), lengths, fc.nat(), scalarValues, (p, n, s, sc) => {
      const inputs = Array.from({ length: p.inputs }, (_, i) => mixed(n, s + i));
      const got = runOn(ks, p, inputs, sc.slice(0, p.scalars)), want = runOn(ref, p, inputs, sc.slice(0, p.scalars));
      got.forEach((g, o) => expectSameBits(`n=${n}, output ${o}`, g, want[o]!));
    }), { seed, numRuns: 100 });
  });

  it('fma within the rounding of the product: |fused − unfused| ≤ ulp(a·b) + ulp(result)', () => {
    const ks = fused();
    if (!ks) return expect(relaxed?.name).toBe('wasm-simd');
    const p = program({ inputs: 3, scalars: 0, temps: 0, outputs: 1 }, [['fma', 3, 0, 1, 2]]);
    const ulp = (x: number) => Math.max(Math.abs(x) * 2 ** -23, 2 ** -149);
    fc.assert(fc.property(fc.constantFrom(16, 17, 1000, 4099), fc.nat(), (n, s) => {
      const rnd = xorshift(s);
      const [a, b, c] = [0, 1, 2].map(() => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * 10 ** Math.floor(rnd() * 6 - 3)));
      const [got] = runOn(ks, p, [a!, b!, c!], []), [want] = runOn(ref, p, [a!, b!, c!], []);
      for (let i = 0; i < n; i++) {
        const bound = ulp(a![i]! * b![i]!) + ulp(want![i]!);
        if (!(Math.abs(got![i]! - want![i]!) <= bound)) throw new Error(`element ${i}: relaxed ${got![i]}, reference ${want![i]}, allowed ${bound}`);
      }
    }), { seed, numRuns: 40 });
  });
});

describe("relu's backward pass: one fused kernel when not recording", () => {
  // Special values of x (NaN, ±0, subnormals, ±Infinity) and of the arriving gradient (−0, ±Infinity, NaN).
  const xs = [NaN, -0, 0, 1e-45, -1e-45, 1e-38, -2, 3, Infinity, -Infinity, 0.5, -0.5];
  const gs = [1, -1, -0, Infinity, -Infinity, NaN, 2.5, -3.5, 0, 1e-40, -7, 1e30];
  const sets: [string, () => Kernels][] = [['reference', () => ref], ['wasm-simd', wasm], ['native', () => loadNativeKernels({ allNative: true })]];

  it.each(sets)('on the %s kernels: the bits of mul(g, heaviside(x)), in float32 and float64, in one fused call; with createGraph, still differentiable', (_name, ks) => {
    const before = backend();
    try {
      const set = ks();
      let fusedCalls = 0;
      setBackend({ ...set, name: `${set.name} (counting fused calls)`, fused: (...args: Parameters<Kernels['fused']>) => { fusedCalls++; set.fused(...args); } });
      for (const dtype of ['float32', 'float64'] as const) {
        const x = tensor(xs, { dtype }), w = tensor(gs, { dtype });
        fusedCalls = 0;
        const got = grad(sum(mul(relu(x), w)), x) as Tensor;
        expect(fusedCalls).toBe(1);
        const want = noGrad(() => mul(w, heaviside(x)));
        expect(Array.from(got.data).map(String)).toEqual(Array.from(want.data).map(String)); // String: -0 and NaN compared as such
        expect(Array.from(got.data).map((v) => Object.is(v, -0))).toEqual(Array.from(want.data).map((v) => Object.is(v, -0)));
      }
      // createGraph: the VJP is made of ops; d/dw of (d/dx Σ relu(x)·w) is heaviside(x).
      const x = tensor([-1, 2, 3]), w = tensor([4, 5, 6]);
      const dx = grad(sum(mul(relu(x), w)), x, { createGraph: true }) as Tensor;
      const dw = grad(sum(dx), w) as Tensor;
      expect(Array.from(dw.data)).toEqual([0, 1, 1]);
    } finally {
      setBackend(before as never);
    }
  });
});
