/** The page state and its URL, in Node: every good state survives the round trip; every bad field is named and the last good state kept. */
import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, DEFAULT_STATE, KERNELS, LIMITS, LOSSES, OPTIMIZERS, datasetNames, scheduleNames, taskOf, type PlaygroundState,
} from '../src/state/state.ts';
import { decodeState, encodeState } from '../src/state/url.ts';
import { problemsOf } from '../src/state/validate.ts';

const stateArb: fc.Arbitrary<PlaygroundState> = fc.constantFrom(...datasetNames).chain((dataset) => fc.record({
  dataset: fc.constant(dataset),
  layers: fc.array(fc.record({ width: fc.integer({ min: LIMITS.width[0], max: LIMITS.width[1] }), activation: fc.constantFrom(...ACTIVATIONS) }), { maxLength: LIMITS.layers[1] }),
  loss: fc.constantFrom(...LOSSES[taskOf({ dataset })]),
  optimizer: fc.constantFrom(...OPTIMIZERS),
  lr: fc.double({ min: LIMITS.lr[0], max: LIMITS.lr[1], noNaN: true }),
  schedule: fc.constantFrom(...scheduleNames),
  decaySteps: fc.integer({ min: LIMITS.decaySteps[0], max: LIMITS.decaySteps[1] }),
  // -0 is a number in range whose text is '0': the link cannot tell it from 0, and 0 is what it means.
  weightDecay: fc.oneof(fc.constant(0), fc.double({ min: LIMITS.weightDecay[0], max: LIMITS.weightDecay[1], noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0))),
  batchSize: fc.integer({ min: LIMITS.batchSize[0], max: LIMITS.batchSize[1] }),
  seed: fc.integer({ min: LIMITS.seed[0], max: LIMITS.seed[1] }),
  kernels: fc.constantFrom(...KERNELS),
}));

describe('page state in the URL', () => {
  fcTest.prop([stateArb])('a good state comes back from its link unchanged, with no problems', (state) => {
    expect(problemsOf(state)).toEqual([]);
    expect(decodeState(encodeState(state), DEFAULT_STATE)).toEqual({ state, problems: [] });
  });

  it('leaves out what a link does not say: those settings stay as they were', () => {
    const before = { ...DEFAULT_STATE, seed: 7 };
    expect(decodeState('?lr=0.5', before)).toEqual({ state: { ...before, lr: 0.5 }, problems: [] });
    expect(decodeState('?layers=', before).state.layers).toEqual([]);
  });

  it('reads a schedule, its decay steps and the weight decay, and leaves them out of a link at their defaults', () => {
    const state = { ...DEFAULT_STATE, schedule: 'warmupCosine', decaySteps: 500, weightDecay: 0.0001 } as const;
    expect(encodeState(state)).toBe('?data=spiral&layers=16:tanh,16:tanh&loss=crossEntropy&opt=adam&lr=0.01&sched=warmupCosine&decay=500&wd=0.0001&batch=32&seed=0');
    expect(decodeState('?sched=cosine&decay=200&wd=0.001')).toEqual({ state: { ...DEFAULT_STATE, schedule: 'cosine', decaySteps: 200, weightDecay: 0.001 }, problems: [] });
    expect(encodeState(DEFAULT_STATE)).not.toMatch(/sched|decay|wd/);
  });

  it.each([
    ['?layers=0:tanh', 'hidden layer 1: width 0 is not a whole number of units ≥ 1; give a whole number from 1 to 256'],
    ['?layers=10000:tanh', 'hidden layer 1: width 10000 is too wide to train live; give a whole number from 1 to 256'],
    ['?layers=16:tanh,x:relu', "hidden layer 2: width 'x' is not a number; give a whole number from 1 to 256"],
    ['?layers=16:swish', "hidden layer 1: activation 'swish' is unknown; choose tanh, relu, sigmoid, leakyRelu, gelu, linear"],
    ['?layers=16', "layers: item 1 '16' is not width:activation, e.g. 16:tanh"],
    ['?lr=abc', "learning rate 'abc' is not a number; give one such as 0.01"],
    ['?lr=', "learning rate '' is not a number; give one such as 0.01"],
    ['?lr=100', 'learning rate 100 is outside 0.000001 to 10; give one such as 0.01'],
    ['?sched=linear', "learning-rate schedule 'linear' is unknown; choose constant, step, exponential, cosine, warmupCosine"],
    ['?sched=cosine&decay=0', 'decay steps 0 is not a whole number from 1 to 1000000'],
    ['?decay=1.5', 'decay steps 1.5 is not a whole number from 1 to 1000000'],
    ['?wd=-0.1', 'weight decay -0.1 is not a number from 0 to 1; give 0 for none or one such as 0.0001'],
    ['?wd=lots', "weight decay 'lots' is not a number from 0 to 1; give 0 for none or one such as 0.0001"],
    ['?batch=2.5', 'batch size 2.5 is not a whole number from 1 to 1024'],
    ['?seed=-1', 'seed -1 is not a whole number from 0 to 2147483646'],
    ['?data=mnist&loss=mae', "loss 'mae' does not fit MNIST digits (3000 to train, 1000 to test); choose crossEntropy, mse"],
    ['?data=exp&loss=crossEntropy', "loss 'crossEntropy' does not fit e^x; choose mse, mae"],
    ['?opt=adagrad', "optimiser 'adagrad' is unknown; choose sgd, adam, adamW, rmsprop, lion"],
    ['?kernels=gpu', "kernel set 'gpu' is unknown; choose fastest, wasm-simd, wasm-relaxed-simd, reference"],
    ['?data=moons', "data set 'moons' is not one the page has; choose spiral, circles, xor, blobs, mnist, exp, sinc, sinPlusCos"],
  ])('%s is refused, naming the setting and the fix, and the last good state is kept', (query, problem) => {
    const before = { ...DEFAULT_STATE, seed: 11 };
    expect(decodeState(query, before)).toEqual({ state: before, problems: [problem] });
  });

  it('names a layer count above the limit', () => {
    const layers = Array.from({ length: 9 }, () => '4:tanh').join(',');
    expect(decodeState(`?layers=${layers}`).problems).toEqual(['9 hidden layers: the page trains 0 to 8; remove some']);
  });
});
