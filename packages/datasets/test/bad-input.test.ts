/**
 * The datasets bad-input catalogue: each case is a call a new user might make, and the message it must
 * give. Grouped by class, as counted in issue 11's closing note.
 */
import { Rng, tensor, zeros } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { userErrorCases } from '../../../test-support/user-error-cases.ts';
import { encodeIdx, meshgrid, shiftImages, parseIdx, sampleFunction, spiral, trainTestSplit } from '../src/index.ts';
import { readIdx } from '../src/node.ts';


describe('silent wrong results', () => {
  userErrorCases([
    ['spiral(100) is not quietly spiral()', () => spiral(100 as never), /^spiral: options must be an object such as \{ perClass: 100, seed: 0 \}, got the number 100$/],
    ['a function that is NaN on part of the range', () => sampleFunction((v: number) => Math.log(v), { n: 10, range: [-1, 1], seed: 0 }), /^sampleFunction: the function returned the number NaN at sample \d+ \(x = -[\d.]+\); pick a range where it is finite$/],
    ['a function returning a string', () => sampleFunction(() => 'a' as never, { grid: 3, range: [0, 1] }), /returned the string "a" at sample 0 \(x = 0\)/],
    ['a NaN coordinate in meshgrid', () => meshgrid([0, Number.NaN], [1, 2]), /^meshgrid: xs\[1\] is the number NaN; coordinates must be finite numbers$/],
    ['a split that leaves no test rows', () => trainTestSplit(zeros([3, 2]), zeros([3]), { seed: 0, testFraction: 0.1 }), /testFraction 0.1 of 3 rows leaves 3 rows for training and 0 for testing; both need at least one/],
    ['ubyte values above 255 (DataView wrapped 300 to 44)', () => encodeIdx('ubyte', [2], [1, 300]), /^encodeIdx: the value at index 1 is the number 300, not an integer in 0..255, as ubyte needs$/],
    ['fractional values in an int file (were truncated)', () => encodeIdx('int', [2], [1, 2.5]), /^encodeIdx: the value at index 1 is the number 2.5, not an integer in -2147483648..2147483647, as int needs$/],
    ['a dimension beyond uint32 (wrapped to 0 in the header)', () => encodeIdx('ubyte', [2 ** 32], []), /^encodeIdx: dimension 0 must be a whole number from 0 to 2\^32 − 1 \(a uint32 in the header\), got the number 4294967296$/],
    ['a split that leaves no training rows', () => trainTestSplit(zeros([3, 2]), zeros([3]), { seed: 0, testFraction: 0.9 }), /leaves 0 rows for training and 3 for testing/],
  ]);
});

