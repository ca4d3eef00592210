/**
 * TensorFlow.js 4.22 peer: matmul GFLOP/s and one MNIST-sized MLP epoch on the 'wasm' or 'cpu' backend.
 *
 *   npx tsx peers/tfjs.ts --backend wasm            # full epoch (938 batches)
 *   npx tsx peers/tfjs.ts --backend cpu             # 100 batches, scaled to 60 000 samples
 *   npx tsx peers/tfjs.ts --backend cpu --batches 200 --no-matmul
 *
 * Logs go to stderr; the last line on stdout is one JSON object, the same shape the Python peers print:
 *   { "system", "threads", "seconds_per_epoch", "gflops": { [shape key]: number }, "note", ... }
 *
 * The wasm backend loads its .wasm files from this package's node_modules (setWasmPaths with the
 * dist folder). Node has no wasm threads here, so the SIMD single-thread binary is used.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { registerTfjsGradients } from './tfjs-gradients.ts';
import { MATMUL_SHAPES, MLP, MLP_EPOCH_FLOP, matmulFlop, type MatmulShape } from '../src/shapes.ts';
import { epochsNote, median, TIMED_EPOCHS } from '../src/epoch-count.ts';

export type TfjsBackend = 'wasm' | 'cpu';

/** What a peer prints (snake_case, shared with peers/*.py). */
export interface PeerJson {
  system: string;
  threads: number;
  seconds_per_epoch: number | null;
  gflops: Record<string, number>;
  note?: string;
  batches_timed?: number;
  final_loss?: number;
}

const require = createRequire(import.meta.url);

/** Folder holding tfjs-backend-wasm's .wasm binaries, with a trailing separator. */
export function wasmDistDir(): string {
  const main = require.resolve('@tensorflow/tfjs-backend-wasm'); // .../dist/tf-backend-wasm.node.js
  return dirname(main) + '/';
}

const log = (...a: unknown[]): void => console.error('[tfjs]', ...a);

let wasmPathsSet = false;

/** Selects and initialises a backend; returns a description of it (e.g. which wasm binary). */
export async function initBackend(name: TfjsBackend): Promise<string> {
  registerTfjsGradients();
  if (name === 'wasm') {
    if (!wasmPathsSet) {
      // Node has no wasm threads (no Worker-backed pthreads for tfjs); force the single-thread build.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      tfwasm.setWasmPaths(wasmDistDir());
      wasmPathsSet = true;
    }
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `wasm backend (${simd ? 'tfjs-backend-wasm-simd.wasm, XNNPACK, SIMD' : 'tfjs-backend-wasm.wasm, no SIMD'}; 1 thread)`;
  }
  return 'cpu backend (plain JS)';
}

const now = (): number => performance.now() / 1000;

export interface MatmulOptions {
  /** Target seconds per timing round (default 0.2). */
  roundSeconds?: number;
  /** Rounds per shape after the warm-up call; the best counts (default 3; 1 above 0.3 s a call; 0 above 1 s). */
  rounds?: number;
  shapes?: readonly MatmulShape[];
}

/** GFLOP/s of tf.matMul (with transposeA/transposeB as the shape says) on the current backend. */
export function matmulGflops(opts: MatmulOptions = {}): Record<string, number> {
  const roundSeconds = opts.roundSeconds ?? 0.2;
  const out: Record<string, number> = {};
  for (const s of opts.shapes ?? MATMUL_SHAPES) {
    const a = tf.randomUniform(s.ta ? [s.k, s.m] : [s.m, s.k], -1, 1, 'float32');
    const b = tf.randomUniform(s.tb ? [s.n, s.k] : [s.k, s.n], -1, 1, 'float32');
    const call = (): tf.Tensor => tf.matMul(a, b, s.ta, s.tb);
    // Warm-up, and a first estimate of one call's time. Backends here run synchronously;
    // dataSync() makes sure the work is done before the clock stops.
    let t0 = now();
    const w = call();
    w.dataSync();
    w.dispose();
    const one = Math.max(now() - t0, 1e-6);
    const reps = Math.max(1, Math.ceil(roundSeconds / one));
    // A call that takes over a second (tfjs cpu at 1024³) is timed by the warm-up call alone.
    const rounds = opts.rounds ?? (one > 1 ? 0 : one > 0.3 ? 1 : 3);
    let best = one;
    for (let r = 0; r < rounds; r++) {
      t0 = now();
      let last: tf.Tensor | null = null;
      for (let i = 0; i < reps; i++) {
        last?.dispose();
        last = call();
      }
      last!.dataSync();
      last!.dispose();
      best = Math.min(best, (now() - t0) / reps);
    }
    out[s.key] = matmulFlop(s) / best / 1e9;
    a.dispose();
    b.dispose();
    log(`${s.key}: ${out[s.key]!.toFixed(2)} GFLOP/s (${reps} × ${rounds})`);
  }
  return out;
}

