/**
 * The nn bad-input catalogue: each case is a call a new user might make, and the message it must
 * give, checked before the first training step. Grouped by class, as counted in issue 11's closing note.
 */
import { fromData, log, Rng, sqrt, tensor, zeros, type Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { userErrorCases } from '../../../test-support/user-error-cases.ts';
import {
  accuracy, adam, decodeModel, dense, encodeSafetensors, evaluate, fit, MAX_PARAM_BYTES, meanSquaredError, MinMaxScaler, mlp, NonFiniteError, predict,
  sequential, sgd, StandardScaler, type FitOptions,
} from '../src/index.ts';
import { line } from './helpers.ts';

const quiet = { progress: false, monitor: { onWarning: () => {} } } as const;
const model = mlp([2, 8, 3], { hidden: 'tanh', output: 'softmax' });
const params = model.init(0);
const x = fromData(Float32Array.from({ length: 20 }, (_, i) => (i % 7) / 7), [10, 2]);
const y = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
const ce = { ...quiet, loss: 'crossEntropy' } as const satisfies FitOptions;
const regression = mlp([2, 3]);
const withNaN = (t: Tensor, at: number, value = Number.NaN) => {
  const d = t.data.slice();
  d[at] = value;
  return fromData(d, t.shape);
};


describe('silent wrong results', () => {
  userErrorCases([
    ['params of another model', () => fit(model, mlp([2, 16, 3]).init(0), { x, y }, ce), /^fit: parameter 'dense0\/w' has shape \[2,16\] but the model spec needs \[2,8\]/],
    ['params with an extra and a missing entry', () => fit(model, params.delete('dense1/b').set('extra/w', tensor([1])), { x, y }, ce), /^fit: parameter names do not match the model spec; missing: dense1\/b; unexpected: extra\/w$/],
    ['an Adam state built for another model', () => fit(model, params, { x, y }, { ...ce, optState: adam().init(mlp([2, 16, 3]).init(0)) }), /^fit: optState slot 'm' holds \[2,16\] for 'dense0\/w', but the parameter has shape \[2,8\]/],
    ['a smaller Adam state (the kernel would read past its slot)', () => fit(model, params, { x, y }, { ...ce, optState: adam().init(mlp([2, 4, 3]).init(0)) }), /^fit: optState slot 'm' holds \[2,4\] for 'dense0\/w', but the parameter has shape \[2,8\]/],
    ['an Adam state missing a parameter', () => fit(model, params, { x, y }, { ...ce, optState: adam().init(params.delete('dense1/b')) }), /^fit: optState slot 'm' does not match the params; missing: dense1\/b/],
    ['an SGD state given to Adam', () => fit(model, params, { x, y }, { ...ce, optState: sgd({ momentum: 0.9 }).init(params) }), /^fit: optState's slots do not match what adam keeps; missing: m, v; unexpected: velocity/],
    ['fit on zero samples', () => fit(model, params, { x: zeros([0, 2]), y: [] }, ce), /^fit: x has no samples \(shape \[0,2\]\); there is nothing to train on$/],
    ['evaluate on zero samples', () => evaluate(model, params, { x: zeros([0, 2]), y: [] }, { loss: 'crossEntropy' }), /^evaluate: x has no samples \(shape \[0,2\]\)/],
    ['validation with zero samples', () => fit(model, params, { x, y }, { ...ce, validation: { x: zeros([0, 2]), y: [] } }), /^fit: validation x has no samples \(shape \[0,2\]\); there is nothing to score$/],
    ['binaryCrossEntropy targets outside [0, 1]', () => fit(mlp([2, 1], { output: 'sigmoid' }), mlp([2, 1]).init(0), { x, y: tensor([0, 1, 2, 0, 1, 0, 1, 0, 1, 0]) }, { ...quiet, loss: 'binaryCrossEntropy' }), /^fit: binaryCrossEntropy takes targets in \[0, 1\]; y has 2 at sample 2, column 0$/],
    ['mse targets one column short', () => fit(regression, regression.init(0), { x, y: zeros([10, 2]) }, { ...quiet, loss: 'mse' }), /^fit: y has shape \[10,2\] but layer 'dense0' outputs \[10,3\]; mse needs them to match$/],
    ['accuracy of no predictions (was 0)', () => accuracy(zeros([0, 3]), []), /^accuracy: there are no predictions to score \(shape \[0,3\]\)$/],
    ['mse of no predictions (was 0)', () => meanSquaredError(zeros([0, 1]), zeros([0, 1])), /^mse: there are no predictions to score/],
    ['a scaler fitted on no samples (was mean 0, std 1)', () => StandardScaler.fit(zeros([0, 2])), /^StandardScaler.fit: x has no samples \(shape \[0,2\]\); there is nothing to fit on$/],
    ['a scaler fitted on a NaN (a whole column of NaN)', () => MinMaxScaler.fit(tensor([[1], [Number.NaN]])), /^MinMaxScaler.fit: x has NaN at sample 1, feature 0$/],
    ['an optimiser update with a smaller state (was: the kernel read past its slot)', () => adam().update(regression.init(0), regression.init(1), adam().init(mlp([2, 2]).init(0))), /^adam.update: the 'm' slot holds \[2,2\] for 'dense0\/w', the parameter \[2,3\]/],
    ['mse given class labels', () => fit(regression, regression.init(0), { x, y }, { ...quiet, loss: 'mse' }), /^fit: mse compares y with the output \[10,3\] of layer 'dense0', so y must be a Tensor of that shape, not a list of labels$/],
  ]);
});

describe('non-finite values in the data are found up front, by sample and feature', () => {
  userErrorCases([
    ['NaN in x', () => fit(model, params, { x: withNaN(x, 2 * 6 + 1), y }, ce), /^fit: x has NaN at sample 6, feature 1$/],
    ['Infinity in x', () => fit(model, params, { x: withNaN(x, 0, Infinity), y }, ce), /^fit: x has Infinity at sample 0, feature 0$/],
    ['NaN in a regression target', () => fit(regression, regression.init(0), { x, y: withNaN(zeros([10, 3]), 3 * 4 + 2) }, { ...quiet, loss: 'mse' }), /^fit: y has NaN at sample 4, column 2$/],
    ['NaN in a label list', () => fit(model, params, { x, y: [0, 1, Number.NaN, 0, 1, 2, 0, 1, 2, 0] }, ce), /^fit: y has the number NaN at sample 2; labels must be integers$/],
    ['NaN in validation x', () => fit(model, params, { x, y }, { ...ce, validation: { x: withNaN(x, 3), y } }), /^fit: validation x has NaN at sample 1, feature 1$/],
    ['NaN in the starting params', () => fit(model, params.set('dense1/b', tensor([0, Number.NaN, 0])), { x, y }, ce), /^fit: parameter 'dense1\/b' has NaN at flat index 1$/],
    ['NaN in x for predict', () => predict(model, params, withNaN(x, 5)), /^predict: x has NaN at sample 2, feature 1$/],
  ]);
});

describe('late or unnamed errors (validation data named as such, TypeErrors from inside)', () => {
  userErrorCases([
    ['validation x of the wrong width', () => fit(model, params, { x, y }, { ...ce, validation: { x: zeros([4, 3]), y: [0, 1, 2, 0] } }), /^fit: validation x has 3 features; layer 'dense0' expects 2/],
    ['validation labels out of range', () => fit(model, params, { x, y }, { ...ce, validation: { x: zeros([4, 2]), y: [0, 1, 5, 0] } }), /^fit: validation y label 5 of sample 2 is out of range for the 3 classes of layer 'dense1' \(valid labels 0..2\)$/],
    ['validation x and y of different lengths', () => fit(model, params, { x, y }, { ...ce, validation: { x: zeros([4, 2]), y: [0, 1] } }), /^fit: validation x has 4 samples but validation y has 2/],
    ['validation that is not { x, y }', () => fit(model, params, { x, y }, { ...ce, validation: [x, y] as never }), /^fit: validation must be \{ x, y \}/],
    ['early stopping on a metric that is not computed (was: after the first epoch)', () => fit(model, params, { x, y }, { ...ce, earlyStopping: { monitor: 'accuracy' } }), /^fit: earlyStopping monitors 'accuracy', which is not computed/],
    ['early stopping on valLoss without validation data', () => fit(model, params, { x, y }, { ...ce, earlyStopping: { monitor: 'valLoss' } }), /^fit: earlyStopping monitors 'valLoss' but no validation data was given$/],
    ['no data', () => fit(model, params, undefined as never, ce), /^fit: data must be \{ x, y \}/],
    ['no options', () => fit(model, params, { x, y }, undefined as never), /^fit: options must be an object with at least \{ loss \}/],
    ['no loss', () => fit(model, params, { x, y }, { ...quiet } as never), /^fit: options.loss is missing/],
    ['no params', () => fit(model, undefined as never, { x, y }, ce), /^fit: params must be the Params of model.init\(seed\)/],
    ['a parameter that is not a tensor', () => fit(model, params.set('dense0/b', [0, 0] as never), { x, y }, ce), /^fit: parameter 'dense0\/b' is an array of length 2, not a Tensor$/],
    ['something that is not a model', () => fit({} as never, params, { x, y }, ce), /^fit: model must be a Model made by mlp\(…\) or sequential\(…\), got an object$/],
    ['an optimiser state that is not one', () => fit(model, params, { x, y }, { ...ce, optState: {} as never }), /^fit: optState must be an OptState made by an optimiser's init\(params\), got an object$/],
    ['predict on a nested array', () => predict(model, params, [[1, 2]] as never), /^predict: x must be a Tensor of shape \[samples, 2\], got an array of length 1$/],
    ['predict with params of another model', () => predict(model, mlp([2, 4, 3]).init(0), x), /^predict: parameter 'dense0\/w' has shape \[2,4\] but the model spec needs \[2,8\]/],
    ['evaluate with a 3-d x', () => evaluate(model, params, { x: zeros([2, 5, 2]), y: [0, 1] }), /^evaluate: x has shape \[2,5,2\]; layer 'dense0' expects \[samples, 2\]$/],
    ['labels in a [n, 2] tensor for crossEntropy', () => fit(model, params, { x, y: zeros([10, 2]) }, ce), /^fit: y has shape \[10,2\]; crossEntropy takes class labels \[10\] or one-hot rows \[10,3\] for the 3 outputs of layer 'dense1'$/],
    ['fractional labels', () => fit(model, params, { x, y: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0.5] }, ce), /^fit: y label 0.5 of sample 9 is not an integer; crossEntropy takes class labels 0..2$/],
  ]);
});

describe('wrong types get their own message', () => {
  userErrorCases([
    ['mlp with string widths', () => mlp(['2', '3'] as never), /^mlp: the width at index 0 must be a positive integer, got the string "2"$/],
    ['mlp with options that are not an object', () => mlp([2, 3], 'relu' as never), /^mlp: options must be \{ hidden, output, init, dtype \} or a list of activations, got the string "relu"$/],
    ['dense with string units', () => dense('3' as never), /^dense: units must be a positive integer, got the string "3"$/],
    ['dense with a string useBias', () => dense(3, { useBias: 'no' as never }), /^dense: useBias must be true or false, got the string "no"$/],
    ['sequential with a string input width', () => sequential([dense(3)], { inputs: '2' as never }), /^sequential: inputs must be a positive integer, got the string "2"$/],
    ['sequential with a number for options', () => sequential([dense(3)], 2 as never), /^sequential: options must be \{ inputs, dtype \}, got the number 2$/],
    ['init with a string seed', () => model.init('a' as never), /^model.init: give an integer seed or an Rng, got the string "a"$/],
    ['init with a fractional seed', () => model.init(0.5), /^model.init: seed must be an integer, got the number 0.5$/],
    ['a string seed for fit', () => fit(model, params, { x, y }, { ...ce, seed: 'a' as never }), /^fit: seed must be an integer, got the string "a"$/],
    ['string epochs', () => fit(model, params, { x, y }, { ...ce, epochs: '3' as never }), /^fit: epochs must be a whole number ≥ 0, got the string "3"$/],
    ['string batchSize', () => fit(model, params, { x, y }, { ...ce, batchSize: '4' as never }), /^fit: batchSize must be a positive integer, got the string "4"$/],
    ['a string shuffle', () => fit(model, params, { x, y }, { ...ce, shuffle: 'yes' as never }), /^fit: shuffle must be true or false, got the string "yes"$/],
    ['a transform that is not a function', () => fit(model, params, { x, y }, { ...ce, transform: 2 as never }), /^fit: transform must be a function \(x: Tensor\) => Tensor, got the number 2$/],
    ['a callback that is not a function', () => fit(model, params, { x, y }, { ...ce, callbacks: [{ onStep: 'log' as never }] }), /^fit: callbacks\[0\].onStep must be a function, got the string "log"$/],
    ['a string patience', () => fit(model, params, { x, y }, { ...ce, earlyStopping: { monitor: 'loss', patience: '3' as never } }), /^fit: earlyStopping.patience must be a whole number ≥ 0, got the string "3"$/],
    ['monitor options that are not an object', () => fit(model, params, { x, y }, { ...ce, monitor: true as never }), /^fit: monitor must be monitor options/],
    ['float64 x for a float32 model', () => fit(model, params, { x: x.cast('float64'), y }, ce), /^fit: x is float64 but the model is float32; cast it with .cast\('float32'\)$/],
    ['a string batchSize for predict', () => predict(model, params, x, { batchSize: '2' as never }), /^predict: batchSize must be a positive integer, got the string "2"$/],
    ['a string beta1 for Adam (was accepted)', () => adam({ beta1: '0.9' as never }), /^adam: beta1 must be in \[0, 1\), got the string "0.9"$/],
    ['a string clipNorm', () => sgd({ clipNorm: '1' as never }), /^sgd: clipNorm must be a finite number > 0, got the string "1"$/],
    ['a string nesterov', () => sgd({ momentum: 0.9, nesterov: 'yes' as never }), /^sgd: nesterov must be true or false, got the string "yes"$/],
    ['model.apply on a nested array', () => model.apply(params, [[1, 2]] as never), /^model.apply: x must be a Tensor of shape \[batch, 2\], got an array of length 1$/],
    ['accuracy of a nested array', () => accuracy([[1, 0]] as never, [0]), /^accuracy: predictions must be a Tensor, got an array of length 1$/],
    ['a scaler fitted on a nested array', () => StandardScaler.fit([[1]] as never), /^StandardScaler.fit: x must be a \[samples, features\] Tensor, got an array of length 1$/],
    ['safetensors from a plain object', () => encodeSafetensors({} as never), /^encodeSafetensors: tensors must be a map from names to tensors \(such as Params\), got an object$/],
    ['safetensors bytes as a plain array (was: "truncated")', () => decodeModel([1, 2] as never), /^safetensors data: expected the bytes as a Uint8Array/],
    ['metrics that are not a list', () => evaluate(model, params, { x, y }, { metrics: 'accuracy' as never }), /^evaluate: metrics must be a list of names such as \['accuracy'\], got the string "accuracy"$/],
  ]);
});

describe('huge sizes are refused before allocating, with the parameter and its size in bytes', () => {
  userErrorCases([
    ['mlp([1e5, 1e5, 1]).init(0)', () => mlp([1e5, 1e5, 1]).init(0), /^model.init: parameter 'dense0\/w' of shape \[100000,100000\] needs 40000000000 bytes \(37.3 GiB\) as float32; one parameter may take at most 2147483648 bytes/],
    ['a float64 layer just over the limit', () => mlp([2 ** 14, 2 ** 14 + 1], { dtype: 'float64' }).init(0), /^model.init: parameter 'dense0\/w' of shape \[16384,16385\] needs 2147614720 bytes \(2.0 GiB\) as float64/],
  ]);
  it('the limit is the one the message states', () => expect(MAX_PARAM_BYTES).toBe(2 ** 31));
});

describe('non-finite stops name the op, layer, parameter and step that produced them', () => {
  const stop = (run: () => unknown): NonFiniteError => {
    try { run(); } catch (e) {
      if (e instanceof NonFiniteError) return e;
      throw e;
    }
    throw new Error('training did not stop');
  };

  it('an overflowing loss (learning rate too large) names the op, the loss, the grown parameter and the step', () => {
    const m = mlp([1, 16, 1], { hidden: 'relu' });
    const e = stop(() => fit(m, m.init(0), line(32, 0), { ...quiet, loss: 'mse', optimizer: sgd({ lr: 5 }), epochs: 20, batchSize: 8 }));
    expect(e.culprit).toEqual({ op: 'square', layer: 'loss', pass: 'forward' });
    expect(e.parameter).toMatch(/^dense\d\/[wb]$/);
    expect(e.message).toMatch(new RegExp(`^training stopped at step ${e.step}: loss is Infinity.*first goes non-finite at op 'square' in the loss \\(forward pass\\): op 'square' produced Infinity .*Parameter '${e.parameter}' has grown to [\\d.]+e\\+\\d+: the learning rate is likely too large$`));
    expect(e.message).not.toMatch(/every gradient is finite$/);
  });

  it('an overflow inside a layer names that layer and its weight', () => {
    const m = mlp([1, 4, 1], { hidden: 'relu' });
    const p = m.init(0).set('dense0/w', tensor([[3e38, 3e38, 3e38, 3e38]]));
    const e = stop(() => fit(m, p, { x: tensor([[2], [3]]), y: tensor([[0], [0]]) }, { ...quiet, loss: 'mse', optimizer: sgd({ lr: 0.1 }) }));
    expect(e.step).toBe(0);
    expect(e.culprit).toEqual({ op: 'linear', layer: 'dense0', pass: 'forward' });
    expect(e.parameter).toBe('dense0/w');
    expect(e.message).toMatch(/at op 'linear' in layer 'dense0' \(forward pass\)/);
  });

  it('a gradient that overflows in a layer’s backward pass names that layer', () => {
    const m = mlp([1, 4, 1], { hidden: 'relu' });
    // dense0's relu is dead (bias −100), so the forward pass is finite; backward, dOut·Wᵀ overflows.
    const p = m.init(0).set('dense0/b', tensor([-100, -100, -100, -100])).set('dense1/w', tensor([[3e38], [3e38], [3e38], [3e38]])).set('dense1/b', tensor([100]));
    const e = stop(() => fit(m, p, line(8, 0), { ...quiet, loss: 'mse', optimizer: sgd({ lr: 0.1 }), batchSize: 8 }));
    expect(e.culprit).toMatchObject({ layer: 'dense1', pass: 'backward' });
    expect(e.message).toMatch(/^training stopped at step 0: loss is [\d.e+]+ but the gradient of 'dense0\/[wb]' is NaN.*in layer 'dense1' \(backward pass\)/);
  });

  it('log(0) in a custom loss names the log op in the loss', () => {
    const m = mlp([1, 4, 1], { hidden: 'relu', output: 'relu' });
    const p = m.init(0).set('dense1/b', tensor([-100]));
    const e = stop(() => fit(m, p, line(8, 0), { ...quiet, loss: (pred: Tensor) => log(pred).neg().mean(), optimizer: sgd({ lr: 0.1 }), batchSize: 4 }));
    expect(e.step).toBe(0);
    expect(e.culprit).toEqual({ op: 'log', layer: 'loss', pass: 'forward' });
    expect(e.message).toMatch(/first goes non-finite at op 'log' in the loss \(forward pass\): op 'log' produced -Infinity.*Look for log\(0\)/);
  });

  it('sqrt(0) in a custom loss is finite forward and found in the backward pass', () => {
    const m = mlp([1, 4, 1], { hidden: 'relu', output: 'relu' });
    const p = m.init(0).set('dense1/b', tensor([-100]));
    const e = stop(() => fit(m, p, line(8, 0), { ...quiet, loss: (pred: Tensor) => sqrt(pred).mean(), optimizer: sgd({ lr: 0.1 }), batchSize: 4 }));
    expect(e.culprit).toMatchObject({ layer: 'loss', pass: 'backward' });
    expect(e.message).toMatch(/^training stopped at step 0: loss is 0 but the gradient of 'dense\d\/[wb]' is NaN/);
  });

  it('the per-op checks are switched off again afterwards', async () => {
    const { isDebug } = await import('@chainrule/core');
    expect(isDebug()).toBe(false);
  });

  it('good data with a good seed still trains (the checks let it through)', () => {
    const r = new Rng(1);
    const data = { x: fromData(Float32Array.from({ length: 40 }, () => r.uniform()), [20, 2]), y: Int32Array.from({ length: 20 }, (_, i) => i % 3) };
    expect(() => fit(model, params, data, { ...ce, epochs: 2, batchSize: 5, validation: data, metrics: ['accuracy'], earlyStopping: { monitor: 'valAccuracy' } })).not.toThrow();
  });
});

describe('the finite check of large data (screened by the kernel set’s sum of squares, chunk by chunk)', () => {
  const wide = mlp([1000, 2], { output: 'softmax' });
  const rows = 200; // 200 000 values: the NaN below is in the fourth chunk of 65 536
  const labels = new Int32Array(rows);

  it('names a NaN past the first chunk by sample and feature', () => {
    const d = new Float32Array(rows * 1000);
    d[199_999] = Number.NaN;
    expect(() => fit(wide, wide.init(0), { x: fromData(d, [rows, 1000]), y: labels }, { ...ce, epochs: 0 })).toThrow(/^fit: x has NaN at sample 199, feature 999$/);
  });

  it('lets float64 values whose squares overflow through: only a non-finite value is an error', () => {
    const m = mlp([2, 3], { dtype: 'float64', output: 'softmax' });
    const d = new Float64Array(200).fill(1e200);
    expect(() => fit(m, m.init(0), { x: fromData(d, [100, 2]), y: new Int32Array(100) }, { ...ce, epochs: 0 })).not.toThrow();
    d[151] = -Infinity;
    expect(() => fit(m, m.init(0), { x: fromData(d, [100, 2]), y: new Int32Array(100) }, { ...ce, epochs: 0 })).toThrow(/^fit: x has -Infinity at sample 75, feature 1$/);
  });
});
