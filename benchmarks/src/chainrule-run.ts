/**
 * chainrule's own row, run in its own process like a peer (the kernel set is chosen at load time from
 * CHAINRULE_KERNELS / CHAINRULE_THREADS). Prints logs on stderr and one JSON line last:
 *   { system, threads, seconds_per_epoch, gflops, note }
 *
 *   CHAINRULE_THREADS=2 npx tsx --conditions=@chainrule/source src/chainrule-run.ts [--loop fit|peers] [--batches N] [--round-seconds S] [--no-matmul]
 *   npx tsx --conditions=@chainrule/source src/chainrule-run.ts --kernels native …
 *
 * --kernels native installs the native addon's kernels (setBackend('native')); when the addon cannot load,
 * the JSON line has no numbers and `missing` quotes the loading error, so the bench shows why.
 *
 * The MLP is 784-128-64-32-10 with ReLU and softmax cross-entropy, SGD lr 0.01, batch 64; the epoch
 * loop is one of:
 * - fit (default): what a user runs. `fit` on the real MNIST training set: shuffled batches gathered
 *   from all 60 000 images, gradient monitor on, no progress output.
 * - peers: the peers' loop, the same work they time. Batch i is samples [64 i mod 6400, …) of a
 *   pool of 6 400 random samples of MNIST's shape, read in order without a copy, and one
 *   `makeTrainStep` call trains on it (no monitor, no shuffle).
 * A partial run (--batches) times that many batches and scales to 938.
 */
import { add, backend, type DType, fromData, setBackend, grad, matmul, mul, noGrad, randUniform, relu, reusing, Rng, sum, tensor } from '@chainrule/core';
import { bufferStats } from '@chainrule/core/backend';
import { loadMnist } from '@chainrule/datasets/node';
import { fit, makeTrainStep, mlp, sgd } from '@chainrule/nn';
import { MATMUL_SHAPES, matmulFlop, MLP } from './shapes.ts';
import { bestSecondsPerCall, warmUp } from './steady-timing.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const perEpoch = Math.ceil(MLP.samples / MLP.batch);
const batches = Math.min(perEpoch, Number(flag('--batches') ?? perEpoch));
const roundSeconds = Number(flag('--round-seconds') ?? 0.2);
const log = (...a: unknown[]) => console.error('[chainrule]', ...a);
const loop = flag('--loop') ?? 'fit';
if (loop !== 'fit' && loop !== 'peers') throw new Error(`--loop must be fit or peers, got ${loop}`);
const kernelsFlag = flag('--kernels');
if (kernelsFlag !== undefined && kernelsFlag !== 'native') throw new Error(`--kernels must be native (the default set comes from CHAINRULE_KERNELS), got ${kernelsFlag}`);
if (kernelsFlag === 'native') {
  try {
    setBackend('native');
  } catch (e) {
    const why = String((e as Error).message ?? e).replace(/^chainrule: /, '');
    log(`native kernels: ${why}`);
    console.log(JSON.stringify({ system: `chainrule native${loop === 'fit' ? ' fit' : ''}`, threads: 1, seconds_per_epoch: null, gflops: {}, missing: why }));
    process.exit(0);
  }
}
const threads = backend().endsWith('-2threads') ? 2 : 1;
/** Samples in the peers' pool of random data (peers/peer_common.py's POOL). */
const POOL = 6400;

/**
 * GFLOP/s of `matmul` on tensors (op overhead and copies included), measured like the peers measure
 * theirs: each result's buffer is reused by the next call (`reusing`), as the TensorFlow.js peer
 * disposes its results (and PyTorch's allocator reuses freed memory). float64 keys are prefixed
 * 'f64 ' (dgemm); they are measured on the native kernels only (the others run float64 on the reference).
 */
