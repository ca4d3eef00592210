import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePeerOutput, toRow } from '../src/peers.ts';
import { F64, formatEpochTable, formatGflopsTable, formatOverheadTable, formatTable, machineHeader, machineInfo, nativeGflopsLines, nativeTargetLines, writeResults } from '../src/report.ts';
import { bestOfRounds, pickReference } from '../src/bench.ts';
import type { BenchRow } from '../src/rows.ts';
import { MATMUL_SHAPES, MLP_EPOCH_FLOP, matmulFlop } from '../src/shapes.ts';

const row = (system: string, threads: number, s: number | null, gflops: Record<string, number> = {}): BenchRow => ({
  system,
  threads,
  secondsPerEpoch: s,
  samplesPerSec: s === null ? null : 60_000 / s,
  gflops,
});

describe('shapes', () => {
  it('an MLP epoch is 27.9 GFLOP of matmuls, as issue 6 says', () => {
    expect(MLP_EPOCH_FLOP / 1e9).toBeCloseTo(27.886, 2);
  });
  it('lists the MLP shapes and their transposed forms, with unique keys', () => {
    const keys = MATMUL_SHAPES.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of ['A·B 64×784×128', 'Aᵀ·B 784×64×128', 'A·Bᵀ 64×64×128', 'A·B 256×784×128', 'A·B 1024×1024×1024']) {
      expect(keys).toContain(k);
    }
    for (const s of MATMUL_SHAPES) expect(s.key.endsWith(`${s.m}×${s.k}×${s.n}`)).toBe(true);
    expect(matmulFlop(MATMUL_SHAPES.find((s) => s.key === 'A·B 1024×1024×1024')!)).toBe(2 * 1024 ** 3);
  });
});

describe('peer output', () => {
  it('takes the last stdout line as JSON and skips banners', () => {
    const out = 'Hi there, install tfjs-node\n\n{"system":"X","threads":1,"seconds_per_epoch":2,"gflops":{"a":1},"note":"n"}\n';
    const r = toRow(parsePeerOutput(out));
    expect(r).toEqual({ system: 'X', threads: 1, secondsPerEpoch: 2, samplesPerSec: 30_000, gflops: { a: 1 }, note: 'n' });
  });
  it('says what is wrong with bad output', () => {
    expect(() => parsePeerOutput('')).toThrow(/nothing/);
    expect(() => parsePeerOutput('oops')).toThrow(/not JSON/);
    expect(() => parsePeerOutput('{"threads":1}')).toThrow(/system/);
  });
  it('a missing or non-finite epoch becomes null', () => {
    expect(toRow({ system: 'k', threads: 2, seconds_per_epoch: null }).samplesPerSec).toBeNull();
    expect(toRow({ system: 'k', threads: 2, seconds_per_epoch: Number.NaN }).secondsPerEpoch).toBeNull();
  });
});