/** Random data of MNIST's shape (pixels uniform in [0, 1), random labels), cycled: batch i reads samples from 64·i mod pool. */
export interface Pool {
  x: Float32Array;
  y: Float32Array; // one-hot labels
  size: number;
}

export function makePool(size = 6400, seed = 1): Pool {
  if (size % MLP.batch !== 0) throw new Error(`pool size ${size} must be a multiple of the batch size ${MLP.batch}`);
  const inDim = MLP.layers[0]!;
  const classes = MLP.layers[MLP.layers.length - 1]!;
  let s = seed >>> 0;
  const rnd = (): number => {
    // xorshift32
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const x = new Float32Array(size * inDim);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const y = new Float32Array(size * classes);
  for (let i = 0; i < size; i++) y[i * classes + Math.floor(rnd() * classes)] = 1;
  return { x, y, size };
}

export interface EpochOptions {
  /** Batches to time; default: a whole epoch (ceil(60000 / 64) = 938, the last one 32 samples). */
  batches?: number;
  /** Untimed batches first (default 5). */
  warmup?: number;
  /** Use tf.fused.matMul with bias + relu (what tfjs-layers' Dense does). Default true. */
  fused?: boolean;
  pool?: Pool;
}

export interface EpochResult {
  secondsPerEpoch: number;
  /** The first epoch run (untimed in secondsPerEpoch, the median of the timed ones), scaled alike. */
  firstSecondsPerEpoch: number;
  /** Each timed epoch's seconds, scaled alike. */
  timedSecondsPerEpoch: number[];
  batchesTimed: number;
  batchesPerEpoch: number;
  scaled: boolean;
  finalLoss: number;
  leakedTensors: number;
}

/**
 * One epoch of the MLP 784-128-64-32-10 (ReLU, softmax cross-entropy, SGD lr 0.01, batch 64, float32)
 * written the idiomatic tfjs-core way: tf.variable parameters, optimizer.minimize.
 */
export function mlpEpoch(opts: EpochOptions = {}): EpochResult {
  const L = MLP.layers;
  const B = MLP.batch;
  const inDim = L[0]!;
  const classes = L[L.length - 1]!;
  const fused = opts.fused ?? true;
  const pool = opts.pool ?? makePool();
  const batchesPerEpoch = Math.ceil(MLP.samples / B);
  const batches = Math.min(opts.batches ?? batchesPerEpoch, batchesPerEpoch);
  const warmup = opts.warmup ?? 5;
  const before = tf.memory().numTensors;

  const ws: tf.Variable[] = [];
  const bs: tf.Variable[] = [];
  for (let i = 0; i + 1 < L.length; i++) {
    // He-normal weights, zero biases; tidy frees the initial values (variables keep their own reference).
    tf.tidy(() => {
      ws.push(tf.variable(tf.randomNormal([L[i]!, L[i + 1]!], 0, Math.sqrt(2 / L[i]!), 'float32', 7 + i), true));
      bs.push(tf.variable(tf.zeros([L[i + 1]!]), true));
    });
  }
  const opt = tf.train.sgd(MLP.lr);

  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h = x;
    for (let i = 0; i < ws.length; i++) {
      const last = i === ws.length - 1;
      if (fused) {
        h = tf.fused.matMul({ a: h, b: ws[i] as tf.Tensor2D, bias: bs[i], activation: last ? 'linear' : 'relu' }) as tf.Tensor2D;
      } else {
        const z = tf.add(tf.matMul(h, ws[i] as tf.Tensor2D), bs[i]!) as tf.Tensor2D;
        h = last ? z : tf.relu(z);
      }
    }
    return h;
  };

  // Batch i of the epoch: samples [64 i, min(64 (i + 1), 60000)), read from the pool.
  const step = (i: number, wantLoss: boolean): number => {
    const n = Math.min(B, MLP.samples - i * B);
    const start = (i * B) % pool.size;
    const xs = tf.tensor2d(pool.x.subarray(start * inDim, (start + n) * inDim), [n, inDim], 'float32');
    const ys = tf.tensor2d(pool.y.subarray(start * classes, (start + n) * classes), [n, classes], 'float32');
    const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, forward(xs)) as tf.Scalar, wantLoss);
    let loss = NaN;
    if (cost) {
      loss = cost.dataSync()[0]!;
      cost.dispose();
    }
    xs.dispose();
    ys.dispose();
    return loss;
  };

  for (let i = 0; i < warmup; i++) step(i, false);
  let finalLoss = NaN;
  const timedSamples = MLP.samples - (batchesPerEpoch - batches) * B;
  // Time the last `batches` batches of the epoch, so a partial run includes the 32-sample tail; a first epoch,
  // then TIMED_EPOCHS more and their median, as every system in the bench (benchmarks/src/epoch-count.ts says why).
  const epoch = (): number => {
    const t0 = now();
    for (let i = batchesPerEpoch - batches; i < batchesPerEpoch; i++) {
      finalLoss = step(i, i === batchesPerEpoch - 1) || finalLoss;
    }
    return ((now() - t0) * MLP.samples) / timedSamples;
  };
  const firstSecondsPerEpoch = epoch();
  const timedSecondsPerEpoch = Array.from({ length: TIMED_EPOCHS }, epoch);
  const secondsPerEpoch = median(timedSecondsPerEpoch);

  opt.dispose();
  for (const v of [...ws, ...bs]) v.dispose();
  const leakedTensors = tf.memory().numTensors - before;
  return { secondsPerEpoch, firstSecondsPerEpoch, timedSecondsPerEpoch, batchesTimed: batches, batchesPerEpoch, scaled: batches < batchesPerEpoch, finalLoss, leakedTensors };
}