describe('wrong types', () => {
  userErrorCases([
    ['a string perClass', () => spiral({ perClass: '10' as never }), /^spiral: perClass must be a whole number ≥ 1, got the string "10"$/],
    ['a string noise', () => spiral({ noise: '0.1' as never }), /^spiral: noise must be a finite number ≥ 0, got the string "0.1"$/],
    ['a string seed', () => spiral({ seed: 'a' as never }), /^spiral: .*seed/],
    ['a string n', () => sampleFunction('exp', { n: '5' as never, seed: 0 }), /^sampleFunction: n must be a positive integer, got the string "5"$/],
    ['a string range', () => sampleFunction('exp', { n: 5, seed: 0, range: ['0', '1'] as never }), /^sampleFunction: range 0 must be two finite numbers \[low, high\] with high > low, got the string "0" and the string "1"$/],
    ['a number as the rng', () => sampleFunction('exp', { n: 5, rng: 3 as never }), /^sampleFunction: rng must be an Rng \(or pass \{ seed \}\), got the number 3$/],
    ['a string coordinate', () => meshgrid(['a', 1] as never, [1, 2]), /^meshgrid: xs\[0\] is the string "a"; coordinates must be finite numbers$/],
    ['a number as an axis', () => meshgrid([1, 2], 3 as never), /^meshgrid: ys must be a 1-d Tensor or an array of numbers, got the number 3$/],
    ['a nested array as x', () => trainTestSplit([[1], [2]] as never, tensor([1, 2]), { seed: 0 }), /^trainTestSplit: x must be a Tensor, got an array of length 2$/],
    ['labels as y', () => trainTestSplit(zeros([4, 2]), Int32Array.of(0, 1, 0, 1) as never, { seed: 0 }), /^trainTestSplit: y must be a Tensor, got an Int32Array \(to split a list of labels too, pick from it with the trainIndex and testIndex/],
    ['a string testFraction', () => trainTestSplit(zeros([4, 2]), zeros([4]), { seed: 0, testFraction: '0.5' as never }), /testFraction must be in \(0, 1\), got the string "0.5"/],
    ['a number as the rng of a split', () => trainTestSplit(zeros([4, 2]), zeros([4]), { rng: 1 as never }), /^trainTestSplit: rng must be an Rng/],
    ['a string maxShift', () => shiftImages(zeros([1, 784]), { maxShift: '2' as never, rng: new Rng(0) }), /^shiftImages: maxShift must be a whole number ≥ 0, got the string "2"$/],
    ['a seed where shiftImages wants an Rng', () => shiftImages(zeros([1, 784]), { maxShift: 2, rng: 0 as never }), /^shiftImages: rng must be an Rng, got the number 0$/],
    ['shiftImages without options', () => shiftImages(zeros([1, 784]), undefined as never), /^shiftImages: pass \{ maxShift, rng \}/],
    ['an unknown IDX type', () => encodeIdx('uint8' as never, [1], [1]), /^encodeIdx: unknown type the string "uint8"; valid types: 'ubyte', 'byte', 'short', 'int', 'float', 'double'$/],
    ['IDX bytes as a plain array', () => parseIdx([0, 0, 8, 1] as never), /^parseIdx: expected the file's bytes as a Uint8Array, got an array of length 4$/],
    ['a number as the IDX path', () => readIdx(3 as never), /^readIdx: path must be a file path string, got the number 3$/],
    ['a string limit for readIdx', () => readIdx('x.idx', { limit: '2' as never }), /^readIdx: limit must be a non-negative integer, got the string "2"$/],
    ['a string shuffle', () => trainTestSplit(zeros([4, 2]), zeros([4]), { seed: 0, shuffle: 'no' as never }), /^trainTestSplit: shuffle must be true or false, got the string "no"$/],
  ]);
});

describe('late or unnamed errors', () => {
  userErrorCases([
    ['sampleFunction without options', () => sampleFunction('exp', undefined as never), /^sampleFunction: options must be an object such as \{ n: 100, seed: 0 \} or \{ grid: 50 \}, got undefined$/],
    ['meshgrid with options that are not an object', () => meshgrid([1], [2], 'ij' as never), /^meshgrid: options must be an object such as \{ indexing: 'ij' \}, got the string "ij"$/],
  ]);
});

describe('huge sizes are refused before allocating, with the size in bytes', () => {
  userErrorCases([
    ['a huge spiral', () => spiral({ perClass: 1e9, classes: 10 }), /^spiral: x of 1000000000·10 points would need 80000000000 bytes \(74.5 GiB\); one array may take at most 2147483648 bytes/],
    ['a huge random sample', () => sampleFunction('exp', { n: 1e10, seed: 0 }), /^sampleFunction: 10000000000 points of 1 input would need 40000000000 bytes/],
    ['a huge grid', () => sampleFunction('sinPlusCos', { grid: 1e5 }), /^sampleFunction: a grid of 100000×100000 points would need 80000000000 bytes/],
    ['a huge meshgrid', () => meshgrid(new Float64Array(1e5), new Float64Array(1e5)), /^meshgrid: a 100000×100000 grid would need 80000000000 bytes/],
  ]);
});

describe('the checks let good calls through', () => {
  it('a split of 5 rows at 0.2 and an Rng work', () => {
    expect(trainTestSplit(zeros([5, 2]), zeros([5]), { rng: new Rng(1) }).xTest.shape).toEqual([1, 2]);
    expect(sampleFunction((v: number) => v, { grid: 3, range: [0, 1] }).y.shape).toEqual([3, 1]);
  });
});