describe('tables', () => {
  const rows = [
    row('chainrule fast', 1, 1, { 'A·B 64×784×128': 45, 'extra 3×3×3': 1 }),
    row('TensorFlow.js 4.22.0 wasm', 1, 7.2, { 'A·B 64×784×128': 33.3, 'A·B 1024×1024×1024': 35 }),
    row('chainrule reference kernels', 1, null, { 'A·B 64×784×128': 4.6 }),
    { ...row('Peer | with pipe', 2, 0.5), note: 'scaled' },
  ];
  it('epoch table: rows with an epoch, ratios against the reference', () => {
    const t = formatEpochTable(rows, { reference: pickReference(rows) });
    const lines = t.split('\n');
    expect(lines[0]).toContain('time ÷ chainrule fast (1 thread)');
    expect(lines).toHaveLength(2 + 3); // header, separator, 3 rows with an epoch
    expect(t).toContain('| TensorFlow.js 4.22.0 wasm | 1 | 7.20 | 8,333 | 3.9 | 7.20× |');
    expect(t).toContain('Peer \\| with pipe');
    expect(t).toContain('0.500×');
  });
  it('gflops table: one line per shape, one column per row with numbers, – when missing', () => {
    const t = formatGflopsTable(rows);
    const lines = t.split('\n');
    expect(lines[0]).toBe('| matmul (m×k×n) | chainrule fast, 1T | TensorFlow.js 4.22.0 wasm, 1T | chainrule reference kernels, 1T |');
    expect(t).toContain('| A·B 64×784×128 | 45.0 | 33.3 | 4.60 |');
    expect(t).toContain('| A·B 1024×1024×1024 | – | 35.0 | – |');
    expect(t).toContain('| extra 3×3×3 | 1.00 | – | – |');
    expect(t).not.toContain('Aᵀ·B 784×64×128'); // nobody measured it
  });
  it('formatTable has both sections and the notes; empty input gives empty text', () => {
    const md = formatTable(rows);
    expect(md).toContain('### MNIST MLP epoch');
    expect(md).toContain('### Matmul GFLOP/s');
    expect(md).toContain('- **Peer \\| with pipe (2 threads)**: scaled');
    expect(formatTable([])).toBe('');
  });
  it("the ratio column is taken against chainrule's first row doing the peers' work", () => {
    const ours = [row('chainrule wasm-simd fit', 1, 1.2), row('chainrule reference', 1, 15), row('chainrule native-avx2', 1, 0.3), row('chainrule wasm-simd', 1, 0.9)];
    // The WebAssembly row (what browsers get), even after a native one.
    expect(ours.find(pickReference(ours)!)!.system).toBe('chainrule wasm-simd');
    expect(ours.slice(0, 2).find(pickReference(ours.slice(0, 2))!)!.system).toBe('chainrule wasm-simd fit');
  });
  it('merges rounds: each system keeps its fastest epoch and its best GFLOP/s per shape, in first-seen order', () => {
    const merged = bestOfRounds([
      [row('chainrule x', 1, 1.2, { a: 40, b: 30 }), row('PyTorch', 1, 0.5), row('PyTorch', 2, null, { a: 90 })],
      [row('chainrule x', 1, 1.0, { a: 35 }), row('PyTorch', 1, 0.7), row('PyTorch', 2, 0.4, { a: 80 }), row('NumPy', 1, 0.6)],
    ]);
    expect(merged.map((r) => [r.system, r.threads, r.secondsPerEpoch])).toEqual([
      ['chainrule x', 1, 1.0], ['PyTorch', 1, 0.5], ['PyTorch', 2, 0.4], ['NumPy', 1, 0.6],
    ]);
    expect(merged[0]!.gflops).toEqual({ a: 40, b: 30 });
    expect(merged[2]!.gflops).toEqual({ a: 90 });
    expect(bestOfRounds([[row('only', 1, 2)]])).toEqual([row('only', 1, 2)]);
  });
  it("ratios against PyTorch (1 thread) and the fastest NumPy MLP; peers that could not run are listed with why", () => {
    const rs = [
      row('chainrule wasm-relaxed-simd', 1, 1.0), row('chainrule native-avx512 fit', 1, 0.3), row('chainrule native-avx512', 1, 0.25),
      { ...row('PyTorch', 1, null), missing: 'not importable (/usr/bin/python3)' }, row('NumPy 1.24 hand-written MLP', 1, 0.6),
      row('NumPy 2.4 hand-written MLP', 1, 0.5),
    ];
    const t = formatEpochTable(rs, { reference: pickReference(rs) });
    const lines = t.split('\n');
    expect(lines[0]).toBe('| system | threads | seconds per epoch | samples/s | effective GFLOP/s | time ÷ chainrule wasm-relaxed-simd (1 thread) | ' +
      'time ÷ PyTorch (1 thread) | time ÷ NumPy 2.4 hand-written MLP (1 thread) |');
    expect(t).toContain('| chainrule native-avx512 | 1 | 0.250 | 240,000 | 111.5 | 0.250× | – | 0.500× |');
    expect(t).toContain('| PyTorch | 1 | not run | – | – | – | – | – |');
    const md = formatTable(rs, { reference: pickReference(rs) });
    expect(md).toContain('- PyTorch (1 thread): not importable (/usr/bin/python3)');
    expect(md).toContain('- chainrule native-avx512 (1 thread), 0.250 s per epoch: PyTorch (1 thread) not run, so no ratio (goal ≤ 0.6×); ' +
      '0.500× the time of NumPy 2.4 hand-written MLP (1 thread) (goal ≤ 1.0×)');
    expect(md).toContain('- chainrule native-avx512 fit (1 thread), 0.300 s per epoch:');
    // Issue 6's lines stay about the WebAssembly rows.
    expect(md).toContain("fastest row doing the peers' work, chainrule wasm-relaxed-simd (1 thread): 1.00 s per epoch");
    const withTorch = nativeTargetLines([row('chainrule native-avx2', 1, 0.3), row('PyTorch 1.13 CPU', 1, 0.6), row('PyTorch 1.13 CPU', 2, 0.2)]).join('\n');
    expect(withTorch).toContain('0.500× the time of PyTorch 1.13 CPU (1 thread) (goal ≤ 0.6×); NumPy MLP not in this run (goal ≤ 1.0×)');
    // A native row on two threads is reported against PyTorch on two, with no goal, and not held to the 1-thread targets.
    const twoThreads = nativeTargetLines([row('chainrule native-avx2', 1, 0.3), row('chainrule native-avx2', 2, 0.25), row('PyTorch 1.13 CPU', 1, 0.6), row('PyTorch 1.13 CPU', 2, 0.5)]);
    expect(twoThreads).toContain('- chainrule native-avx2 (2 threads), 0.250 s per epoch: 0.500× the time of PyTorch 1.13 CPU (2 threads) (a report, no goal)');
    expect(twoThreads.filter((l) => l.includes('(2 threads)') && l.includes('goal ≤'))).toEqual([]);
    expect(nativeTargetLines([row('chainrule native-avx2', 1, 0.3), row('chainrule native-avx2', 2, 0.25)])).toContain(
      '- chainrule native-avx2 (2 threads), 0.250 s per epoch: PyTorch (2 threads) not in this run');
    const noNative = nativeTargetLines([{ ...row('chainrule native fit', 1, null), missing: 'the addon did not load' }, row('PyTorch', 1, 0.6)]);
    expect(noNative[0]).toBe('Native targets: not measured, the native kernels did not run (the addon did not load)');
  });
  it("the native matmul is compared with PyTorch's and NumPy's per shape, or says why not", () => {
    const native = row('chainrule native-avx512 fit', 1, 0.3, { a: 150, b: 100 });
    const lines = nativeGflopsLines([native, row('PyTorch 1.13 CPU', 1, 0.5, { a: 100, b: 125 }), row('NumPy 2.4 hand-written MLP', 1, 0.4, { a: 75 })]).join('\n');
    expect(lines).toContain('- ÷ PyTorch 1.13 CPU (1 thread): 0.800× to 1.50× over 2 shapes (goal ≥ 0.9×)');
    expect(lines).toContain('- ÷ NumPy 2.4 hand-written MLP (1 thread): 2.00× to 2.00× over 1 shape');
    const missing = nativeGflopsLines([native, { ...row('PyTorch', 1, null), missing: 'not importable' }]).join('\n');
    expect(missing).toContain('- PyTorch (1 thread): not run, so no ratio (goal ≥ 0.9×)');
    expect(missing).toContain('- NumPy: not in this run');
    expect(nativeGflopsLines([row('chainrule native fit', 1, null)])).toEqual([]);
  });
  it('float64 figures (keys prefixed f64) get their own table and ratios; the float32 table leaves them out', () => {
    const key = MATMUL_SHAPES[0]!.key;
    const native = row('chainrule native-avx512 fit', 1, 0.3, { [key]: 160, [F64 + key]: 80 });
    const numpy = row('NumPy 1.24 hand-written MLP', 1, 0.4, { [key]: 100, [F64 + key]: 50 });
    const f32 = formatGflopsTable([native, numpy]), f64 = formatGflopsTable([native, numpy], F64);
    expect(f32).toContain(`| ${key} | 160 | 100 |`);
    expect(f32).not.toContain('80');
    expect(f64).toContain(`| ${key} | 80.0 | 50.0 |`);
    expect(f64).not.toContain('160');
    expect(nativeGflopsLines([native, numpy], F64).join('\n')).toContain('Native float64 matmul GFLOP/s');
    expect(nativeGflopsLines([native, numpy], F64).join('\n')).toContain('1.60× to 1.60× over 1 shape');
    expect(formatGflopsTable([row('chainrule wasm fit', 1, 1, { [key]: 40 })], F64)).toBe('');
  });
  it("with a peak, each figure shows its fraction of the peak of the row's cores", () => {
    const key = MATMUL_SHAPES[0]!.key;
    const t = formatGflopsTable([row('one', 1, null, { [key]: 100 }), row('two', 2, null, { [key]: 100 })], '', 200);
    expect(t).toContain(`| ${key} | 100 (50%) | 100 (25%) |`);
    const md = formatTable([row('one', 1, null, { [key]: 100, [F64 + key]: 50 })], { peak: { perCore32: 200, perCore64: 100, note: 'assumed' } });
    expect(md).toContain('### Matmul GFLOP/s (float64)');
    expect(md).toContain(`| ${key} | 50.0 (50%) |`);
    expect(md).toContain('peak of the row\'s cores: assumed');
  });
  it('the per-op overhead table lists the rows that measured it, from the JSON field op_overhead_us', () => {
    const r = toRow(parsePeerOutput('{"system":"chainrule native-avx512","threads":1,"seconds_per_epoch":0.5,"op_overhead_us":{"forward":0.41,"backward":1.6}}'));
    expect(r.opMicros).toEqual({ forward: 0.41, backward: 1.6 });
    const t = formatOverheadTable([r, row('NumPy', 1, 0.4)]);
    expect(t).toContain('| chainrule native-avx512 | 1 | 0.41 | 1.60 |');
    expect(t).not.toContain('NumPy');
    expect(formatTable([r])).toContain('### Per-op overhead');
    expect(formatOverheadTable([row('NumPy', 1, 0.4)])).toBe('');
  });
  it('reference falls back to TensorFlow.js wasm without chainrule rows', () => {
    const peers = rows.slice(1);
    expect(peers.find(pickReference(peers)!)!.system).toBe('TensorFlow.js 4.22.0 wasm');
    expect(pickReference([row('x', 1, 1)])).toBeUndefined();
  });
});

describe('results file', () => {
  it('machine header names date, CPU, cores, Node', () => {
    const h = machineHeader(machineInfo(new Date('2026-01-02T03:04:05Z')));
    expect(h).toContain('2026-01-02T03:04:05.000Z');
    expect(h).toContain(`Node ${process.version}`);
    expect(h).toMatch(/\d+ cores/);
  });
  it('writeResults replaces the file and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const p = join(dir, 'RESULTS.md');
    writeResults(p, '# one');
    writeResults(p, '# two\n');
    expect(readFileSync(p, 'utf8')).toBe('# two\n');
    expect(readdirSync(dir)).toEqual(['RESULTS.md']);
  });
  it('writeResults into a missing folder throws and leaves nothing', () => {
    expect(() => writeResults(join(tmpdir(), 'no-such-dir-xyz', 'R.md'), 'x')).toThrow();
  });
});
