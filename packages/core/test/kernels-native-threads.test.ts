/**
 * The native kernels give the same bits with 1, 2 and 3 threads: every kernel that splits its work
 * (matmul and linear by rows of C; unary, binary, clip and fused programs by ranges; sum, max/min,
 * softmax and logsumexp by outer rows), at every code path this CPU runs, float32 and float64, on
 * shapes large enough to cross the size gates (and odd or prime ones, so chunks end unevenly); and a few
 * steps of training an MLP through `fit`. Each case also checks, by the addon's count of split calls,
 * that the runs with several threads did split their work.
 *
 * If the addon is not built, this file fails with its loading error (build it: `npx -y pnpm@12.21.0 install`).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { fromData, fuse } from '../src/index.ts';
import { backend, setBackend, type Kernels } from '../src/backend/index.ts';
import { loadNativeKernels, nativeLevels } from '../src/backend/native/index.ts';
import { loadAddon } from '../src/backend/native/addon.ts';
import type { TypedArray } from '../src/dtype.ts';
import { adam, fit, mlp } from '../../nn/src/index.ts';
import { seededValues as values } from './kernel-agreement.ts';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const DTYPES: readonly [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const THREADS = [1, 2, 3];

const addon = loadAddon();
const threadsBefore = addon.threads();
afterAll(() => { addon.threads(threadsBefore); });

/** The bytes of a typed array, to compare bit for bit (NaN payloads and -0 included). */
const bytes = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The first element where two arrays' bits differ, or -1. */
function firstDifference(a: TypedArray, b: TypedArray): number {
  const x = bytes(a), y = bytes(b), width = a.BYTES_PER_ELEMENT;
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / width);
  return -1;
}

/**
 * Runs `compute` (which returns fresh outputs) at each thread count and expects every output to have the
 * one-thread run's bits, naming the kernel, output, thread count and element where they differ.
 */
function expectSameBits(what: string, compute: () => TypedArray[]): void {
  const runs = THREADS.map((t) => {
    expect(addon.threads(t), `${what}: the addon's thread count`).toBe(t);
    const before = addon.parallelCalls();
    const outs = compute();
    expect(addon.parallelCalls() > before, `${what} with ${t} threads: split across threads`).toBe(t > 1);
    return outs;
  });
  addon.threads(1);
  const [one, ...others] = runs;
  others.forEach((outs, r) => outs.forEach((out, o) => {
    const at = firstDifference(out, one![o]!);
    if (at >= 0) throw new Error(`${what}: output ${o} with ${THREADS[r + 1]} threads differs from 1 thread at element ${at}: ${out[at]} vs ${one![o]![at]}`);
  }));
}

const sets = nativeLevels().map((level) => loadNativeKernels({ level, allNative: true, threads: 1 }));
const cases = sets.flatMap((ks) => DTYPES.map(([dtype, C]) => [`${ks.name} ${dtype}`, ks, C] as const));

// Sizes over the gates (packages/native/src/addon.cc: 2·131072 elements of cheap work, 2·4096 of costly
// work, matmul chunks of 2^21 flops), odd so that the last chunk is short.
const BIG = 2 * 131072 + 12345;

