import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { zeros } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { bestOfRounds, main, pickReference } from '../src/bench.ts';
import { CNN, CNN_EPOCH_FLOP, CONV_PASSES, CONV_SHAPES, convFlop, convKey, convOut } from '../src/cnn-shapes.ts';
import { formatCnnEpochTable, formatConvTable } from '../src/cnn-report.ts';
import { mnistCnn } from '../src/mnist-cnn-model.ts';
import { findPythons, parsePeerOutput, toRow } from '../src/peers.ts';
import { formatTable } from '../src/report.ts';
import type { BenchRow } from '../src/rows.ts';

const row = (system: string, threads: number, s: number | null, extra: Partial<BenchRow> = {}): BenchRow => ({
  system, threads, secondsPerEpoch: s, samplesPerSec: s === null ? null : 60_000 / s, gflops: {}, ...extra,
});
const cnnRow = (system: string, threads: number, s: number | null, extra: Partial<BenchRow> = {}): BenchRow =>
  row(system, threads, s, { workload: 'cnn', ...extra });
const allConvKeys = CONV_SHAPES.flatMap((s) => CONV_PASSES.map((p) => convKey(s, p.key)));

describe('the CNN and its convolutions', () => {
  it("peers/cnn.json's convolutions and dense widths are the layers of the net chainrule trains", () => {
    const model = mnistCnn();
    const shapes = [...model.init(1).values()].map((t) => t.shape);
    const weights = shapes.filter((s) => s.length === 4);
    expect(weights).toEqual(CONV_SHAPES.map((s) => [s.o, s.c, s.k, s.k]));
    expect(shapes.filter((s) => s.length === 2)).toEqual(CNN.dense.slice(1).map((out, i) => [CNN.dense[i], out]));
    // Each conv's input is the one before it after its 2×2 max-pool; the last one's, flattened, is the first dense width.
    for (let i = 1; i < CONV_SHAPES.length; i++) {
      const [prev, s] = [CONV_SHAPES[i - 1]!, CONV_SHAPES[i]!];
      expect([s.n, s.c, s.h, s.w]).toEqual([prev.n, prev.o, convOut(prev)[0] / 2, convOut(prev)[1] / 2]);
    }
    const last = CONV_SHAPES[CONV_SHAPES.length - 1]!;
    expect(last.o * (convOut(last)[0] / 2) * (convOut(last)[1] / 2)).toBe(CNN.dense[0]);
    expect(CONV_SHAPES.every((s) => s.n === CNN.batch)).toBe(true);
    expect(model.apply(model.init(1), zeros([3, 784])).shape).toEqual([3, 10]);
  });

  it("counts FLOP as 2·N·O·(C/g)·kh·kw·outH·outW per pass, and an epoch's from them", () => {
    const [c1, c2] = CONV_SHAPES as [typeof CONV_SHAPES[0], typeof CONV_SHAPES[0]];
    expect(convFlop(c1)).toBe(2 * 64 * 16 * 1 * 5 * 5 * 24 * 24);
    expect(convFlop(c2)).toBe(2 * 64 * 32 * 16 * 5 * 5 * 8 * 8);
    // conv1 forward + dw, conv2 forward + dx + dw per batch; dense 512→128→10 forward, dW, dX per sample.
    const perSample = (2 * convFlop(c1) + 3 * convFlop(c2)) / 64 + 3 * 2 * (512 * 128 + 128 * 10);
    expect(CNN_EPOCH_FLOP).toBeCloseTo(perSample * 60_000, 0);
    expect(new Set(allConvKeys).size).toBe(allConvKeys.length);
  });
});