function matmulGflops(): Record<string, number> {
  const out: Record<string, number> = {};
  // Warm up, so the first shape is not timed on V8's baseline code (see warmUp).
  const warm = [randUniform([64, 784], { seed: 1 }), randUniform([784, 128], { seed: 2 })] as const;
  warmUp(reusing(() => { noGrad(() => matmul(warm[0], warm[1])); }, { pure: true }));
  const dtypes: DType[] = backend().startsWith('native') ? ['float32', 'float64'] : ['float32'];
  for (const dtype of dtypes) {
    for (const s of MATMUL_SHAPES) {
      const key = dtype === 'float64' ? `f64 ${s.key}` : s.key;
      const a = randUniform(s.ta ? [s.k, s.m] : [s.m, s.k], { low: -1, high: 1, seed: 3, dtype });
      const b = randUniform(s.tb ? [s.n, s.k] : [s.k, s.n], { low: -1, high: 1, seed: 4, dtype });
      const call = reusing(() => { noGrad(() => matmul(a, b, { transA: s.ta, transB: s.tb })); }, { pure: true });
      const { seconds, reps, rounds } = bestSecondsPerCall(call, roundSeconds);
      out[key] = matmulFlop(s) / seconds / 1e9;
      log(`${key}: ${out[key]!.toFixed(2)} GFLOP/s (${reps} × ${rounds})`);
    }
  }
  return out;
}

/**
 * Framework overhead per op on tiny tensors ([2,3]), recording on: what an op costs besides its
 * arithmetic (checks, broadcasting, dispatch, the graph node). Also the cost per op of a backward
 * pass over a small graph (grad of sum(relu(a·b + a))), divided by the ops it records.
 */
function opOverheadMicros(): { forward: number; backward: number } {
  const a = tensor([[1, -2, 3], [4, 5, -6]]), b = tensor([[0.5, 1, -1], [2, -0.5, 1]]);
  const time = (n: number, fn: () => void) => {
    for (let i = 0; i < 2000; i++) fn();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return ((performance.now() - t0) * 1000) / n;
  };
  const forward = Math.min(time(100_000, () => add(a, b)), time(100_000, () => mul(a, b)), time(100_000, () => relu(a)));
  const graph = () => sum(relu(add(mul(a, b), a))); // 4 ops forward; their VJPs make ~6 more
  const backward = time(20_000, () => grad(graph(), [a, b])) / 10;
  return { forward, backward };
}

interface Epoch { seconds: number; loss: number; freshKBPerStep: number }

/** The peers' loop: sequential batches of a random pool through makeTrainStep (see the header). */
function peersEpoch(): Epoch {
  const [inDim, classes] = [MLP.layers[0]!, MLP.layers[MLP.layers.length - 1]!];
  const x = randUniform([POOL, inDim], { low: 0, high: 1, seed: 1 }).data as Float32Array;
  const rng = new Rng(2);
  const labels = Int32Array.from({ length: POOL }, () => rng.int(classes));
  const model = mlp([...MLP.layers], { hidden: 'relu', output: 'softmax' });
  const optimizer = sgd({ lr: MLP.lr });
  const trainStep = makeTrainStep(model, { loss: 'crossEntropy', optimizer });
  // The loop never uses the old parameters and state again: donated, their buffers serve the next step
  // (and the gradients and output, which it does not return, too).
  const step = reusing((p: typeof params, s: typeof state, batch: Parameters<typeof trainStep>[2]) => {
    const r = trainStep(p, s, batch);
    return { params: r.params, optState: r.optState, loss: r.loss };
  }, { pure: true, donate: [0, 1] });
  let params = model.init(1), state = optimizer.init(params);
  const run = (i: number): number => {
    const n = Math.min(MLP.batch, MLP.samples - i * MLP.batch), start = (i * MLP.batch) % POOL;
    const batch = { x: fromData(x.subarray(start * inDim, (start + n) * inDim), [n, inDim]), y: labels.subarray(start, start + n) };
    const r = step(params, state, batch);
    params = r.params;
    state = r.optState;
    return r.loss;
  };
  // Warm-up: five batches, as the peers do, and on until WARM_UP_MS have passed (see steady-timing.ts); then
  // the timed epoch starts again from the initial weights, so its loss does not depend on the clock.
  warmUp((i) => run(i % 5));
  params = model.init(1);
  state = optimizer.init(params);
  const first = perEpoch - batches; // the last batches, so a partial run includes the 32-sample tail
  const before = bufferStats();
  const t0 = performance.now();
  let loss = NaN;
  for (let i = first; i < perEpoch; i++) loss = run(i);
  const seconds = (performance.now() - t0) / 1000;
  const after = bufferStats();
  const timed = MLP.samples - first * MLP.batch;
  return { seconds: (seconds * MLP.samples) / timed, loss, freshKBPerStep: (after.freshBytes - before.freshBytes) / 1024 / batches };
}

