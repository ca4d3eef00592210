/**
 * The Trainer is fit's loop, stepped by hand: a run driven step by step gives fit's params, optimiser
 * state, History and streams to the last bit (float64 and float32, with a schedule, a transform,
 * dropout, validation and metrics); steps then epoch() is one epoch; a checkpoint taken mid-epoch,
 * through bytes or not, goes on bit for bit; and a failed Trainer refuses to go on.
 */
import { fromData, type Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  adam, batchNorm, cosineDecay, decodeCheckpoint, dense, dropout, encodeCheckpoint, fit, mlp, NonFiniteError, sequential, sgd, Trainer, warmup,
  type Callbacks, type EpochInfo, type FitOptions, type FitResult, type Model, type StepInfo, type TransformContext,
} from '../src/index.ts';
import { sameBits, spiral } from './helpers.ts';

const quiet = { progress: false, monitor: { onWarning: () => {} } } as const;

/** Spiral points in the dtype asked for (90 of them, 3 classes). */
function points(dtype: 'float32' | 'float64'): { x: Tensor; y: Int32Array } {
  const { x, y } = spiral(30, 7);
  return { x: dtype === 'float64' ? fromData(Float64Array.from(x.data), x.shape) : x, y };
}

const netOf = (dtype: 'float32' | 'float64'): Model =>
  sequential([dense(12, { activation: 'tanh' }), dropout({ rate: 0.25 }), dense(3, { activation: 'softmax' })], { inputs: 2, dtype });

/** Jitters each batch by one shift drawn from the augmentation stream: a transform that uses its rng. */
const jitter = Object.assign((x: Tensor, { rng }: TransformContext) => x.add(rng.uniform() * 0.02 - 0.01), { pure: true });

/** Everything a run can differ in: a schedule, a transform, dropout, validation and metrics. */
const optionsFor = (): FitOptions => ({
  ...quiet, loss: 'crossEntropy', optimizer: adam({ lr: warmup(cosineDecay(0.02, { decaySteps: 40 }), { steps: 5 }) }),
  batchSize: 16, seed: 3, transform: jitter, validationSplit: 0.2, metrics: ['accuracy'],
});

/** Same params, optimiser state, History, epochs and streams, bit for bit. */
function expectSameRun(a: FitResult, b: FitResult): void {
  for (const [k, t] of a.params) expect(sameBits(b.params.get(k)!, t), `param ${k}`).toBe(true);
  expect(b.optState.step).toBe(a.optState.step);
  for (const [slot, values] of a.optState.slots) {
    for (const [k, t] of values) expect(sameBits(b.optState.slots.get(slot)!.get(k)!, t), `slot ${slot}/${k}`).toBe(true);
  }
  expect(b.history.equals(a.history), 'history').toBe(true);
  expect(b.epochsDone).toBe(a.epochsDone);
  expect(b.rng).toEqual(a.rng);
}

