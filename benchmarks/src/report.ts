/**
 * Markdown tables for benchmark rows, the machine header, and an atomic writer for RESULTS.md.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { MATMUL_SHAPES, MLP_EPOCH_FLOP } from './shapes.ts';
import { fmt, mdTable, num, esc } from './markdown.ts';
import { formatCnnSection } from './cnn-report.ts';
import { isCnnRow, isMlpRow, rowLabel, type BenchRow } from './rows.ts';

export interface TableOptions {
  /**
   * The row the epoch ratios are taken against (e.g. chainrule's). The column shows
   * row seconds ÷ reference seconds: 7.2 means the row takes 7.2× as long as the reference.
   */
  reference?: (r: BenchRow) => boolean;
  /** The machine's peak per core (src/peak.ts): the matmul tables then show each figure's fraction of it. */
  peak?: { readonly perCore32: number; readonly perCore64: number; readonly note: string } | null;
}

/** float64 matmul keys start with this (dgemm); the others are float32. */
export const F64 = 'f64 ';

/**
 * The rows the epoch ratios are also taken against, for issue 16's targets: PyTorch on one thread and the fastest
 * NumPy MLP. A peer that could not run still gets its column (all –), so the table shows what is missing.
 */
function peerReferences(rows: readonly BenchRow[]): BenchRow[] {
  const fastest = (pred: (r: BenchRow) => boolean) => {
    const all = rows.filter(pred);
    return all.filter((r) => r.secondsPerEpoch !== null).sort((a, b) => a.secondsPerEpoch! - b.secondsPerEpoch!)[0] ?? all[0];
  };
  return [fastest(isTorch1), fastest(isNumpy)].filter((r): r is BenchRow => r !== undefined);
}
const isTorch1 = (r: BenchRow): boolean => r.system.startsWith('PyTorch') && r.threads === 1;
const isTorch2 = (r: BenchRow): boolean => r.system.startsWith('PyTorch') && r.threads === 2;
const isNumpy = (r: BenchRow): boolean => r.system.startsWith('NumPy');
const isNative = (r: BenchRow): boolean => r.system.startsWith('chainrule native');

/**
 * The epoch table: system, threads, seconds per epoch, samples/s, effective GFLOP/s, and the time ratios to the
 * reference row, to PyTorch (1 thread) and to the fastest NumPy MLP. Rows of systems that could not run are
 * listed as "not run" (the reasons go under the table, see formatTable).
 */
export function formatEpochTable(rows: readonly BenchRow[], opts: TableOptions = {}): string {
  const shown = rows.filter((r) => r.secondsPerEpoch !== null || r.missing);
  const withEpoch = shown.filter((r) => r.secondsPerEpoch !== null);
  if (withEpoch.length === 0) return '';
  const ref = opts.reference ? withEpoch.find(opts.reference) : undefined;
  const refs = [...(ref ? [ref] : []), ...peerReferences(rows).filter((r) => r !== ref)];
  const header = ['system', 'threads', 'seconds per epoch', 'samples/s', 'effective GFLOP/s', ...refs.map((r) => `time ÷ ${rowLabel(r)}`)];
  const align: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r', ...refs.map(() => 'r' as const)];
  const ratio = (r: BenchRow, to: BenchRow): string =>
    r.secondsPerEpoch === null || to.secondsPerEpoch === null ? '–' : r === to ? '1' : `${num(r.secondsPerEpoch / to.secondsPerEpoch)}×`;
  const body = shown.map((r) => {
    const s = r.secondsPerEpoch;
    const cells = s === null ? ['not run', '–', '–'] : [num(s), num(r.samplesPerSec), fmt(MLP_EPOCH_FLOP / s / 1e9, 1)];
    return [r.system, String(r.threads), ...cells, ...refs.map((to) => ratio(r, to))];
  });
  return mdTable(header, align, body);
}

/** Lines naming the rows that could not run and why. */
export function missingLines(rows: readonly BenchRow[]): string[] {
  const missing = rows.filter((r) => r.secondsPerEpoch === null && r.missing);
  return missing.length ? ['Not run here:', '', ...missing.map((r) => `- ${rowLabel(r)}: ${r.missing}`), ''] : [];
}

/**
 * Issue 6's targets for the WebAssembly kernels, and issue 16's for the native ones, as measured in this run.
 */
export function targetLines(rows: readonly BenchRow[]): string[] {
  return [...wasmTargetLines(rows.filter((r) => !isNative(r))), ...nativeTargetLines(rows)];
}

/**
 * Issue 16's targets: each native row (the peers' loop and `fit`, one thread) ≤ 0.6× PyTorch on one thread and
 * ≤ 1.0× the NumPy MLP. A peer that could not run is named, with why.
 */