describe.each(cases)('%s: 1, 2 and 3 threads give the same bits', (_name, ks: Kernels, C: Ctor) => {
  it.each([[64, 784, 128], [1031, 131, 67], [256, 784, 128], [509, 257, 33], [97, 1000, 301]])(
    'matmul %i×%i×%i, all four transposes', (m, k, n) => {
      const a = values(C, m * k, m + k), b = values(C, k * n, k + n);
      for (const tA of [false, true]) for (const tB of [false, true]) {
        expectSameBits(`matmul ${m}×${k}×${n} tA=${tA} tB=${tB}`, () => {
          const out = new C(m * n).fill(NaN);
          ks.matmul(a, b, out, m, k, n, tA, tB);
          return [out];
        });
      }
    });

  it('linear 1031×131×67 with a bias', () => {
    const [m, k, n] = [1031, 131, 67];
    const x = values(C, m * k, 1), w = values(C, k * n, 2), bias = values(C, n, 3);
    expectSameBits('linear', () => {
      const out = new C(m * n).fill(NaN);
      ks.linear(x, w, bias, out, m, k, n);
      return [out];
    });
  });

  it.each(['neg', 'relu', 'exp', 'tanh', 'sigmoid', 'log1p'] as const)('unary %s on %i elements', (op) => {
    const x = values(C, BIG, 4, 3);
    expectSameBits(`unary ${op}`, () => {
      const out = new C(BIG);
      ks.unary(op, x, out, 0.1);
      return [out];
    });
  });

  it.each(['add', 'mul', 'div', 'pow', 'maximum'] as const)('binary %s: one long row, and rows against a broadcast row', (op) => {
    const a = values(C, BIG, 5, 2), b = values(C, BIG, 6, 2);
    expectSameBits(`binary ${op} [${BIG}]`, () => {
      const out = new C(BIG);
      ks.binary(op, a, [1], b, [1], [BIG], out);
      return [out];
    });
    const [rows, cols] = [2801, 97];
    expectSameBits(`binary ${op} [${rows}, ${cols}] with b [${cols}]`, () => {
      const out = new C(rows * cols);
      ks.binary(op, a.subarray(0, rows * cols), [cols, 1], b.subarray(0, cols), [0, 1], [rows, cols], out);
      return [out];
    });
  });

  it('clip', () => {
    const x = values(C, BIG, 7, 2);
    expectSameBits('clip', () => {
      const out = new C(BIG);
      ks.clip(x, -0.5, 0.75, out);
      return [out];
    });
  });

  it.each([[1213, 107, 3], [4099, 97, 1], [211, 13, 131]])('sum, max and min over the middle of [%i, %i, %i]', (outer, len, inner) => {
    const x = values(C, outer * len * inner, 8);
    x[17] = NaN;
    for (const op of ['sum', 'max', 'min'] as const) {
      expectSameBits(`reduce ${op}`, () => {
        const out = new C(outer * inner);
        ks.reduce(op, x, [outer, len, inner], [1], out);
        return [out];
      });
    }
  });

  it.each([[1021, 67, 3], [4099, 11, 1], [37, 23, 101]])('softmax, log-softmax and logsumexp over the middle of [%i, %i, %i]', (outer, len, inner) => {
    const x = values(C, outer * len * inner, 9, 5);
    expectSameBits('softmax', () => {
      const soft = new C(x.length), logSoft = new C(x.length), lse = new C(outer * inner);
      ks.softmax(x, outer, len, inner, soft, false);
      ks.softmax(x, outer, len, inner, logSoft, true);
      ks.logsumexp(x, outer, len, inner, lse);
      return [soft, logSoft, lse];
    });
  });

  it('fused: an Adam-like update on a large weight', () => {
    const f = fuse({ arrays: ['p', 'g', 'm'], scalars: ['lr', 'b'] }, ({ p, g, m, lr, b }) => {
      const m2 = m.mul(b).add(g.mul(1 - 0.9)).flush();
      return { p: p.sub(m2.mul(lr).div(g.abs().sqrt().add(1e-8))), m: m2 };
    });
    const inputs = [values(C, BIG, 10), values(C, BIG, 11), values(C, BIG, 12, 1e-3)];
    const scalars = f.scalarValues({ lr: 0.01, b: 0.9 });
    expectSameBits('fused', () => {
      const outs = [new C(BIG), new C(BIG)];
      ks.fused(f.program, inputs, scalars, outs);
      return outs;
    });
  });
});

describe('threads(n)', () => {
  it('gets and sets the count, and refuses one outside 1..64 by name', () => {
    expect(addon.threads(2)).toBe(2);
    expect(addon.threads()).toBe(2);
    expect(() => addon.threads(0)).toThrow(/^chainrule native threads: 0 is not in 1\.\.64$/);
    expect(() => addon.threads(65)).toThrow(RangeError);
    expect(addon.threads()).toBe(2);
    expect(addon.threads(1)).toBe(1);
  });

  it('loadNativeKernels sets it from its option, else CHAINRULE_THREADS, and refuses a bad one', () => {
    const env = process.env, saved = env.CHAINRULE_THREADS;
    try {
      loadNativeKernels({ threads: 3 });
      expect(addon.threads()).toBe(3);
      env.CHAINRULE_THREADS = '2';
      loadNativeKernels();
      expect(addon.threads()).toBe(2);
      env.CHAINRULE_THREADS = 'two';
      expect(() => loadNativeKernels()).toThrow('chainrule: CHAINRULE_THREADS=two is not a thread count in 1..64');
      expect(() => loadNativeKernels({ threads: 1.5 })).toThrow('chainrule: native threads 1.5 is not a thread count in 1..64');
    } finally {
      if (saved === undefined) delete env.CHAINRULE_THREADS; else env.CHAINRULE_THREADS = saved;
      addon.threads(1);
    }
  });
});