describe('CNN tables', () => {
  const rows: BenchRow[] = [
    row('chainrule native-avx512', 1, 0.45),
    cnnRow('chainrule native-avx512', 1, 12, { gflops: { 'conv1 forward': 60, 'conv2 dw': 90 } }),
    cnnRow('chainrule native-avx512 fit', 1, 15),
    cnnRow('chainrule wasm-relaxed-simd', 1, 60, { gflops: { 'conv1 forward': 6 } }),
    cnnRow('PyTorch 1.13.0a0 CPU', 1, 8, { gflops: { 'conv1 forward': 80, 'conv2 dw': 60 } }),
    row('PyTorch 1.13.0a0 CPU', 1, 0.5),
  ];

  it('the epoch table holds the CNN rows only, with their time ÷ PyTorch (1 thread) and effective GFLOP/s', () => {
    const t = formatCnnEpochTable(rows.filter((r) => r.workload === 'cnn'));
    const lines = t.split('\n');
    expect(lines[0]).toBe('| system | threads | seconds per epoch (projected) | samples/s | effective GFLOP/s | time ÷ PyTorch 1.13.0a0 CPU (1 thread) |');
    expect(lines).toHaveLength(2 + 4);
    expect(t).toContain(`| chainrule native-avx512 | 1 | 12.0 | 5,000 | ${(CNN_EPOCH_FLOP / 12 / 1e9).toFixed(1)} | 1.50× |`);
    expect(t).toContain('| chainrule wasm-relaxed-simd | 1 | 60.0 | 1,000 |');
    expect(t).toContain('| 7.50× |');
    expect(t).toContain('| PyTorch 1.13.0a0 CPU | 1 | 8.00 | 7,500 |');
    expect(t).not.toContain('0.450');
  });

  it('the conv table: one line per conv pass measured, a column per system, native ÷ PyTorch', () => {
    const t = formatConvTable(rows.filter((r) => r.workload === 'cnn'));
    const lines = t.split('\n');
    expect(lines[0]).toBe('| conv pass | shapes | MFLOP | chainrule native-avx512, 1T | chainrule wasm-relaxed-simd, 1T | PyTorch 1.13.0a0 CPU, 1T | ' +
      'chainrule native-avx512 ÷ PyTorch 1.13.0a0 CPU (1 thread) |');
    expect(t).toContain('| conv1 forward | x [64,1,28,28] · w [16,1,5,5] → [64,16,24,24] | 29.5 | 60.0 | 6.00 | 80.0 | 0.750× |');
    expect(t).toContain('| conv2 dw | x [64,16,12,12] · w [32,16,5,5] → [64,32,8,8] | 104.9 | 90.0 | – | 60.0 | 1.50× |');
    expect(t).toContain('| conv2 dx |'); // listed even where nobody measured it, so the table's shape does not change
    expect(formatConvTable([cnnRow('chainrule native-avx512', 1, 12, { gflops: { 'conv1 forward': 60 } })])).not.toContain('÷');
    expect(formatConvTable([cnnRow('x', 1, 1)])).toBe('');
  });

  it('the report keeps the MLP and CNN rows apart, and lists CNN rows that could not run', () => {
    const withMissing = [...rows, cnnRow('chainrule native', 1, null, { missing: 'the addon did not load' })];
    const md = formatTable(withMissing, { reference: pickReference(withMissing) });
    const mlp = md.slice(md.indexOf('### MNIST MLP epoch'), md.indexOf('### MNIST CNN epoch'));
    expect(mlp).toContain('| chainrule native-avx512 | 1 | 0.450 |');
    expect(mlp).not.toContain('| 12.0 |');
    expect(mlp).not.toContain('the addon did not load');
    const cnn = md.slice(md.indexOf('### MNIST CNN epoch'));
    expect(cnn).toContain('each row times 200 of the 938 batches of an epoch');
    expect(cnn).toContain('the last 200 batches (12,768 images, the 32-sample tail included); "fit" runs `fit` on the first 12,800 images');
    expect(cnn).toContain('### Conv GFLOP/s (float32)');
    expect(cnn).toContain('- chainrule native (1 thread): the addon did not load');
    expect(cnn).toContain('| chainrule native | 1 | not run | – | – | – |');
    // The MLP's ratio column is never taken against a CNN row, even when the MLP has no chainrule row.
    const onlyPeers = [rows[5]!, ...rows.slice(1, 5)];
    expect(pickReference(onlyPeers)).toBeUndefined();
  });

  it('rounds merge per workload: an MLP and a CNN row of the same system stay two rows', () => {
    const merged = bestOfRounds([
      [row('chainrule native-avx512', 1, 0.5), cnnRow('chainrule native-avx512', 1, 14, { gflops: { 'conv1 forward': 50 } })],
      [row('chainrule native-avx512', 1, 0.45), cnnRow('chainrule native-avx512', 1, 13, { gflops: { 'conv1 forward': 40 } })],
    ]);
    expect(merged.map((r) => [r.workload ?? 'mlp', r.secondsPerEpoch])).toEqual([['mlp', 0.45], ['cnn', 13]]);
    expect(merged[1]!.gflops).toEqual({ 'conv1 forward': 50 });
  });

  it('--sources names a known source', async () => {
    await expect(main(['--sources', 'cnns', '--no-write'])).rejects.toThrow('unknown source cnns; one of chainrule, peers, cnn');
  });
});