describe('Trainer', () => {
  it.each(['float64', 'float32'] as const)('step() by hand gives fit\'s run bit for bit (%s, schedule, transform, dropout)', (dtype) => {
    const model = netOf(dtype), data = points(dtype), params = model.init(2);
    const seen: StepInfo[] = [];
    const fitted = fit(model, params, data, { ...optionsFor(), epochs: 4, callbacks: { onStep: (info) => void seen.push(info) } });

    const trainer = new Trainer(model, params, data, optionsFor());
    expect(trainer.stepsPerEpoch).toBe(5); // 72 training rows in batches of 16
    const stepped: StepInfo[] = [];
    while (trainer.epochCount < 4) stepped.push(trainer.step());
    expectSameRun(fitted, trainer.result());
    expect(fitted.history.loss.size).toBe(4);
    expect(fitted.history.valLoss.size).toBe(4);
    // What fit's callbacks were shown, the steps returned: number, epoch, batch, loss, lr and norms.
    expect(stepped.map((s) => [s.step, s.epoch, s.batch, s.loss, s.lr])).toEqual(seen.map((s) => [s.step, s.epoch, s.batch, s.loss, s.lr]));
    stepped.forEach((s, i) => expect(s.gradNorms.equals(seen[i]!.gradNorms)).toBe(true));
    expect(new Set(stepped.map((s) => s.lr)).size).toBeGreaterThan(10); // the schedule moved
    // Each step's params are its own: the last one's are the result's.
    expect(sameBits(stepped.at(-1)!.params.get('dense0/w')!, fitted.params.get('dense0/w')!)).toBe(true);
    expect(sameBits(stepped[0]!.params.get('dense0/w')!, fitted.params.get('dense0/w')!)).toBe(false);
  });

  it('is fit\'s run with dropout and the transform really drawing: another seed changes it', () => {
    const model = netOf('float64'), data = points('float64'), params = model.init(2);
    const a = fit(model, params, data, { ...optionsFor(), epochs: 1 });
    const b = fit(model, params, data, { ...optionsFor(), epochs: 1, seed: 4 });
    expect(sameBits(a.params.get('dense0/w')!, b.params.get('dense0/w')!)).toBe(false);
  });

  it('N step() calls, then epoch(), make one epoch', () => {
    const model = netOf('float32'), data = points('float32'), params = model.init(5);
    const whole = new Trainer(model, params, data, optionsFor());
    const once = whole.epoch();
    const split = new Trainer(model, params, data, optionsFor());
    split.step();
    split.step();
    expect([split.stepInEpoch, split.epochCount, split.lastEpoch]).toEqual([2, 0, undefined]);
    const rest = split.epoch();
    expect([split.stepInEpoch, split.epochCount, split.stepCount]).toEqual([0, 1, 5]);
    expect([rest.epoch, rest.loss, rest.metrics, rest.valLoss, rest.valMetrics]).toEqual([once.epoch, once.loss, once.metrics, once.valLoss, once.valMetrics]);
    expect(split.lastEpoch).toBe(rest);
    expectSameRun(whole.result(), split.result());
    // The next epoch opens with a fresh shuffle, as fit's second epoch does.
    split.epoch();
    expectSameRun(fit(model, params, data, { ...optionsFor(), epochs: 2 }), split.result());
  });

  it.each([
    ['in memory', (c: ReturnType<Trainer['checkpoint']>, _model: Model) => c],
    ['through bytes', (c: ReturnType<Trainer['checkpoint']>, model: Model) => decodeCheckpoint(encodeCheckpoint(model, c))],
  ] as const)('a checkpoint taken mid-epoch goes on bit for bit (%s), with layer state and metrics', (_name, carry) => {
    const model = sequential([dense(10, { activation: 'relu' }), batchNorm(), dropout({ rate: 0.1 }), dense(3, { activation: 'softmax' })], { inputs: 2 });
    const data = points('float32'), params = model.init(1);
    const straight = new Trainer(model, params, data, optionsFor());
    for (let i = 0; i < 13; i++) straight.step();

    const first = new Trainer(model, params, data, optionsFor());
    for (let i = 0; i < 7; i++) first.step(); // two steps into epoch 1
    const saved = carry(first.checkpoint(), model);
    expect(saved.position?.batch).toBe(2);
    expect(saved.epochsDone).toBe(1);
    const resumed = Trainer.resume(model, data, optionsFor(), saved);
    expect([resumed.stepCount, resumed.epochCount, resumed.stepInEpoch]).toEqual([7, 1, 2]);
    for (let i = 0; i < 6; i++) resumed.step();
    expectSameRun(straight.result(), resumed.result());
    for (const [k, t] of straight.state) expect(sameBits(resumed.state.get(k)!, t), `state ${k}`).toBe(true);
    expect(resumed.history.loss.size).toBe(2); // epoch 1 closed with the steps run before the checkpoint in it

    // fit resumes the same checkpoint mid-epoch too.
    const viaFit = fit(model, saved.params, data, { ...optionsFor(), epochs: 3, resume: saved });
    const fitStraight = fit(model, params, data, { ...optionsFor(), epochs: 3 });
    expectSameRun(fitStraight, viaFit);
  });

  it('taking a checkpoint or reading the params changes nothing of the run', () => {
    const model = netOf('float32'), data = points('float32'), params = model.init(8);
    const plain = new Trainer(model, params, data, optionsFor());
    const watched = new Trainer(model, params, data, optionsFor());
    const kept: Tensor[] = [], copies: number[][] = [];
    for (let i = 0; i < 8; i++) {
      plain.step();
      watched.step();
      kept.push(watched.checkpoint().params.get('dense0/w')!, watched.params.get('dense0/w')!, watched.lastStep!.params.get('dense0/w')!);
      copies.push(...kept.slice(-3).map((t) => Array.from(t.data)));
    }
    expectSameRun(plain.result(), watched.result());
    // What was handed out stays as it was (its buffers are never reused), and the run did move.
    kept.forEach((t, i) => expect(Array.from(t.data), `handed out at step ${Math.floor(i / 3)}`).toEqual(copies[i]));
    expect(copies[0]).not.toEqual(copies.at(-1));
  });

  it('a callback\'s stop closes the epoch and sets stopped, as fit ends there; stepping on opens the next epoch', () => {
    const model = mlp([2, 8, 3], { hidden: 'tanh', output: 'softmax' }), data = points('float32'), params = model.init(3);
    const options: FitOptions = { ...quiet, loss: 'crossEntropy', batchSize: 16, callbacks: { onStep: (s) => (s.step === 1 ? 'stop' : undefined) } };
    const fitted = fit(model, params, data, { ...options, epochs: 3 });
    const trainer = new Trainer(model, params, data, options);
    trainer.step();
    expect(trainer.stopped).toBe(false);
    trainer.step();
    expect([trainer.stopped, trainer.epochCount, trainer.stepInEpoch, trainer.history.stepLoss.size]).toEqual([true, 1, 0, 2]);
    expectSameRun(fitted, trainer.result());
    trainer.step();
    expect([trainer.epochCount, trainer.stepInEpoch, trainer.stepCount]).toEqual([1, 1, 3]);
  });

  it('each step carries the monitor\'s warnings from that step', () => {
    const model = mlp([2, 8, 3], { hidden: 'tanh', output: 'softmax' }), data = points('float32');
    const heard: string[] = [];
    const trainer = new Trainer(model, model.init(0), data, { loss: 'crossEntropy', monitor: { vanishing: 1e9, onWarning: (w) => heard.push(w.layer) } });
    const first = trainer.step(), second = trainer.step();
    expect(first.warnings.map((w) => [w.kind, w.layer, w.step])).toEqual([['vanishing', 'dense0', 0], ['vanishing', 'dense1', 0]]);
    expect(second.warnings).toEqual([]); // once per layer and kind
    expect(trainer.warnings).toEqual(first.warnings);
    expect(heard).toEqual(['dense0', 'dense1']);
    expect([...first.gradNorms.keys()]).toEqual(['dense0', 'dense1']);
  });

  it('after a NonFiniteError the Trainer refuses to go on, keeping the last good params', () => {
    const model = mlp([2, 8, 3], { hidden: 'relu', output: 'softmax' }), data = points('float32');
    const trainer = new Trainer(model, model.init(0), data, { ...quiet, loss: 'crossEntropy', optimizer: sgd({ lr: 1e30 }), batchSize: 8 });
    let error: unknown;
    for (let i = 0; i < 20 && error === undefined; i++) {
      try {
        trainer.step();
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    const at = trainer.stepCount;
    for (const [, t] of trainer.params) expect(t.data.every(Number.isFinite)).toBe(true);
    expect(() => trainer.step()).toThrow(new RegExp(`^Trainer: this Trainer stopped at step ${at} with an error \\(training stopped at step ${at}: .*make a new Trainer`));
    expect(() => trainer.epoch()).toThrow(/make a new Trainer, or resume one from a checkpoint/);
    expect(trainer.stepCount).toBe(at);
  });

  it('checks its options as fit does, naming the Trainer', () => {
    const model = mlp([2, 4, 3], { output: 'softmax' }), data = points('float32'), params = model.init(0);
    expect(() => new Trainer(model, params, data, {} as FitOptions)).toThrow(/^Trainer: options\.loss is missing/);
    expect(() => new Trainer(model, params, data, { loss: 'crossEntropy', batchSize: 0 })).toThrow(/^Trainer: batchSize must be a positive integer/);
    expect(() => new Trainer(model, params, { x: data.x, y: data.y.subarray(1) }, { loss: 'crossEntropy' })).toThrow(/^Trainer: /);
    expect(() => fit(model, params, data, { loss: 'crossEntropy', batchSize: 0 })).toThrow(/^fit: batchSize/);
    expect(() => Trainer.resume(model, data, { loss: 'crossEntropy' }, null as never)).toThrow(/^Trainer\.resume: checkpoint must be/);
  });

  it('refuses a mid-epoch checkpoint on other data or options, saying what to give', () => {
    const model = mlp([2, 4, 3], { output: 'softmax' }), data = points('float32');
    const trainer = new Trainer(model, model.init(0), data, { ...quiet, loss: 'crossEntropy', batchSize: 16, metrics: ['accuracy'] });
    trainer.step();
    const saved = trainer.checkpoint();
    const base = { ...quiet, loss: 'crossEntropy' as const, metrics: ['accuracy'] as const };
    expect(() => Trainer.resume(model, data, { ...base, batchSize: 16, shuffle: false }, saved)).toThrow(/^Trainer: resume\.position: .*resume with the data, batchSize, shuffle/);
    const fewer = { x: fromData(data.x.data.slice(0, 40), [20, 2]), y: data.y.slice(0, 20) };
    expect(() => Trainer.resume(model, fewer, { ...base, batchSize: 16 }, saved)).toThrow(/^Trainer: resume\.position: .*from 20 training rows/);
    expect(() => Trainer.resume(model, data, { ...base, batchSize: 16, metrics: [] }, saved)).not.toThrow();
    const noMetrics = new Trainer(model, model.init(0), data, { ...quiet, loss: 'crossEntropy', batchSize: 16 });
    noMetrics.step();
    expect(() => Trainer.resume(model, data, { ...base, batchSize: 16 }, noMetrics.checkpoint())).toThrow(/holds no outputs for the metrics \(accuracy\)/);
  });

  it('an epoch\'s History is as of that epoch, read then or after later epochs (it is built when read)', () => {
    const model = netOf('float32'), data = points('float32');
    const seen: { epoch: number; info: EpochInfo; size: number; stateLoss: number }[] = [];
    const onEpochEnd: NonNullable<Callbacks['onEpochEnd']> = (info) => {
      // Epoch 1's History is read at once (with its training state); the others only after the run.
      if (info.epoch === 1) seen.push({ epoch: 1, info, size: info.history.loss.size, stateLoss: info.trainingState().history.loss.size });
      else seen.push({ epoch: info.epoch, info, size: -1, stateLoss: -1 });
    };
    const r = fit(model, model.init(0), data, { ...optionsFor(), epochs: 4, callbacks: { onEpochEnd } });
    expect(seen[1]).toMatchObject({ size: 2, stateLoss: 2 });
    for (const { epoch, info } of seen) {
      expect(info.history.loss.toArray()).toEqual(r.history.loss.toArray().slice(0, epoch + 1));
      expect(info.history.stepLoss.toArray()).toEqual(r.history.stepLoss.toArray().slice(0, (epoch + 1) * 5));
      expect(info.history.gradNorms.get(epoch)!.toJS()).toEqual(r.history.gradNorms.get(epoch)!.toJS());
    }
    expect(r.history.loss.size).toBe(4);
  });
});
