/**
 * Kernel timings, reference vs fast, side by side in one run: float32 matmul GFLOP/s for the MLP's shapes
 * in all four transpose forms, and ns per element for the elementwise kernels the MLP uses.
 *
 *   npx tsx --conditions=@chainrule/source benchmarks/kernels.ts [--quick]
 */
import { fma, fuse } from '@chainrule/core';
import { loadWasmKernels, referenceKernels, type Kernels } from '@chainrule/core/backend';

const quick = process.argv.includes('--quick');
const fastRelaxed = loadWasmKernels({ relaxed: true });
const fastSimd = loadWasmKernels({ relaxed: false });
const fast2 = loadWasmKernels({ relaxed: true, threads: 2 });
if (!fastRelaxed || !fastSimd || !fast2) {
  console.error('fast kernels did not load (build them with `pnpm kernels`; the test kernels-wasm.test.ts says why)');
  process.exit(1);
}
const sets: [string, Kernels][] = [['reference', referenceKernels], [fastSimd.name, fastSimd]];
if (fastRelaxed.name !== fastSimd.name) sets.push([fastRelaxed.name, fastRelaxed]);
const fastest = sets.length - 1; // the speed-up column compares this one-thread set with the reference
sets.push([fast2.name.replace('wasm-', ''), fast2]);

const random = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);

/**
 * Seconds per call: time batches of calls (each batch ≥ ~0.2 ms, so tiny calls are measurable) until
 * `budget` seconds have passed, at least `min` batches; report the median batch (a busy second core
 * makes the best one misleading).
 */
function time(fn: () => void, budget: number, min = 3): number {
  fn(); // warm up (JIT, arena growth)
  let batch = 1;
  for (let t0 = performance.now(); performance.now() - t0 < 0.2 && batch < 1 << 20; batch *= 2) for (let i = 0; i < batch; i++) fn();
  batch = Math.max(1, batch >> 1);
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < min || spent < budget) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    const dt = (performance.now() - t0) / 1000;
    samples.push(dt / batch); spent += dt;
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

const shapes: [number, number, number][] = [[64, 784, 128], [64, 128, 64], [256, 784, 128], [1024, 1024, 1024]];
const forms: [string, boolean, boolean][] = [['A·B', false, false], ['A·Bᵀ', false, true], ['Aᵀ·B', true, false], ['Aᵀ·Bᵀ', true, true]];

console.log(`float32 matmul, GFLOP/s (median of repeated calls; the last column uses a second thread)${quick ? ' [quick]' : ''}\n`);
console.log(['shape m×k×n', 'form', ...sets.map(([n]) => n), 'speed-up'].map((s) => s.padStart(18)).join(''));
for (const [m, k, n] of shapes) {
  const a = random(m * k), b = random(k * n), out = new Float32Array(m * n);
  const flops = 2 * m * k * n;
  for (const [form, tA, tB] of forms) {
    if (quick && form === 'A·Bᵀ' && m === 1024) continue;
    const rates = sets.map(([name, ks]) => {
      const slow = name === 'reference' && m === 1024;
      const s = time(() => ks.matmul(a, b, out, m, k, n, tA, tB), slow ? 0 : quick ? 0.1 : 0.4, slow ? 1 : 3);
      return flops / s / 1e9;
    });
    const cells = [`${m}×${k}×${n}`, form, ...rates.map((r) => r.toFixed(2)), `${(rates[fastest]! / rates[0]!).toFixed(1)}×`];
    console.log(cells.map((s) => s.padStart(18)).join(''));
  }
}

console.log('\nfloat32 elementwise, ns per element (one thread)\n');
console.log(['kernel', 'size', ...sets.slice(0, fastest + 1).map(([n]) => n)].map((s) => s.padStart(18)).join(''));
const cases: [string, number, (ks: Kernels) => void][] = [];
// One Adam step as a fused program, as nn's adam writes it (1 − β as an instruction over constants);
// the wasm sets compile it on the first call, which time()'s warm-up takes.
const oneMinus = (x: number) => fma(-1, x, 1);
const adam = fuse({ arrays: ['p', 'g', 'm', 'v'], scalars: ['stepSize', 'invRootC2', 'keep'] }, ({ p, g, m, v, stepSize, invRootC2, keep }) => {
  const gd = fma(0, p, g);
  const m1 = fma(0.9, m, oneMinus(0.9).mul(gd)).flush(), v1 = fma(0.999, v, oneMinus(0.999).mul(gd.mul(gd))).flush();
  return { p: p.mul(keep).sub(stepSize.mul(m1).div(fma(v1.sqrt(), invRootC2, 1e-8))), m: m1, v: v1 };
});
// The three named scalars, then fuse's constants: ordinary numbers are all the timing needs.
const adamScalars = Float64Array.from({ length: adam.program.scalars }, (_, i) => [1e-3, 1.2, 1][i] ?? 0.5);
for (const [rows, cols] of [[64, 128], [256, 784], [4, 8]] as const) {
  const size = rows * cols;
  const x = random(size), y = random(size), bias = random(cols), out = new Float32Array(size);
  const m = random(size), v = random(size).map(Math.abs), mOut = new Float32Array(size), vOut = new Float32Array(size);
  const label = `${rows}×${cols}`;
  cases.push(
    [`add ${label}`, size, (ks) => ks.binary('add', x, [cols, 1], y, [cols, 1], [rows, cols], out)],
    [`bias add ${label}`, size, (ks) => ks.binary('add', x, [cols, 1], bias, [0, 1], [rows, cols], out)],
    [`mul ${label}`, size, (ks) => ks.binary('mul', x, [cols, 1], y, [cols, 1], [rows, cols], out)],
    [`relu ${label}`, size, (ks) => ks.unary('relu', x, out, 0)],
    [`sigmoid ${label}`, size, (ks) => ks.unary('sigmoid', x, out, 0)],
    [`exp ${label}`, size, (ks) => ks.unary('exp', x, out, 0)],
    [`sum axis 0 ${label}`, size, (ks) => ks.reduce('sum', x, [rows, cols], [0], bias)],
    [`softmax ${label}`, size, (ks) => ks.softmax(x, rows, cols, 1, out, false)],
    [`logsumexp ${label}`, size, (ks) => ks.logsumexp(x, rows, cols, 1, out)],
    [`fused adam ${label}`, size, (ks) => ks.fused(adam.program, [x, y, m, v], adamScalars, [out, mOut, vOut])],
  );
}
for (const [label, size, run] of cases) {
  const ns = sets.slice(0, fastest + 1).map(([, ks]) => (time(() => run(ks), quick ? 0.05 : 0.2) * 1e9) / size);
  console.log([label, String(size), ...ns.map((v) => v.toFixed(2))].map((s) => s.padStart(18)).join(''));
}