export function nativeTargetLines(rows: readonly BenchRow[]): string[] {
  const timedNative = rows.filter((r) => isNative(r) && r.secondsPerEpoch !== null);
  const native = timedNative.filter((r) => r.threads === 1);
  const nativeMissing = rows.find((r) => isNative(r) && r.missing);
  if (native.length === 0) return nativeMissing ? [`Native targets: not measured, the native kernels did not run (${nativeMissing.missing})`, ''] : [];
  const [torch, numpy] = [rows.filter(isTorch1), rows.filter(isNumpy)].map((rs) =>
    rs.filter((r) => r.secondsPerEpoch !== null).sort((a, b) => a.secondsPerEpoch! - b.secondsPerEpoch!)[0] ?? rs[0]);
  const against = (r: BenchRow, peer: BenchRow | undefined, name: string, goal: string): string =>
    !peer ? `${name} not in this run (goal ${goal})`
      : peer.secondsPerEpoch === null ? `${rowLabel(peer)} not run, so no ratio (goal ${goal})`
        : `${num(r.secondsPerEpoch! / peer.secondsPerEpoch)}× the time of ${rowLabel(peer)} (goal ${goal})`;
  const lines = ['Native targets (issue 16, one thread):', ''];
  for (const r of native) {
    lines.push(`- ${rowLabel(r)}, ${num(r.secondsPerEpoch)} s per epoch: ${against(r, torch, 'PyTorch (1 thread)', '≤ 0.6×')}; ${against(r, numpy, 'NumPy MLP', '≤ 1.0×')}`);
  }
  // Two threads are a report, not a target: the second core is often busy on the machines this runs on.
  const torch2 = rows.find((r) => isTorch2(r) && r.secondsPerEpoch !== null);
  for (const r of timedNative.filter((r) => r.threads === 2)) {
    lines.push(`- ${rowLabel(r)}, ${num(r.secondsPerEpoch)} s per epoch: ` +
      (torch2 ? `${num(r.secondsPerEpoch! / torch2.secondsPerEpoch!)}× the time of ${rowLabel(torch2)} (a report, no goal)` : 'PyTorch (2 threads) not in this run'));
  }
  return [...lines, ''];
}

/**
 * Issue 6's targets, as measured in this run. The target row is chainrule's fastest row doing the peers'
 * work (their loop on their random data); `fit` rows (real shuffled MNIST, gradient monitor) get a line too.
 */
function wasmTargetLines(rows: readonly BenchRow[]): string[] {
  const timed = rows.filter((r) => r.secondsPerEpoch !== null);
  const best = (pred: (r: BenchRow) => boolean) =>
    timed.filter(pred).sort((a, b) => a.secondsPerEpoch! - b.secondsPerEpoch!)[0];
  const isOurs = (r: BenchRow) => r.system.startsWith('chainrule') && !r.system.includes('reference');
  const fitRow = best((r) => isOurs(r) && isFitRow(r));
  const ours = best((r) => isOurs(r) && !isFitRow(r)) ?? fitRow;
  if (!ours) return [];
  const tfjs = best((r) => r.system.startsWith('TensorFlow.js') && r.system.endsWith('wasm'));
  const torch = [1, 2].map((t) => best((r) => r.system.startsWith('PyTorch') && r.threads === t));
  const lines = [`Targets (chainrule's fastest row doing the peers' work, ${rowLabel(ours)}: ${num(ours.secondsPerEpoch)} s per epoch; goal ≤ 1.0 s):`, ''];
  if (tfjs) lines.push(`- ${num(tfjs.secondsPerEpoch! / ours.secondsPerEpoch!)}× faster than ${rowLabel(tfjs)} (goal ≥ 7×)`);
  for (const t of torch) if (t) lines.push(`- ${num(ours.secondsPerEpoch! / t.secondsPerEpoch!)}× the time of ${rowLabel(t)} (goal ≤ 2×)`);
  if (fitRow && fitRow !== ours) {
    const vs = [
      tfjs ? `${num(tfjs.secondsPerEpoch! / fitRow.secondsPerEpoch!)}× faster than TensorFlow.js wasm` : '',
      torch[0] ? `${num(fitRow.secondsPerEpoch! / torch[0].secondsPerEpoch!)}× the time of PyTorch (1 thread)` : '',
    ].filter(Boolean);
    lines.push(`- \`fit\` on the real, shuffled MNIST with the gradient monitor (${rowLabel(fitRow)}): ${num(fitRow.secondsPerEpoch)} s per epoch${vs.length ? `, ${vs.join(', ')}` : ''}`);
  }
  return [...lines, ''];
}

