/**
 * The MNIST CNN's tables (issue 19): the epoch table (projected seconds per epoch, time ÷ PyTorch on one thread)
 * and the conv GFLOP/s table (each conv's forward, input and weight gradient; chainrule native ÷ PyTorch).
 * Takes CNN rows only (BenchRow.workload 'cnn'); report.ts's formatTable calls it.
 */
import { CNN, CNN_EPOCH_FLOP, CONV_PASSES, CONV_SHAPES, convFlop, convKey, describeConv } from './cnn-shapes.ts';
import { fmt, mdTable, num } from './markdown.ts';
import { rowLabel, type BenchRow } from './rows.ts';

const isTorch1 = (r: BenchRow): boolean => r.system.startsWith('PyTorch') && r.threads === 1;
const isNative = (r: BenchRow): boolean => r.system.startsWith('chainrule native');

/** PyTorch on one thread: the fastest such row, else one that could not run (so its column shows –), else none. */
function torchReference(rows: readonly BenchRow[]): BenchRow | undefined {
  const all = rows.filter(isTorch1);
  return all.filter((r) => r.secondsPerEpoch !== null).sort((a, b) => a.secondsPerEpoch! - b.secondsPerEpoch!)[0] ?? all[0];
}

/**
 * system, threads, seconds per epoch (projected from the timed batches), samples/s, effective GFLOP/s (of
 * CNN_EPOCH_FLOP) and time ÷ PyTorch (1 thread); rows that could not run are listed as "not run".
 */
export function formatCnnEpochTable(rows: readonly BenchRow[]): string {
  const shown = rows.filter((r) => r.secondsPerEpoch !== null || r.missing);
  if (!shown.some((r) => r.secondsPerEpoch !== null)) return '';
  const torch = torchReference(rows);
  const header = ['system', 'threads', 'seconds per epoch (projected)', 'samples/s', 'effective GFLOP/s', ...(torch ? [`time ÷ ${rowLabel(torch)}`] : [])];
  const align: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r', ...(torch ? ['r' as const] : [])];
  const ratio = (r: BenchRow, to: BenchRow): string =>
    r.secondsPerEpoch === null || to.secondsPerEpoch === null ? '–' : r === to ? '1' : `${num(r.secondsPerEpoch / to.secondsPerEpoch)}×`;
  const body = shown.map((r) => {
    const s = r.secondsPerEpoch;
    const cells = s === null ? ['not run', '–', '–'] : [num(s), num(r.samplesPerSec), fmt(CNN_EPOCH_FLOP / s / 1e9, 1)];
    return [r.system, String(r.threads), ...cells, ...(torch ? [ratio(r, torch)] : [])];
  });
  return mdTable(header, align, body);
}

/**
 * One line per conv and pass (conv1 forward, dx, dw, conv2 …) with its shapes and MFLOP, one column per row that
 * timed convolutions (with its fraction of the peak of its cores, given `peakPerCore`), and the first native row's
 * GFLOP/s ÷ PyTorch's (1 thread) when both are there.
 */
export function formatConvTable(rows: readonly BenchRow[], peakPerCore?: number): string {
  const keys = CONV_SHAPES.flatMap((s) => CONV_PASSES.map((p) => ({ s, p, key: convKey(s, p.key) })));
  const cols = rows.filter((r) => keys.some(({ key }) => r.gflops[key] !== undefined));
  if (cols.length === 0) return '';
  const native = cols.find(isNative);
  const torch = cols.find(isTorch1);
  const compare = native && torch;
  const header = ['conv pass', 'shapes', 'MFLOP', ...cols.map((r) => `${r.system}, ${r.threads}T`), ...(compare ? [`${native.system} ÷ ${rowLabel(torch)}`] : [])];
  const align: ('l' | 'r')[] = ['l', 'l', 'r', ...cols.map(() => 'r' as const), ...(compare ? ['r' as const] : [])];
  const cell = (r: BenchRow, k: string): string => {
    const v = r.gflops[k];
    if (v === undefined || !peakPerCore) return num(v);
    return `${num(v)} (${Math.round((100 * v) / (peakPerCore * r.threads))}%)`;
  };
  const body = keys.map(({ s, key }) => [
    key, describeConv(s), fmt(convFlop(s) / 1e6, 1), ...cols.map((r) => cell(r, key)),
    ...(compare ? [native.gflops[key] && torch.gflops[key] ? `${num(native.gflops[key]! / torch.gflops[key]!)}×` : '–'] : []),
  ]);
  return mdTable(header, align, body);
}

/** The CNN's section of the report: both tables, what they time, and which rows could not run and why. */
export function formatCnnSection(rows: readonly BenchRow[], peak?: { readonly perCore32: number; readonly note: string } | null): string[] {
  const parts: string[] = [];
  const epoch = formatCnnEpochTable(rows);
  const perEpoch = Math.ceil(CNN.samples / CNN.batch);
  const images = CNN.samples - (perEpoch - CNN.timedBatches) * CNN.batch;
  if (epoch) {
    parts.push(
      '### MNIST CNN epoch',
      '',
      `${CNN.net}; softmax cross-entropy, SGD lr ${CNN.lr}, batch ${CNN.batch}, float32 (${(CNN_EPOCH_FLOP / 1e9).toFixed(0)} GFLOP of convolutions and ` +
        `matmuls per epoch of 60 000 samples). A CNN epoch takes seconds to minutes, so each row times ${CNN.timedBatches} of the ${perEpoch} ` +
        "batches of an epoch, after a warm-up, six times, and projects the median of passes 2–6 to 60 000 samples (a row's note says when it " +
        'timed another number, and lists the passes). ' +
        `The rows without "fit" run the peers' loop on random data of MNIST's shape (a pool of 6 400 samples, batches in order), the last ` +
        `${CNN.timedBatches} batches (${images.toLocaleString('en-US')} images, the 32-sample tail included); "fit" runs \`fit\` on the first ` +
        `${(CNN.timedBatches * CNN.batch).toLocaleString('en-US')} images of the real MNIST training set, shuffled, with the gradient monitor on.`,
      '',
      epoch,
      '',
    );
    const missing = rows.filter((r) => r.secondsPerEpoch === null && r.missing);
    if (missing.length) parts.push('Not run here (CNN):', '', ...missing.map((r) => `- ${rowLabel(r)}: ${r.missing}`), '');
  }
  const conv = formatConvTable(rows, peak?.perCore32);
  if (conv) {
    parts.push(
      '### Conv GFLOP/s (float32)',
      '',
      "The net's two convolutions at batch 64, alone: forward, input gradient (dx) and weight gradient (dw), each " +
        '2·n·out·in·kh·kw·outH·outW FLOP. chainrule times `conv2d` and `grad` of it with a random cotangent for one input; PyTorch ' +
        '`F.conv2d` and `torch.autograd.grad` of it. Conv1\'s dx is not needed in training. After a warm-up, the best of up to 3 rounds of ~0.2 s. The last column is ' +
        'chainrule native\'s GFLOP/s ÷ PyTorch\'s (above 1: chainrule is faster).',
      '',
      ...(peak ? [`Each figure is followed by its fraction of the peak of the row's cores (${peak.perCore32.toFixed(0)} GFLOP/s float32 per core).`, ''] : []),
      conv,
      '',
    );
  }
  return parts;
}
