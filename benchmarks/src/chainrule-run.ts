/**
 * chainrule's own row, run in its own process like a peer (the kernel set is chosen at load time from
 * CHAINRULE_KERNELS / CHAINRULE_THREADS). Prints logs on stderr and one JSON line last:
 *   { system, threads, seconds_per_epoch, gflops, note }
 *
 *   CHAINRULE_THREADS=2 npx tsx src/chainrule-run.ts [--batches N] [--round-seconds S] [--no-matmul]
 *
 * The epoch is what a user runs: `fit` on the real MNIST training set (shuffled, gradient monitor on,
 * no progress output), the MLP 784-128-64-32-10 with ReLU and softmax cross-entropy, SGD lr 0.01,
 * batch 64. A partial run (--batches) times that many batches and scales to 938.
 */
import { add, backend, bufferStats, grad, matmul, mul, noGrad, randUniform, relu, sum, tensor } from '@chainrule/core';
import { loadMnist } from '@chainrule/datasets';
import { fit, mlp, sgd } from '@chainrule/nn';
import { MATMUL_SHAPES, matmulFlop, MLP } from './shapes.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const perEpoch = Math.ceil(MLP.samples / MLP.batch);
const batches = Math.min(perEpoch, Number(flag('--batches') ?? perEpoch));
const roundSeconds = Number(flag('--round-seconds') ?? 0.2);
const log = (...a: unknown[]) => console.error('[chainrule]', ...a);
const threads = backend().endsWith('-2threads') ? 2 : 1;

/** GFLOP/s of `matmul` on tensors (op overhead and copies included), measured like the peers measure theirs. */
function matmulGflops(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of MATMUL_SHAPES) {
    const a = randUniform(s.ta ? [s.k, s.m] : [s.m, s.k], { low: -1, high: 1, seed: 3 });
    const b = randUniform(s.tb ? [s.n, s.k] : [s.k, s.n], { low: -1, high: 1, seed: 4 });
    const call = () => noGrad(() => matmul(a, b, { transA: s.ta, transB: s.tb }));
    let t0 = performance.now();
    call();
    const one = Math.max((performance.now() - t0) / 1000, 1e-7);
    const reps = Math.max(1, Math.ceil(roundSeconds / one));
    const rounds = one > 1 ? 0 : one > 0.3 ? 1 : 3;
    let best = one;
    for (let r = 0; r < rounds; r++) {
      t0 = performance.now();
      for (let i = 0; i < reps; i++) call();
      best = Math.min(best, (performance.now() - t0) / 1000 / reps);
    }
    out[s.key] = matmulFlop(s) / best / 1e9;
    log(`${s.key}: ${out[s.key]!.toFixed(2)} GFLOP/s (${reps} × ${rounds})`);
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

function epoch(): { seconds: number; loss: number; freshKBPerStep: number } {
  const train = loadMnist({ split: 'train' });
  const model = mlp([...MLP.layers], { hidden: 'relu', output: 'softmax' });
  const params = model.init(1);
  const optimizer = sgd({ lr: MLP.lr });
  const options = { loss: 'crossEntropy' as const, optimizer, epochs: 1, batchSize: MLP.batch, seed: 1, progress: false as const };
  // Warm-up: five batches (JIT, wasm memory growth, the buffer pool's first fill).
  const warm = { x: train.x.slice([0, 0], [5 * MLP.batch, 784]), y: train.labels.subarray(0, 5 * MLP.batch) };
  fit(model, params, warm, options);
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
const e = epoch();
const rssMB = process.resourceUsage().maxRSS / 1024;
log(`epoch: ${e.seconds.toFixed(3)} s, final loss ${e.loss.toFixed(4)}, peak RSS ${rssMB.toFixed(0)} MB`);
const note = [
  `kernels ${backend()}`,
  `fit on real MNIST (shuffled, gradient monitor on)`,
  batches < perEpoch ? `timed ${batches} of ${perEpoch} batches, scaled to 60 000 samples` : 'one full epoch',
  `train loss ${e.loss.toFixed(3)}`,
  `fresh buffers ${e.freshKBPerStep.toFixed(1)} KB per step`,
  `peak RSS ${rssMB.toFixed(0)} MB`,
  `op overhead ${overhead.forward.toFixed(2)} µs (tiny tensors, recording), ${overhead.backward.toFixed(2)} µs per recorded op with grad`,
].join('; ');
console.log(JSON.stringify({ system: `chainrule ${backend().replace(/-2threads$/, '')}`, threads, seconds_per_epoch: e.seconds, gflops, note }));