export interface RunOptions {
  batches?: number;
  matmul?: boolean;
  fused?: boolean;
  roundSeconds?: number;
}

/** Default batches timed per backend: a whole epoch on wasm, 100 batches (scaled) on cpu. */
export const DEFAULT_BATCHES: Record<TfjsBackend, number | undefined> = { wasm: undefined, cpu: 100 };

export async function runTfjs(backend: TfjsBackend, opts: RunOptions = {}): Promise<PeerJson> {
  const desc = await initBackend(backend);
  log(`${desc}, tfjs-core ${tf.version_core}`);
  const gflops = opts.matmul === false ? {} : matmulGflops({ roundSeconds: opts.roundSeconds });
  const e = mlpEpoch({ batches: opts.batches ?? DEFAULT_BATCHES[backend], fused: opts.fused });
  log(
    `epoch: ${e.secondsPerEpoch.toFixed(2)} s (${e.batchesTimed}/${e.batchesPerEpoch} batches timed), ` +
      `${(MLP_EPOCH_FLOP / e.secondsPerEpoch / 1e9).toFixed(2)} effective GFLOP/s, loss ${e.finalLoss.toFixed(4)}`,
  );
  if (!Number.isFinite(e.finalLoss)) throw new Error(`tfjs ${backend}: non-finite loss ${e.finalLoss}`);
  const notes: string[] = [`tfjs ${tf.version_core} ${desc}`, opts.fused === false ? 'unfused matMul+add+relu' : 'fused matMul+bias+relu'];
  if (e.scaled) notes.push(`timed ${e.batchesTimed} of ${e.batchesPerEpoch} batches, scaled to 60 000 samples`);
  notes.push(epochsNote(e.firstSecondsPerEpoch, e.timedSecondsPerEpoch, 2));
  if (e.leakedTensors !== 0) notes.push(`${e.leakedTensors} tensors leaked`);
  return {
    system: `TensorFlow.js ${tf.version_core} ${backend}`,
    threads: 1,
    seconds_per_epoch: e.secondsPerEpoch,
    gflops,
    note: notes.join('; '),
    batches_timed: e.batchesTimed,
    final_loss: e.finalLoss,
  };
}

function parseArgs(argv: readonly string[]): { backend: TfjsBackend } & RunOptions {
  let backend: TfjsBackend = 'wasm';
  const o: RunOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--backend') {
      const v = val();
      if (v !== 'wasm' && v !== 'cpu') throw new Error(`--backend must be wasm or cpu, not ${v}`);
      backend = v;
    } else if (a === '--batches') o.batches = Number(val());
    else if (a === '--round-seconds') o.roundSeconds = Number(val());
    else if (a === '--no-matmul') o.matmul = false;
    else if (a === '--unfused') o.fused = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return { backend, ...o };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  // Catch here: tfjs-backend-wasm's Emscripten glue rethrows uncaught errors, and Node then prints its
  // whole minified source line (tens of kilobytes) instead of the message.
  try {
    const { backend, ...opts } = parseArgs(process.argv.slice(2));
    const result = await runTfjs(backend, opts);
    process.stdout.write('\n' + JSON.stringify(result) + '\n');
  } catch (e) {
    console.error('[tfjs] failed:', e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  }
}