describe('Node worker threads sharing the pool', () => {
  it('three JS threads running split matmuls at once get the one-thread bits (a busy pool runs a call on its caller)', async () => {
    const [m, k, n] = [509, 257, 131];
    const a = values(Float32Array, m * k, 21), b = values(Float32Array, k * n, 22);
    const want = new Float32Array(m * n);
    addon.threads(1);
    addon.gemm(addon.level(), m, n, k, a, false, b, false, null, want);
    addon.threads(2);
    // Each worker loads the same addon (one pool per process) and runs the matmul 20 times.
    const source = `
      const { parentPort, workerData: { path, m, n, k, a, b } } = require('node:worker_threads');
      const addon = require(path);
      const c = new Float32Array(m * n);
      for (let i = 0; i < 20; i++) addon.gemm(addon.level(), m, n, k, a, false, b, false, null, c);
      parentPort.postMessage(c);`;
    const path = createRequire(import.meta.url).resolve('@chainrule/native');
    const results = await Promise.all([0, 1].map(() => new Promise<Float32Array>((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: { path, m, n, k, a, b } });
      worker.once('message', resolve);
      worker.once('error', reject);
    })).concat([Promise.resolve().then(() => {
      const c = new Float32Array(m * n);
      for (let i = 0; i < 20; i++) addon.gemm(addon.level(), m, n, k, a, false, b, false, null, c);
      return c;
    })]));
    addon.threads(1);
    results.forEach((c, i) => expect(firstDifference(c, want), `thread ${i}: first element that differs`).toBe(-1));
  });
});

describe('training with 1 and 2 threads', () => {
  // Batches of 600 rows: the first two layers' matmuls (forward and backward) cross the matmul gate, and
  // Adam's fused update of the 784×128 weight the elementwise one.
  const rows = 1200, inputs = 784;
  const x = fromData(values(Float32Array, rows * inputs, 13), [rows, inputs]);
  const y = Array.from({ length: rows }, (_, i) => (i * 7) % 10);

  const train = (threads: number) => {
    const before = backend();
    setBackend(loadNativeKernels({ threads }));
    try {
      const model = mlp([inputs, 128, 64, 10], { hidden: 'relu', output: 'softmax' });
      const result = fit(model, model.init(5), { x, y }, {
        loss: 'crossEntropy', optimizer: adam({ lr: 1e-3 }), epochs: 2, batchSize: 600, seed: 7, progress: false, monitor: false,
      });
      return { losses: result.history.loss.toArray(), params: [...result.params.entries()] };
    } finally {
      setBackend((before.startsWith('native-') ? 'native' : before) as never);
      addon.threads(1);
    }
  };

  it('four steps of fit give the same losses and the same bits in every parameter', () => {
    const before = addon.parallelCalls();
    const one = train(1);
    expect(addon.parallelCalls(), 'split calls with 1 thread').toBe(before);
    const two = train(2);
    // At least one (the pool runs calls unsplit for a while after a split that did not pay).
    expect(addon.parallelCalls() - before, 'split calls with 2 threads').toBeGreaterThan(0);
    expect(two.losses).toEqual(one.losses);
    expect(two.params.map(([name]) => name)).toEqual(one.params.map(([name]) => name));
    one.params.forEach(([name, t], i) => {
      const a = t.data, b = two.params[i]![1].data;
      const at = firstDifference(b, a);
      if (at >= 0) throw new Error(`${name} with 2 threads differs from 1 thread at element ${at}: ${b[at]} vs ${a[at]}`);
    });
  });
});
