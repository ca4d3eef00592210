import { describe, expect, it } from 'vitest';
import { gradcheck, randn, randUniform, Rng, rng, type Tensor } from '@chainrule/core';

const SEEDS = Array.from({ length: 1000 }, (_, s) => s);

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 for erf; error < 1.5e-7, far below the KS bound). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Kolmogorov–Smirnov statistic: the largest gap between the sample's CDF and `cdf`. */
function ksDistance(sample: readonly number[], cdf: (x: number) => number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted.reduce((d, x, i) => Math.max(d, Math.abs(cdf(x) - i / sorted.length), Math.abs(cdf(x) - (i + 1) / sorted.length)), 0);
}

// KS critical value at significance 0.001 for n samples: a fair stream fails this one time in a thousand.
const KS_CRITICAL = 1.95 / Math.sqrt(SEEDS.length);

/** The k-th draw (0-based) of each seed's fresh stream. */
const kthDraw = (k: number, draw: (r: Rng) => number) => SEEDS.map((s) => {
  const r = new Rng(s);
  for (let i = 0; i < k; i++) draw(r);
  return draw(r);
});

describe('the first draws of every seed are random', () => {
  it('the first and second uniforms over seeds 0..999 are U(0, 1) (Kolmogorov–Smirnov, α = 0.001)', () => {
    for (const k of [0, 1]) expect(ksDistance(kthDraw(k, (r) => r.uniform()), (x) => x)).toBeLessThan(KS_CRITICAL);
  });

  it('the first and second normals over seeds 0..999 are N(0, 1) (Kolmogorov–Smirnov, α = 0.001)', () => {
    for (const k of [0, 1]) expect(ksDistance(kthDraw(k, (r) => r.normal()), normalCdf)).toBeLessThan(KS_CRITICAL);
  });

  it('about 0.27 % of first and second normal draws lie beyond 3σ, not one in every seed', () => {
    // Binomial(1000, 0.0027) has mean 2.7; P(count ≥ 11) < 0.001.
    for (const k of [0, 1]) {
      const beyond = kthDraw(k, (r) => r.normal()).filter((v) => Math.abs(v) > 3).length;
      expect(beyond).toBeLessThanOrEqual(10);
    }
    const eitherBeyond = SEEDS.filter((s) => { const r = new Rng(s); return Math.abs(r.normal()) > 3 || Math.abs(r.normal()) > 3; }).length;
    expect(eitherBeyond).toBeLessThanOrEqual(16); // mean 5.4; P(≥ 17) < 0.001
  });

  it('neighbouring seeds give unrelated first draws (correlation of seed s and s + 1 near 0)', () => {
    const u = kthDraw(0, (r) => r.uniform());
    const centred = u.map((v) => v - 0.5);
    let cov = 0;
    for (let i = 0; i + 1 < centred.length; i++) cov += centred[i]! * centred[i + 1]!;
    const correlation = cov / (centred.length - 1) / (1 / 12);
    expect(Math.abs(correlation)).toBeLessThan(3.3 / Math.sqrt(centred.length)); // ~N(0, 1/n): |z| < 3.3
  });

  it('the examples from issue 11 now look like draws', () => {
    expect(new Rng(0).uniform()).toBeLessThan(0.999);
    const x = randn([4], { seed: 7 }).data;
    expect(Math.max(...x.map(Math.abs))).toBeLessThan(4);
  });

  it('keeps the stream reproducible and split streams apart', () => {
    expect(randn([5], { seed: 3 }).data).toEqual(randn([5], { seed: 3 }).data);
    expect(randn([5], { seed: 3 }).data).not.toEqual(randn([5], { seed: 4 }).data);
    const parent = rng(3), child = parent.split();
    expect(child.uniform()).not.toBe(parent.uniform());
  });

  it('takes the whole range of safe integers, negative ones too, each its own stream', () => {
    const firsts = [0, 1, -1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER].map((s) => rng(s).uniform());
    expect(new Set(firsts).size).toBe(firsts.length);
  });
});