function epoch(): Epoch {
  const train = loadMnist({ split: 'train' });
  const model = mlp([...MLP.layers], { hidden: 'relu', output: 'softmax' });
  const params = model.init(1);
  const optimizer = sgd({ lr: MLP.lr });
  const options = { loss: 'crossEntropy' as const, optimizer, epochs: 1, batchSize: MLP.batch, seed: 1, progress: false as const };
  // Warm-up: five batches (JIT, wasm memory growth, the buffer pool's first fill).
  const warm = { x: train.x.slice([0, 0], [5 * MLP.batch, 784]), y: train.labels.subarray(0, 5 * MLP.batch) };
  warmUp(() => fit(model, params, warm, options)); // five batches per call
  const n = batches === perEpoch ? MLP.samples : batches * MLP.batch;
  const data = n === MLP.samples ? { x: train.x, y: train.labels } : { x: train.x.slice([0, 0], [n, 784]), y: train.labels.subarray(0, n) };
  const before = bufferStats();
  const t0 = performance.now();
  const r = fit(model, params, data, options);
  const seconds = (performance.now() - t0) / 1000;
  const after = bufferStats();
  return {
    seconds: (seconds * MLP.samples) / n,
    loss: r.history.loss.last()!,
    freshKBPerStep: (after.freshBytes - before.freshBytes) / 1024 / batches,
  };
}

const gflops = argv.includes('--no-matmul') ? {} : matmulGflops();
const overhead = opOverheadMicros();
log(`op overhead: ${overhead.forward.toFixed(2)} µs per op, ${overhead.backward.toFixed(2)} µs per op with its backward`);
const e = loop === 'fit' ? epoch() : peersEpoch();
const rssMB = process.resourceUsage().maxRSS / 1024;
log(`epoch: ${e.seconds.toFixed(3)} s, final loss ${e.loss.toFixed(4)}, peak RSS ${rssMB.toFixed(0)} MB`);
const note = [
  `kernels ${backend()}`,
  loop === 'fit' ? 'fit on real MNIST (shuffled, gradient monitor on)' : "the peers' loop: makeTrainStep on sequential batches of a 6 400-sample random pool, no monitor",
  batches < perEpoch ? `timed ${batches} of ${perEpoch} batches, scaled to 60 000 samples` : 'one full epoch',
  `train loss ${e.loss.toFixed(3)}`,
  `fresh buffers ${e.freshKBPerStep.toFixed(1)} KB per step`,
  `peak RSS ${rssMB.toFixed(0)} MB`,
  `op overhead ${overhead.forward.toFixed(2)} µs (tiny tensors, recording), ${overhead.backward.toFixed(2)} µs per recorded op with grad`,
].join('; ');
const system = `chainrule ${backend().replace(/-2threads$/, '')}${loop === 'fit' ? ' fit' : ''}`;
console.log(JSON.stringify({ system, threads, seconds_per_epoch: e.seconds, gflops, note, op_overhead_us: overhead }));