/** chainrule rows that time `fit` on real MNIST rather than the peers' loop. */
const isFitRow = (r: BenchRow): boolean => r.system.endsWith(' fit');

/**
 * The kernel table: one line per matmul shape, one column per row (system and threads) that has GFLOP/s.
 * `prefix` picks the dtype ('' float32, F64 float64); with `peakPerCore` each figure also shows its fraction of
 * the peak of the row's cores.
 */
export function formatGflopsTable(rows: readonly BenchRow[], prefix = '', peakPerCore?: number): string {
  const mine = (k: string): boolean => (prefix === '' ? !k.startsWith(F64) : k.startsWith(prefix));
  const cols = rows.filter((r) => Object.keys(r.gflops).some(mine));
  if (cols.length === 0) return '';
  const known = MATMUL_SHAPES.map((s) => prefix + s.key);
  const extra = [...new Set(cols.flatMap((r) => Object.keys(r.gflops)))].filter((k) => mine(k) && !known.includes(k));
  const keys = [...known, ...extra].filter((k) => cols.some((r) => r.gflops[k] !== undefined));
  const header = ['matmul (m×k×n)', ...cols.map((r) => `${r.system}, ${r.threads}T`)];
  const align: ('l' | 'r')[] = ['l', ...cols.map(() => 'r' as const)];
  const cell = (r: BenchRow, k: string): string => {
    const v = r.gflops[k];
    if (v === undefined || !peakPerCore) return num(v);
    return `${num(v)} (${Math.round((100 * v) / (peakPerCore * r.threads))}%)`;
  };
  const body = keys.map((k) => [k.slice(prefix.length), ...cols.map((r) => cell(r, k))]);
  return mdTable(header, align, body);
}

/**
 * The per-op overhead table: each chainrule row's cost of recording and dispatching one op on tiny tensors, and
 * per recorded op of a small forward-and-grad (issue 16's goal: ≤ 1 µs).
 */
export function formatOverheadTable(rows: readonly BenchRow[]): string {
  const measured = rows.filter((r) => r.opMicros);
  if (measured.length === 0) return '';
  const us = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
  return mdTable(['system', 'threads', 'µs per op (record + dispatch)', 'µs per recorded op, forward and grad'], ['l', 'r', 'r', 'r'],
    measured.map((r) => [r.system, String(r.threads), us(r.opMicros!.forward), us(r.opMicros!.backward)]));
}

/**
 * Issue 16's matmul target: the native row's GFLOP/s ÷ PyTorch's (1 thread; goal ≥ 0.9×) and ÷ NumPy's, as the
 * lowest and highest ratio over the shapes both measured, for the dtype `prefix` picks ('' float32, F64 float64).
 */
export function nativeGflopsLines(rows: readonly BenchRow[], prefix = ''): string[] {
  const mine = (k: string): boolean => (prefix === '' ? !k.startsWith(F64) : k.startsWith(prefix));
  const has = (r: BenchRow): boolean => Object.keys(r.gflops).some(mine);
  const native = rows.find((r) => isNative(r) && has(r));
  if (!native) return [];
  const line = (peer: BenchRow | undefined, name: string, goal: string): string => {
    if (!peer) return `- ${name}: not in this run${goal}`;
    if (peer.missing) return `- ${rowLabel(peer)}: not run, so no ratio${goal}`;
    const ratios = Object.keys(native.gflops).filter((k) => mine(k) && peer.gflops[k]).map((k) => native.gflops[k]! / peer.gflops[k]!);
    if (ratios.length === 0) return `- ${rowLabel(peer)}: no matmul shapes in common${goal}`;
    return `- ÷ ${rowLabel(peer)}: ${num(Math.min(...ratios))}× to ${num(Math.max(...ratios))}× over ${ratios.length} shape${ratios.length === 1 ? '' : 's'}${goal}`;
  };
  const best = (r: BenchRow): number => Math.max(...Object.entries(r.gflops).filter(([k]) => mine(k)).map(([, v]) => v));
  const torch = rows.find((r) => isTorch1(r) && (has(r) || r.missing));
  const numpy = rows.filter((r) => isNumpy(r) && has(r)).sort((a, b) => best(b) - best(a))[0] ?? rows.find((r) => isNumpy(r) && r.missing);
  const what = prefix === '' ? 'matmul' : 'float64 matmul';
  return [`Native ${what} GFLOP/s (${rowLabel(native)}):`, '', line(torch, 'PyTorch (1 thread)', ' (goal ≥ 0.9×)'), line(numpy, 'NumPy', ''), ''];
}

