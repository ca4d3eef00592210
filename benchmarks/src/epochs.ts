/**
 * The two ways a chainrule row times an epoch of an MNIST model (the MLP's and the CNN's runners share
 * them): the peers' loop, the same work the Python peers time, and `fit` as a user runs it. A partial
 * run times `batches` of the epoch and scales the time to the whole of it. Both train a first epoch and
 * TIMED_EPOCHS more, and give the median of those, as every system in the bench does (epoch-count.ts says why).
 */
import { fromData, randUniform, reusing, Rng } from '@chainrule/core';
import { bufferStats } from '@chainrule/core/backend';
import { loadMnist } from '@chainrule/datasets/node';
import { fit, makeTrainStep, sgd, type Model } from '@chainrule/nn';
import { median, TIMED_EPOCHS } from './epoch-count.ts';
import { warmUp } from './steady-timing.ts';

/** What an epoch trains: batch size, SGD's learning rate and the samples of a whole epoch. */
export interface Workload {
  readonly batch: number;
  readonly lr: number;
  readonly samples: number;
}

/**
 * An epoch's time: the median of the timed epochs (each scaled to the whole epoch), each of them, the first
 * epoch's seconds (scaled alike), the last loss, and the fresh buffers per step of the last epoch.
 */
export interface Epoch { seconds: number; timedSeconds: number[]; firstSeconds: number; loss: number; freshKBPerStep: number }

/** Samples in the peers' pool of random data (peers/peer_common.py's POOL). */
const POOL = 6400;

/** Fresh buffer kilobytes per step since `before`, over `steps` steps. */
const freshKB = (before: { freshBytes: number }, steps: number): number => (bufferStats().freshBytes - before.freshBytes) / 1024 / steps;

/**
 * The peers' loop: batches read in order from a pool of random samples of the model's input shape,
 * through makeTrainStep; the last `batches` of each epoch are timed, so a partial run includes the tail.
 */
export function peersEpoch(makeModel: () => Model, w: Workload, batches: number): Epoch {
  const model = makeModel(), inputs = model.inputs;
  const x = randUniform([POOL, inputs], { low: 0, high: 1, seed: 1 }).data as Float32Array;
  const rng = new Rng(2);
  const labels = Int32Array.from({ length: POOL }, () => rng.int(model.outputs));
  const optimizer = sgd({ lr: w.lr });
  const trainStep = makeTrainStep(model, { loss: 'crossEntropy', optimizer });
  // The loop never uses the old parameters and state again: donated, their buffers serve the next step
  // (and the gradients and output, which it does not return, too).
  const step = reusing((p: typeof params, s: typeof state, batch: Parameters<typeof trainStep>[2]) => {
    const r = trainStep(p, s, batch);
    return { params: r.params, optState: r.optState, loss: r.loss };
  }, { pure: true, donate: [0, 1] });
  let params = model.init(1), state = optimizer.init(params);
  const run = (i: number): number => {
    const n = Math.min(w.batch, w.samples - i * w.batch), start = (i * w.batch) % POOL;
    const batch = { x: fromData(x.subarray(start * inputs, (start + n) * inputs), [n, inputs]), y: labels.subarray(start, start + n) };
    const r = step(params, state, batch);
    params = r.params;
    state = r.optState;
    return r.loss;
  };
  // Warm-up: five batches, as the peers do, and on until steady-timing's WARM_UP_MS have passed; then the
  // epochs start again from the initial weights, so their loss does not depend on the clock.
  warmUp((i) => run(i % 5));
  params = model.init(1);
  state = optimizer.init(params);
  const perEpoch = Math.ceil(w.samples / w.batch), first = perEpoch - batches;
  const timed = w.samples - first * w.batch;
  let loss = NaN;
  const epoch = (): number => {
    const t0 = performance.now();
    for (let i = first; i < perEpoch; i++) loss = run(i);
    return ((performance.now() - t0) / 1000) * w.samples / timed;
  };
  const firstSeconds = epoch();
  const timedSeconds: number[] = [];
  let before = bufferStats();
  for (let k = 0; k < TIMED_EPOCHS; k++) {
    before = bufferStats();
    timedSeconds.push(epoch());
  }
  return { seconds: median(timedSeconds), timedSeconds, firstSeconds, loss, freshKBPerStep: freshKB(before, batches) };
}

/**
 * One `fit` of 1 + TIMED_EPOCHS epochs on the first batches·batch images of real MNIST (shuffled, gradient
 * monitor on), each scaled to the whole epoch; the epochs are told apart by an onEpochEnd callback. fit's
 * once-per-call work (checking the data) falls in the first.
 */
export function fitEpoch(makeModel: () => Model, w: Workload, batches: number): Epoch {
  const train = loadMnist({ split: 'train' });
  const model = makeModel();
  const params = model.init(1);
  const options = { loss: 'crossEntropy' as const, optimizer: sgd({ lr: w.lr }), epochs: 1, batchSize: w.batch, seed: 1, progress: false as const };
  // Warm-up: five batches per call (JIT, wasm memory growth, the buffer pool's first fill).
  const warm = { x: train.x.slice([0, 0], [5 * w.batch, model.inputs]), y: train.labels.subarray(0, 5 * w.batch) };
  warmUp(() => fit(model, params, warm, options));
  const n = Math.min(w.samples, batches * w.batch);
  const data = n === train.n ? { x: train.x, y: train.labels } : { x: train.x.slice([0, 0], [n, model.inputs]), y: train.labels.subarray(0, n) };
  const ends: number[] = [];
  let before = bufferStats();
  const onEpochEnd = () => {
    ends.push(performance.now());
    before = bufferStats();
  };
  const t0 = performance.now();
  const r = fit(model, params, data, { ...options, epochs: 1 + TIMED_EPOCHS, callbacks: { onEpochEnd } });
  const scaled = (ms: number) => (ms / 1000) * w.samples / n;
  const timedSeconds = ends.slice(1).map((end, k) => scaled(end - ends[k]!));
  return { seconds: median(timedSeconds), timedSeconds, firstSeconds: scaled(ends[0]! - t0), loss: r.history.loss.last()!, freshKBPerStep: freshKB(before, batches) };
}