describe('bad seeds', () => {
  describe('silent wrong results (once the same stream as another seed)', () => {
    it.each([
      [0.5, /Rng: seed must be an integer.*got 0\.5/],
      [2 ** 64, /Rng: seed must be a safe integer.*got 18446744073709552000/],
      [2 ** 53, /Rng: seed must be a safe integer.*got 9007199254740992/],
      [-(2 ** 60), /Rng: seed must be a safe integer/],
    ])('rng(%s) is refused', (seed, message) => {
      expect(() => rng(seed)).toThrow(message);
    });
  });

  describe('wrong types', () => {
    it.each([
      ['3', /Rng: seed must be a number, got the string "3"/],
      [3n, /Rng: seed must be a number, got the bigint 3n/],
      [null, /Rng: seed must be a number, got null/],
      [{}, /Rng: seed must be a number, got an object/],
    ])('new Rng(%o) is refused', (seed, message) => {
      expect(() => new Rng(seed as unknown as number)).toThrow(message);
    });
  });

  describe('non-finite numbers', () => {
    it.each([NaN, Infinity, -Infinity])('rng(%s) is refused', (seed) => {
      expect(() => rng(seed)).toThrow(new RegExp(`Rng: seed must be a finite integer.*got ${seed}`));
    });
  });

  describe('every function taking a seed names itself', () => {
    it('randn and randUniform', () => {
      expect(() => randn([2], { seed: 0.5 })).toThrow(/randn: seed must be an integer.*got 0\.5/);
      expect(() => randUniform([2], { seed: '1' as unknown as number })).toThrow(/randUniform: seed must be a number, got the string "1"/);
      expect(() => randn([2], { seed: NaN })).toThrow(/randn: seed must be a finite integer/);
    });

    it('gradcheck', () => {
      const x = randn([2], { seed: 0, dtype: 'float64' });
      expect(() => gradcheck((a: Tensor) => a.sin(), [x], { mode: 'random', seed: 1.5 })).toThrow(/gradcheck: seed must be an integer.*got 1\.5/);
    });
  });
});

describe('an Rng state round-trips', () => {
  /** The next draws of a stream, of each kind, so the test sees uniforms, normals and permutations. */
  const nextDraws = (r: Rng) => [r.uniform(), r.normal(), r.normal(), r.normal(), r.int(1000), ...r.permutation(8), r.uniform()];

  it('through JSON, bit for bit, including a waiting Box–Muller spare', () => {
    const r = new Rng(42);
    for (let i = 0; i < 17; i++) r.uniform();
    r.normal(); // leaves the second normal of the pair waiting
    const state = JSON.parse(JSON.stringify(r.state()));
    expect(state.spare).not.toBeNull();
    const copy = Rng.fromState(state);
    expect(nextDraws(copy)).toEqual(nextDraws(r));
  });

  it('without a spare, and after split (the jumped parent and the child each resume)', () => {
    const r = new Rng(7);
    const child = r.split();
    expect(r.state().spare).toBeNull();
    const [r2, child2] = [Rng.fromState(r.state()), Rng.fromState(child.state())];
    expect(nextDraws(r2)).toEqual(nextDraws(r));
    expect(nextDraws(child2)).toEqual(nextDraws(child));
  });

  it('state() is a snapshot: drawing on does not change it', () => {
    const r = new Rng(3);
    const s = r.state();
    const before = JSON.stringify(s);
    nextDraws(r);
    expect(JSON.stringify(s)).toBe(before);
    expect(JSON.stringify(r.state())).not.toBe(before);
  });

  it.each([
    [null, /Rng\.fromState: an Rng state must be \{ algorithm: 'xoroshiro128\+'.*got null/],
    [{ algorithm: 'mt19937', words: [1, 2, 3, 4], spare: null }, /algorithm the string "mt19937"; this Rng is 'xoroshiro128\+'/],
    [{ algorithm: 'xoroshiro128+', words: [1, 2, 3], spare: null }, /words must be 4 signed 32-bit integers/],
    [{ algorithm: 'xoroshiro128+', words: [1, 2, 3, 2 ** 31], spare: null }, /words must be 4 signed 32-bit integers/],
    [{ algorithm: 'xoroshiro128+', words: [1, 2, 3, 0.5], spare: null }, /words must be 4 signed 32-bit integers/],
    [{ algorithm: 'xoroshiro128+', words: [0, 0, 0, 0], spare: null }, /words are all zero/],
    [{ algorithm: 'xoroshiro128+', words: [1, 2, 3, 4], spare: 'x' }, /spare must be a finite number or null, got the string "x"/],
    [{ algorithm: 'xoroshiro128+', words: [1, 2, 3, 4] }, /spare must be a finite number or null, got undefined/],
  ])('a malformed state is refused with what is wrong: %o', (state, message) => {
    expect(() => Rng.fromState(state as never)).toThrow(message);
  });

  it('names the caller given as where', () => {
    expect(() => Rng.fromState({} as never, 'fit: resume.rng.shuffle')).toThrow(/^fit: resume\.rng\.shuffle: Rng state has algorithm undefined/);
  });
});