const runner = fileURLToPath(new URL('../src/chainrule-cnn-run.ts', import.meta.url));
const runCnn = (env: Record<string, string>, args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@chainrule/source', '--import', import.meta.resolve('tsx'), runner, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe("the CNN rows' processes", () => {
  it("chainrule's runner times a few batches of the peers' loop and every conv pass on the native kernels", () => {
    const r = runCnn({ CHAINRULE_THREADS: '1' }, ['--kernels', 'native', '--batches', '2', '--round-seconds', '0.01']);
    expect(r.status, r.stderr).toBe(0);
    const got = toRow(parsePeerOutput(r.stdout));
    expect(got.workload).toBe('cnn');
    expect(got.system).toMatch(/^chainrule native-(avx512|avx2|portable)$/);
    expect(got.note).toContain("the peers' loop");
    expect(got.note).toContain('timed 2 of 938 batches (96 images)'); // the last two: 64 + the 32-sample tail
    expect(got.secondsPerEpoch).toBeGreaterThan(0);
    expect(Object.keys(got.gflops).sort()).toEqual([...allConvKeys].sort());
    for (const v of Object.values(got.gflops)) expect(v).toBeGreaterThan(0);
    // Random labels over 10 classes: the loss stays near ln 10.
    const loss = Number(/train loss ([\d.]+)/.exec(got.note!)![1]);
    expect(loss).toBeGreaterThan(1.8);
    expect(loss).toBeLessThan(2.8);
  }, 120_000);

  it('--loop fit trains on real MNIST on the WebAssembly kernels; bad flags are named', () => {
    const r = runCnn({ CHAINRULE_KERNELS: 'wasm', CHAINRULE_THREADS: '1' }, ['--loop', 'fit', '--batches', '2', '--no-conv']);
    expect(r.status, r.stderr).toBe(0);
    const got = toRow(parsePeerOutput(r.stdout));
    expect(got).toMatchObject({ workload: 'cnn', threads: 1, gflops: {} });
    expect(got.system).toMatch(/^chainrule wasm-(relaxed-)?simd fit$/);
    expect(got.note).toContain('fit on real MNIST');
    expect(got.note).toContain('timed 2 of 938 batches (128 images)');
    const bad = runCnn({}, ['--batches', '0', '--no-conv']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--batches must be a whole number ≥ 1, got 0');
  }, 120_000);

  const torchPy = findPythons().find((p) => p.torch !== null);
  it('peers/torch_cnn.py prints a CNN row with every conv pass, or says how to install torch', () => {
    const exe = (torchPy ?? findPythons()[0])!.exe;
    const r = spawnSync(exe, [fileURLToPath(new URL('../peers/torch_cnn.py', import.meta.url)), '--batches', '3', '--round-seconds', '0.01'], { encoding: 'utf8' });
    if (!torchPy) {
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr).toContain('torch is not importable');
      return;
    }
    expect(r.status, r.stderr).toBe(0);
    const got = toRow(parsePeerOutput(r.stdout));
    expect(got.workload).toBe('cnn');
    expect(got.system).toMatch(/^PyTorch /);
    expect(got.threads).toBe(1);
    expect(got.note).toContain('torch.get_num_threads() = 1');
    expect(got.note).toContain('timed 3 of 938 batches (160 images)');
    expect(got.note).toContain('glibc malloc keeps freed memory'); // the script re-executed itself with the setting
    expect(Object.keys(got.gflops).sort()).toEqual([...allConvKeys].sort());
    for (const v of Object.values(got.gflops)) expect(v).toBeGreaterThan(0);
  }, 120_000);
});
