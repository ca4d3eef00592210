import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePeerOutput, toRow } from '../src/peers.ts';
import { formatTable, targetLines } from '../src/report.ts';
import type { BenchRow } from '../src/rows.ts';

const script = fileURLToPath(new URL('../src/chainrule-run.ts', import.meta.url));
const run = (env: Record<string, string>, args: string[], node: string[] = []) =>
  spawnSync(process.execPath, [...node, '--conditions=@chainrule/source', '--import', import.meta.resolve('tsx'), script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

/** A --require preload that makes require('@chainrule/native') fail, as when the addon is not installed. */
function hideNativeAddon(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-native-')), 'hide-native.cjs');
  writeFileSync(file, [
    "const Module = require('node:module');",
    'const load = Module._load;',
    "Module._load = function (request, ...rest) {",
    "  if (request === '@chainrule/native') throw new Error(\"Cannot find module '@chainrule/native' (hidden by the test)\");",
    '  return load.call(this, request, ...rest);',
    '};',
  ].join('\n'));
  return file;
}

describe("chainrule's benchmark rows", () => {
  it('a partial epoch with the fast kernels prints a row with its kernels, scaling, memory and buffer reuse', () => {
    const r = run({ CHAINRULE_KERNELS: 'wasm', CHAINRULE_THREADS: '1' }, ['--batches', '4', '--no-matmul']);
    expect(r.status, r.stderr).toBe(0);
    const row = toRow(parsePeerOutput(r.stdout));
    expect(row.system).toMatch(/^chainrule wasm-(relaxed-)?simd fit$/);
    expect(row.threads).toBe(1);
    expect(row.note).toContain('fit on real MNIST');
    expect(row.secondsPerEpoch).toBeGreaterThan(0);
    expect(row.note).toContain('timed 4 of 938 batches');
    expect(row.note).toMatch(/the median of epochs 2–6 \([\d.]+, [\d.]+, [\d.]+, [\d.]+, [\d.]+ s; the first took [\d.]+ s\)/);
    expect(row.note).toMatch(/fresh buffers [\d.]+ KB per step/);
    expect(row.note).toMatch(/peak RSS \d+ MB/);
    expect(row.note).toMatch(/op overhead [\d.]+ µs/);
    // SGD on real MNIST: the loss after a few steps is finite and below ln(10)·1.2.
    const loss = Number(/train loss ([\d.]+)/.exec(row.note!)![1]);
    expect(loss).toBeGreaterThan(0.5);
    expect(loss).toBeLessThan(2.8);
  }, 60_000);

  it("--loop peers times the peers' loop on their random data and says so", () => {
    const r = run({ CHAINRULE_KERNELS: 'wasm', CHAINRULE_THREADS: '1' }, ['--loop', 'peers', '--batches', '3', '--no-matmul']);
    expect(r.status, r.stderr).toBe(0);
    const row = toRow(parsePeerOutput(r.stdout));
    expect(row.system).toMatch(/^chainrule wasm-(relaxed-)?simd$/);
    expect(row.note).toContain("the peers' loop");
    expect(row.note).toContain('timed 3 of 938 batches');
    expect(row.note).toMatch(/the median of epochs 2–6 \([\d.]+, [\d.]+, [\d.]+, [\d.]+, [\d.]+ s; the first took [\d.]+ s\)/);
    // Random labels over 10 classes: the loss stays near ln 10.
    const loss = Number(/train loss ([\d.]+)/.exec(row.note!)![1]);
    expect(loss).toBeGreaterThan(1.8);
    expect(loss).toBeLessThan(2.8);
    const bad = run({}, ['--loop', 'shuffled', '--batches', '1', '--no-matmul']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--loop must be fit or peers, got shuffled');
  }, 60_000);

  it('--kernels native gives rows named by the native level, and rows saying why when the addon cannot load', () => {
    const r = run({ CHAINRULE_THREADS: '1' }, ['--kernels', 'native', '--loop', 'peers', '--batches', '3', '--no-matmul']);
    expect(r.status, r.stderr).toBe(0);
    const row = toRow(parsePeerOutput(r.stdout));
    // This machine builds the addon (pnpm install); a level name, never a silent fall back to wasm.
    expect(row.system).toMatch(/^chainrule native-(avx512|avx2|portable)$/);
    expect(row.threads).toBe(1);
    expect(row.missing).toBeUndefined();
    expect(row.note).toContain(`kernels ${row.system.slice('chainrule '.length)}`);
    const loss = Number(/train loss ([\d.]+)/.exec(row.note!)![1]);
    expect(loss).toBeGreaterThan(1.8);
    expect(loss).toBeLessThan(2.8);

    const hidden = run({}, ['--kernels', 'native', '--batches', '1', '--no-matmul'], ['--require', hideNativeAddon()]);
    expect(hidden.status, hidden.stderr).toBe(0);
    const empty = toRow(parsePeerOutput(hidden.stdout));
    expect(empty).toMatchObject({ system: 'chainrule native fit', threads: 1, secondsPerEpoch: null, gflops: {} });
    expect(empty.missing).toContain("require('@chainrule/native') failed: Cannot find module '@chainrule/native' (hidden by the test)");
    expect(formatTable([empty, row])).toContain(`- chainrule native fit (1 thread): ${empty.missing}`);

    const bad = run({}, ['--kernels', 'wasm', '--batches', '1', '--no-matmul']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--kernels must be native');
  }, 60_000);

  it('the reference kernels give a row too, with matmul GFLOP/s for every shape', () => {
    const r = run({ CHAINRULE_KERNELS: 'reference' }, ['--loop', 'peers', '--batches', '1', '--round-seconds', '0.001']);
    expect(r.status, r.stderr).toBe(0);
    const row = toRow(parsePeerOutput(r.stdout));
    expect(row.system).toBe('chainrule reference');
    expect(Object.keys(row.gflops).length).toBeGreaterThanOrEqual(12);
    for (const v of Object.values(row.gflops)) expect(v).toBeGreaterThan(0);
  }, 120_000);

  it('states the targets as ratios against TensorFlow.js wasm and PyTorch', () => {
    const row = (system: string, threads: number, s: number): BenchRow => ({ system, threads, secondsPerEpoch: s, samplesPerSec: 60_000 / s, gflops: {} });
    const lines = targetLines([
      row('chainrule reference', 1, 20), row('chainrule wasm-relaxed-simd fit', 1, 0.5), row('chainrule wasm-relaxed-simd', 1, 1.2),
      row('chainrule wasm-relaxed-simd', 2, 0.9), row('TensorFlow.js 4.22.0 wasm', 1, 7.2), row('PyTorch 1.13', 1, 0.45), row('PyTorch 1.13', 2, 0.36),
    ]).join('\n');
    // The target row is the fastest one doing the peers' work, even when a fit row is faster.
    expect(lines).toContain("fastest row doing the peers' work, chainrule wasm-relaxed-simd (2 threads): 0.900 s per epoch");
    expect(lines).toContain('8.00× faster than TensorFlow.js 4.22.0 wasm (1 thread)');
    expect(lines).toContain('2.00× the time of PyTorch 1.13 (1 thread)');
    expect(lines).toContain('2.50× the time of PyTorch 1.13 (2 threads)');
    expect(lines).toContain('`fit` on the real, shuffled MNIST with the gradient monitor (chainrule wasm-relaxed-simd fit (1 thread)): 0.500 s per epoch, ' +
      '14.4× faster than TensorFlow.js wasm, 1.11× the time of PyTorch (1 thread)');
    expect(targetLines([row('TensorFlow.js 4.22.0 wasm', 1, 7.2)])).toEqual([]);
    // With only a fit row, that row is the target row.
    expect(targetLines([row('chainrule wasm-simd fit', 1, 1.4), row('TensorFlow.js 4.22.0 wasm', 1, 9.8)]).join('\n')).toContain('chainrule wasm-simd fit (1 thread): 1.40 s');
    // The Markdown report carries them under the epoch table.
    const md = formatTable([row('chainrule wasm-simd', 1, 1.4), row('TensorFlow.js 4.22.0 wasm', 1, 9.8)]);
    expect(md.indexOf('Targets (')).toBeGreaterThan(md.indexOf('| chainrule wasm-simd |'));
    expect(md).toContain('7.00× faster than TensorFlow.js 4.22.0 wasm (1 thread) (goal ≥ 7×)');
  });
});
