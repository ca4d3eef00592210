/**
 * chainrule's CNN row, run in its own process like chainrule-run.ts (the kernel set is chosen at load time from
 * CHAINRULE_KERNELS / CHAINRULE_THREADS, or --kernels native). Prints logs on stderr and one JSON line last:
 *   { system, threads, seconds_per_epoch, gflops, note, workload: 'cnn' }
 *
 *   CHAINRULE_KERNELS=wasm CHAINRULE_THREADS=1 npx tsx --conditions=@chainrule/source src/chainrule-cnn-run.ts [--loop peers|fit] [--batches N] [--round-seconds S] [--no-conv]
 *   CHAINRULE_THREADS=1 npx tsx --conditions=@chainrule/source src/chainrule-cnn-run.ts --kernels native …
 *
 * The net is peers/cnn.json's (the one examples/src/mnist-cnn.ts trains), softmax cross-entropy, SGD, batch 64,
 * float32. A CNN epoch takes seconds to minutes, so the run times the last --batches batches of the epoch
 * (default 200, including the 32-sample tail) and scales to 60 000 samples; the loops are the MLP runner's:
 * - peers (default): makeTrainStep on sequential batches of a pool of 6 400 random samples of MNIST's shape,
 *   what the PyTorch peer times (no monitor, no shuffle);
 * - fit: `fit` on the first samples of the real MNIST training set (shuffled, gradient monitor on).
 * Unless --no-conv, it first times each convolution of the net alone (forward, input and weight gradient).
 */
import { backend, conv2d, grad, noGrad, randUniform, reusing, setBackend } from '@chainrule/core';
import { mnistCnn } from './mnist-cnn-model.ts';
import { CNN, CONV_PASSES, CONV_SHAPES, convFlop, convKey, convOut } from './cnn-shapes.ts';
import { epochsNote } from './epoch-count.ts';
import { fitEpoch, peersEpoch } from './epochs.ts';
import { bestSecondsPerCall, warmUp } from './steady-timing.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const perEpoch = Math.ceil(CNN.samples / CNN.batch);
const batches = Math.min(perEpoch, Number(flag('--batches') ?? CNN.timedBatches));
if (!Number.isInteger(batches) || batches < 1) throw new Error(`--batches must be a whole number ≥ 1, got ${flag('--batches')}`);
const roundSeconds = Number(flag('--round-seconds') ?? 0.2);
const log = (...a: unknown[]) => console.error('[chainrule cnn]', ...a);
const loop = flag('--loop') ?? 'peers';
if (loop !== 'fit' && loop !== 'peers') throw new Error(`--loop must be fit or peers, got ${loop}`);
const kernelsFlag = flag('--kernels');
if (kernelsFlag !== undefined && kernelsFlag !== 'native') throw new Error(`--kernels must be native (the default set comes from CHAINRULE_KERNELS), got ${kernelsFlag}`);
const rowName = (kernels: string): string => `chainrule ${kernels.replace(/-2threads$/, '')}${loop === 'fit' ? ' fit' : ''}`;
if (kernelsFlag === 'native') {
  try {
    setBackend('native');
  } catch (e) {
    const why = String((e as Error).message ?? e).replace(/^chainrule: /, '');
    log(`native kernels: ${why}`);
    console.log(JSON.stringify({ system: rowName('native'), threads: 1, seconds_per_epoch: null, gflops: {}, missing: why, workload: 'cnn' }));
    process.exit(0);
  }
}
const threads = backend().endsWith('-2threads') ? 2 : 1;

/**
 * GFLOP/s of each convolution's three passes, measured like the matmuls (op overhead included, each result's
 * buffer reused by the next call). The gradients are `grad` of the recorded conv with a random cotangent for one
 * input only, so only that input's VJP runs (conv2dInputGrad or conv2dWeightGrad).
 */
function convGflops(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of CONV_SHAPES) {
    const [oh, ow] = convOut(s);
    const x = randUniform([s.n, s.c, s.h, s.w], { low: -1, high: 1, seed: 3 });
    const w = randUniform([s.o, s.c, s.k, s.k], { low: -1, high: 1, seed: 4 });
    const dy = randUniform([s.n, s.o, oh, ow], { low: -1, high: 1, seed: 5 });
    const y = conv2d(x, w); // recorded: the graph the two gradients walk
    const calls = {
      forward: () => { noGrad(() => conv2d(x, w)); },
      dx: () => { grad(y, [x], { seed: dy }); },
      dw: () => { grad(y, [w], { seed: dy }); },
    };
    for (const p of CONV_PASSES) {
      const call = reusing(calls[p.key], { pure: true });
      warmUp(call); // V8 tiers the wasm kernels up on first use (see steady-timing.ts)
      const { seconds, reps, rounds } = bestSecondsPerCall(call, roundSeconds);
      const key = convKey(s, p.key);
      out[key] = convFlop(s) / seconds / 1e9;
      log(`${key}: ${out[key]!.toFixed(2)} GFLOP/s (${(seconds * 1000).toFixed(2)} ms; ${reps} × ${rounds})`);
    }
  }
  return out;
}

const gflops = argv.includes('--no-conv') ? {} : convGflops();
const e = (loop === 'fit' ? fitEpoch : peersEpoch)(mnistCnn, CNN, batches);
const rssMB = process.resourceUsage().maxRSS / 1024;
log(`epoch (scaled from ${batches} batches): ${e.seconds.toFixed(2)} s (median of ${e.timedSeconds.map((s) => s.toFixed(2)).join(', ')}; the first: ${e.firstSeconds.toFixed(2)} s), final loss ${e.loss.toFixed(4)}, peak RSS ${rssMB.toFixed(0)} MB`);
const note = [
  `kernels ${backend()}`,
  loop === 'fit' ? 'fit on real MNIST (shuffled, gradient monitor on)' : "the peers' loop: makeTrainStep on sequential batches of a 6 400-sample random pool, no monitor",
  batches < perEpoch ? `timed ${batches} of ${perEpoch} batches (${(loop === 'fit' ? batches * CNN.batch : CNN.samples - (perEpoch - batches) * CNN.batch).toLocaleString('en-US')} images), scaled to 60 000 samples` : 'one full epoch',
  epochsNote(e.firstSeconds, e.timedSeconds),
  `train loss ${e.loss.toFixed(3)}`,
  `fresh buffers ${e.freshKBPerStep.toFixed(1)} KB per step`,
  `peak RSS ${rssMB.toFixed(0)} MB`,
].join('; ');
console.log(JSON.stringify({ system: rowName(backend()), threads, seconds_per_epoch: e.seconds, gflops, note, workload: 'cnn' }));
