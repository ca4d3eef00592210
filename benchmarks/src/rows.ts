/**
 * One row of the benchmark: a system (chainrule or a peer) at a thread count, with its MNIST epoch time
 * and its matmul GFLOP/s per shape key (see shapes.ts; float64 keys start with 'f64 '). Every source of rows returns these.
 */
export interface BenchRow {
  /** e.g. 'TensorFlow.js 4.22.0 wasm', 'PyTorch 1.13.0a0 CPU', 'chainrule fast'. */
  readonly system: string;
  readonly threads: number;
  /** Seconds for one epoch of 60 000 samples; null when the row has kernel numbers only. */
  readonly secondsPerEpoch: number | null;
  /** 60 000 / secondsPerEpoch; null with it. */
  readonly samplesPerSec: number | null;
  /** GFLOP/s per shape key ('A·B 64×784×128', …); may be empty. */
  readonly gflops: Readonly<Record<string, number>>;
  /** How it was measured (library versions, BLAS, scaling of a partial epoch, …). */
  readonly note?: string;
  /** Why the row has no numbers: the system could not run here (not installed, its addon did not load). */
  readonly missing?: string;
  /**
   * chainrule's cost per op on tiny tensors, in µs: `forward` records and dispatches one op (add, mul or relu
   * on [2,3]); `backward` is a small graph's forward and grad divided by the ops it records.
   */
  readonly opMicros?: { readonly forward: number; readonly backward: number };
  /**
   * What the epoch trains: absent for the MNIST MLP, 'cnn' for the MNIST CNN of peers/cnn.json (its gflops are
   * then keyed by conv pass, 'conv2 dw', …). Rows of the two never share a table.
   */
  readonly workload?: 'cnn';
}

/** What a source of rows hands back: its rows, and remarks for the reader (peers missing, how to install). */
export interface SourceResult {
  readonly rows: readonly BenchRow[];
  readonly notes: readonly string[];
}

/** Rows of the MNIST MLP's tables. */
export const isMlpRow = (r: BenchRow): boolean => r.workload === undefined;
/** Rows of the MNIST CNN's tables. */
export const isCnnRow = (r: BenchRow): boolean => r.workload === 'cnn';

export const rowLabel = (r: BenchRow): string => `${r.system} (${r.threads} thread${r.threads === 1 ? '' : 's'})`;
