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
import { add, backend, type DType, setBackend, grad, matmul, mul, noGrad, randUniform, relu, reusing, sum, tensor } from '@chainrule/core';
import { mlp } from '@chainrule/nn';
import { MATMUL_SHAPES, matmulFlop, MLP } from './shapes.ts';
import { epochsNote } from './epoch-count.ts';
import { fitEpoch, peersEpoch } from './epochs.ts';
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
// The WebAssembly sets name their helper thread; the native set's pool has CHAINRULE_THREADS threads (checked when it loaded).
const threads = backend().endsWith('-2threads') ? 2 : backend().startsWith('native') ? Number(process.env.CHAINRULE_THREADS ?? 1) : 1;

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

const gflops = argv.includes('--no-matmul') ? {} : matmulGflops();
const overhead = opOverheadMicros();
log(`op overhead: ${overhead.forward.toFixed(2)} µs per op, ${overhead.backward.toFixed(2)} µs per op with its backward`);
const mlpModel = () => mlp([...MLP.layers], { hidden: 'relu', output: 'softmax' });
const e = (loop === 'fit' ? fitEpoch : peersEpoch)(mlpModel, MLP, batches);
const rssMB = process.resourceUsage().maxRSS / 1024;
log(`epoch: ${e.seconds.toFixed(3)} s (median of ${e.timedSeconds.map((s) => s.toFixed(3)).join(', ')}; the first: ${e.firstSeconds.toFixed(3)} s), final loss ${e.loss.toFixed(4)}, peak RSS ${rssMB.toFixed(0)} MB`);
const note = [
  `kernels ${backend()}`,
  loop === 'fit' ? 'fit on real MNIST (shuffled, gradient monitor on)' : "the peers' loop: makeTrainStep on sequential batches of a 6 400-sample random pool, no monitor",
  batches < perEpoch ? `timed ${batches} of ${perEpoch} batches, scaled to 60 000 samples` : 'one full epoch',
  epochsNote(e.firstSeconds, e.timedSeconds),
  `train loss ${e.loss.toFixed(3)}`,
  `fresh buffers ${e.freshKBPerStep.toFixed(1)} KB per step`,
  `peak RSS ${rssMB.toFixed(0)} MB`,
  `op overhead ${overhead.forward.toFixed(2)} µs (tiny tensors, recording), ${overhead.backward.toFixed(2)} µs per recorded op with grad`,
].join('; ');
const system = `chainrule ${backend().replace(/-2threads$/, '')}${loop === 'fit' ? ' fit' : ''}`;
console.log(JSON.stringify({ system, threads, seconds_per_epoch: e.seconds, gflops, note, op_overhead_us: overhead }));