/**
 * The report's tables as Markdown, with each row's measurement note underneath: MNIST MLP epoch (seconds,
 * samples/s, ratios), matmul GFLOP/s per shape, per-op overhead, then the MNIST CNN's epoch and conv GFLOP/s
 * tables (cnn-report.ts) from the rows whose workload is 'cnn'.
 */
export function formatTable(allRows: readonly BenchRow[], opts: TableOptions = {}): string {
  const parts: string[] = [];
  const rows = allRows.filter(isMlpRow);
  const epoch = formatEpochTable(rows, opts);
  if (epoch) {
    parts.push(
      '### MNIST MLP epoch',
      '',
      '784-128-64-32-10 ReLU, softmax cross-entropy, SGD lr 0.01, batch 64, float32, 60 000 samples ' +
        `(${(MLP_EPOCH_FLOP / 1e9).toFixed(1)} GFLOP of matmuls). The peers train on random data of MNIST's shape, ` +
        'batches read in order from a pool of 6 400 samples. chainrule rows ending in "fit" run `fit` on the real, ' +
        'shuffled MNIST training set with the gradient monitor on, as a user does; the other chainrule rows run the ' +
        "peers' loop on the same random data (see how each row was measured, below). Every system trains a first epoch and " +
        "five more, and its row gives the median of those five; each row's note lists them and the first.",
      '',
      epoch,
      '',
      ...missingLines(rows),
      ...targetLines(rows),
    );
  }
  const peak = opts.peak ?? undefined;
  const peakLines = peak ? [`Each figure is followed by its fraction of the peak of the row's cores: ${peak.note}.`, ''] : [];
  const gf = formatGflopsTable(rows, '', peak?.perCore32);
  if (gf) {
    parts.push(
      '### Matmul GFLOP/s (float32)',
      '',
      "m×k×n: the product is m×n with inner size k. Aᵀ·B is the weight gradient Xᵀ·dY, A·Bᵀ the input gradient dY·Wᵀ.",
      '',
      ...peakLines,
      gf,
      '',
      ...nativeGflopsLines(rows),
    );
  }
  const gf64 = formatGflopsTable(rows, F64, peak?.perCore64);
  if (gf64) {
    parts.push('### Matmul GFLOP/s (float64)', '', 'The same shapes in float64 (dgemm), for the systems that run it natively.', '', gf64, '', ...nativeGflopsLines(rows, F64));
  }
  const overhead = formatOverheadTable(rows);
  if (overhead) {
    parts.push('### Per-op overhead', '', 'What an op costs besides its arithmetic, on tiny tensors ([2,3]; goal ≤ 1 µs): checks, broadcasting, recording the graph node and dispatching to the kernel set.', '', overhead, '');
  }
  parts.push(...formatCnnSection(allRows.filter(isCnnRow), peak));
  const noted = allRows.filter((r) => r.note);
  if (noted.length) {
    const label = (r: BenchRow): string => `${isCnnRow(r) ? 'CNN: ' : ''}${rowLabel(r)}`;
    parts.push('### How each row was measured', '', ...noted.map((r) => `- **${esc(label(r))}**: ${r.note}`), '');
  }
  return parts.join('\n');
}

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  node: string;
  os: string;
  memoryGiB: number;
  /** 1-minute load average when measured: other work on the machine makes the numbers noisy. */
  load1: number;
}

export function machineInfo(now = new Date()): MachineInfo {
  const cpus = os.cpus();
  return {
    date: now.toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    load1: os.loadavg()[0]!,
  };
}

/** Date, machine, Node version and load; `before` is the machine info taken when the run started. */
export function machineHeader(m: MachineInfo = machineInfo(), before?: MachineInfo): string {
  const load = before ? `${before.load1.toFixed(2)} at the start, ${m.load1.toFixed(2)} at the end` : m.load1.toFixed(2);
  return [
    `- date: ${m.date}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`,
    `- Node ${m.node}`,
    `- 1-minute load average: ${load}`,
  ].join('\n');
}

/** A warning when other work was running (load above 0.5): the numbers are noisy, multi-thread ones most. */
export function loadWarning(m: MachineInfo, before?: MachineInfo): string | null {
  const load = Math.max(m.load1, before?.load1 ?? 0);
  if (load <= 0.5) return null;
  return `Other processes were using the CPU (1-minute load up to ${load.toFixed(2)} on ${m.cores} cores): the numbers are noisy, and 2-thread runs suffer most (a thread that waits for a busy core stalls every step).`;
}

/** Writes a file atomically: a temporary file in the same folder, then rename over the target. */
export function writeResults(path: string, markdown: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, markdown.endsWith('\n') ? markdown : markdown + '\n', 'utf8');
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
