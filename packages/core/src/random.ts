/**
 * Seeded randomness on pure-rand: the same seed gives the same numbers on every machine.
 * A seed is any safe integer (|seed| ≤ 2^53 − 1, negative ones too). It is mixed by splitmix64 into
 * xoroshiro128+'s 128-bit state, so neighbouring seeds (0, 1, 2…) start unrelated streams whose
 * first draws are as random as their millionth: xoroshiro128+ seeded raw starts near all-ones.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { describeValue } from './describe-value.ts';
import { type DType } from './dtype.ts';
import { allocate } from './backend/index.ts';
import { checkShape, sizeOf, type Shape } from './shape.ts';
import { Tensor } from './tensor.ts';

/**
 * The one check every seed goes through (Rng, rng, randn, randUniform, gradcheck, and through Rng
 * nn's init and fit and the datasets' generators). A seed that is not a safe integer is refused
 * rather than rounded or truncated, which would silently give it another seed's stream.
 */
export function checkSeed(where: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number') throw new Error(`${where}: seed must be a number, got ${describeValue(seed)}; seeds are integers with |seed| ≤ 2^53 − 1`);
  if (!Number.isFinite(seed)) throw new Error(`${where}: seed must be a finite integer, got ${seed}`);
  if (!Number.isInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${seed} (a fraction is not rounded: it would repeat another seed's stream)`);
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${where}: seed must be a safe integer (|seed| ≤ 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}), got ${seed}; ` +
      'beyond that neighbouring integers are not distinct numbers in JavaScript');
  }
}

const MASK64 = (1n << 64n) - 1n;

/** splitmix64 (Vigna's reference constants): a stream of well-mixed 64-bit words from any 64-bit seed. */
function* splitmix64(seed: bigint): Generator<bigint, never> {
  let state = seed & MASK64;
  for (;;) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    yield z ^ (z >> 31n);
  }
}

/**
 * xoroshiro128+ with its two 64-bit state words s0, s1 taken from splitmix64. pure-rand holds each as
 * signed 32-bit halves, [s0 high, s0 low, s1 high, s1 low]. The state is never all zero: splitmix64's
 * mix is a bijection that sends only 0 to 0, and its two inputs differ.
 */
function seededGenerator(seed: number): JumpableRandomGenerator {
  const words = splitmix64(BigInt(seed));
  const [s0, s1] = [words.next().value, words.next().value];
  const halves = (w: bigint) => [Number(BigInt.asIntN(32, w >> 32n)), Number(BigInt.asIntN(32, w))];
  return xoroshiro128plusFromState([...halves(s0), ...halves(s1)]);
}

/**
 * Everything a stream's future draws depend on, as plain JSON-able data: xoroshiro128+'s state as
 * pure-rand holds it (four signed 32-bit words) and the second Box–Muller normal, if one is waiting.
 */
export interface RngState {
  /** The generator: always 'xoroshiro128+' (a state from another generator is refused). */
  readonly algorithm: 'xoroshiro128+';
  /** The 128-bit state as four signed 32-bit integers: s0 high, s0 low, s1 high, s1 low; never all zero. */
  readonly words: readonly [number, number, number, number];
  /** The second normal of the last Box–Muller pair, which the next `normal()` returns; null when none waits. */
  readonly spare: number | null;
}

const isInt32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;

/** A state given back (from a file, say) has the shape `Rng.state()` makes; checked once, here. */
function checkRngState(where: string, state: unknown): asserts state is RngState {
  const expected = "{ algorithm: 'xoroshiro128+', words: [4 signed 32-bit integers], spare: number | null } as made by rng.state()";
  if (state === null || typeof state !== 'object') throw new Error(`${where}: an Rng state must be ${expected}, got ${describeValue(state)}`);
  const { algorithm, words, spare } = state as Record<string, unknown>;
  if (algorithm !== 'xoroshiro128+') throw new Error(`${where}: Rng state has algorithm ${describeValue(algorithm)}; this Rng is 'xoroshiro128+'`);
  if (!Array.isArray(words) || words.length !== 4 || !words.every(isInt32)) {
    throw new Error(`${where}: Rng state words must be 4 signed 32-bit integers, got ${describeValue(words)}`);
  }
  if (words.every((w) => w === 0)) throw new Error(`${where}: Rng state words are all zero, which xoroshiro128+ never reaches (it would draw only zeros)`);
  if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
    throw new Error(`${where}: Rng state spare must be a finite number or null, got ${describeValue(spare)}`);
  }
}

/**
 * A seeded random stream (xoroshiro128+): the same seed gives the same draws on every machine.
 * `split()` gives an independent stream, so parts of a program don't share draws; `state()` and
 * `Rng.fromState` save and resume a stream.
 *
 * @example
 * ```ts
 * import { Rng } from '@chainrule/core';
 * const r = new Rng(42);
 * const shuffled = r.permutation(10);         // Int32Array of 0..9 in random order
 * const w = randn([3, 3], { rng: r.split() });
 * ```
 */
export class Rng {
  readonly #gen: JumpableRandomGenerator;
  #spare: number | undefined;

  /**
   * `seed`: any safe integer, negative ones too; a pure-rand generator is taken as is (that is how `split` makes its child).
   *
   * @throws Error when the seed is not a safe integer (a fraction, NaN, a string, beyond ±(2^53 − 1)): it is never rounded.
   */
  constructor(seed: number | JumpableRandomGenerator) {
    if (isGenerator(seed)) this.#gen = seed;
    else {
      checkSeed('Rng', seed);
      this.#gen = seededGenerator(seed);
    }
  }

  /**
   * The stream's position, so a run can stop and continue in another process with the same draws:
   * `Rng.fromState(r.state())` draws exactly what `r` would. (A spare of -0 comes back as 0 through
   * JSON; as a normal draw the two are equal.)
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(r.state());
   * const again = Rng.fromState(JSON.parse(saved));   // draws what r draws next
   * ```
   */
  state(): RngState {
    const [a, b, c, d] = this.#gen.getState();
    return { algorithm: 'xoroshiro128+', words: [a!, b!, c!, d!], spare: this.#spare ?? null };
  }

  /**
   * The stream at a position `state()` gave, checked first; `where` names the caller in errors.
   *
   * @throws Error when `state` is not what `state()` makes (another algorithm, words that are not four
   *   signed 32-bit integers or are all zero, a spare that is not a finite number or null), saying which part.
   */
  static fromState(state: RngState, where = 'Rng.fromState'): Rng {
    checkRngState(where, state);
    const r = new Rng(xoroshiro128plusFromState([...state.words]));
    r.#spare = state.spare ?? undefined;
    return r;
  }

  /**
   * A uniform draw in [0, 1), with 53 random bits.
   *
   * @example
   * ```ts
   * new Rng(0).uniform();   // the same number on every machine
   * ```
   */
  uniform(): number { return uniformFloat64(this.#gen); }

  /** A standard normal draw (mean 0, standard deviation 1; Box–Muller, both values of a pair used). */
  normal(): number {
    if (this.#spare !== undefined) {
      const v = this.#spare;
      this.#spare = undefined;
      return v;
    }
    const u = 1 - this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * this.uniform();
    this.#spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  /**
   * An integer in [0, n), uniformly.
   *
   * @example
   * ```ts
   * const die = new Rng(7).int(6) + 1;
   * ```
   */
  int(n: number): number { return Math.floor(this.uniform() * n); }

  /**
   * A random permutation of 0..n-1 (Fisher–Yates), e.g. the order of an epoch's samples.
   *
   * @example
   * ```ts
   * new Rng(1).permutation(5);   // Int32Array(5) holding 0..4 in a seeded order
   * ```
   */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }

  /**
   * An independent stream: this one jumps 2^64 steps ahead and the clone keeps the old position, so the
   * two never overlap in practice.
   *
   * @example
   * ```ts
   * const root = new Rng(0);
   * const [init, shuffle] = [root.split(), root.split()];
   * ```
   */
  split(): Rng {
    const child = this.#gen.clone();
    this.#gen.jump();
    return new Rng(child);
  }
}

const isGenerator = (x: unknown): x is JumpableRandomGenerator =>
  typeof x === 'object' && x !== null && typeof (x as JumpableRandomGenerator).next === 'function' && typeof (x as JumpableRandomGenerator).jump === 'function';

/**
 * `new Rng(seed)`, as a function.
 *
 * @throws Error when the seed is not a safe integer.
 * @example
 * ```ts
 * import { rng } from '@chainrule/core';
 * const r = rng(1);
 * r.normal();
 * ```
 */
export const rng = (seed: number): Rng => new Rng(seed);

/** Where the random values of `randn` and `randUniform` come from, and what tensor they fill. Give `rng` or `seed`. */
export interface RandomOptions {
  /** The stream to draw from; it advances. Takes precedence over `seed`. */
  readonly rng?: Rng;
  /** A seed for a fresh stream (any safe integer), when no `rng` is given. */
  readonly seed?: number;
  /** 'float32' (default) or 'float64'. */
  readonly dtype?: DType;
  /** A label for the tensor (see `Tensor.name`). */
  readonly name?: string;
}

function sourceOf(where: string, options: RandomOptions): Rng {
  if (options.rng) return options.rng;
  if (options.seed !== undefined) {
    checkSeed(where, options.seed);
    return new Rng(options.seed);
  }
  throw new Error(`${where}: pass { rng } or { seed } so results are reproducible`);
}

function fill(where: string, shape: Shape, options: RandomOptions, draw: (r: Rng) => number): Tensor {
  checkShape(where, shape);
  const r = sourceOf(where, options);
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(r);
  return new Tensor(data, shape, undefined, options.name);
}

/**
 * A tensor of `shape` holding normal draws with mean `mean` (default 0) and standard deviation `std`
 * (default 1), from `options.rng` or a stream seeded with `options.seed`.
 *
 * @throws Error when neither `rng` nor `seed` is given (results must be reproducible), the seed is not a
 *   safe integer, or a dimension is not a non-negative integer.
 * @example
 * ```ts
 * import { randn } from '@chainrule/core';
 * const w = randn([784, 128], { seed: 0, std: Math.sqrt(2 / 784) });
 * ```
 */
export const randn = (shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor =>
  fill('randn', shape, options, (r) => (options.mean ?? 0) + (options.std ?? 1) * r.normal());

/**
 * A tensor of `shape` holding uniform draws in [low, high) (default [0, 1)), from `options.rng` or a
 * stream seeded with `options.seed`.
 *
 * @throws Error when high ≤ low, neither `rng` nor `seed` is given, the seed is not a safe integer, or a
 *   dimension is not a non-negative integer.
 * @example
 * ```ts
 * import { randUniform } from '@chainrule/core';
 * const x = randUniform([100, 1], { seed: 1, low: -2, high: 2 });
 * ```
 */
export const randUniform = (shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor => {
  const [low, high] = [options.low ?? 0, options.high ?? 1];
  if (!(high > low)) throw new Error(`randUniform: high (${high}) must exceed low (${low})`);
  return fill('randUniform', shape, options, (r) => low + (high - low) * r.uniform());
};
