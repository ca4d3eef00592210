/** Seeded randomness on pure-rand: the same seed gives the same numbers on every machine. */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { allocate, type DType } from './dtype.ts';
import { checkShape, sizeOf, type Shape } from './shape.ts';
import { Tensor } from './tensor.ts';

/** A random stream. `split()` gives an independent stream, so parts of a program don't share draws. */
export class Rng {
  readonly #gen: JumpableRandomGenerator;
  #spare: number | undefined;

  constructor(seed: number | JumpableRandomGenerator) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    this.#gen = typeof seed === 'number' ? xoroshiro128plus(seed | 0) : seed;
  }

  /** Uniform in [0, 1). */
  uniform(): number { return uniformFloat64(this.#gen); }

  /** Standard normal (Box–Muller, both values used). */
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

  /** An integer in [0, n). */
  int(n: number): number { return Math.floor(this.uniform() * n); }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }

  /** An independent stream: this one jumps 2^64 steps ahead and the clone keeps the old position. */
  split(): Rng {
    const child = this.#gen.clone();
    this.#gen.jump();
    return new Rng(child);
  }
}

export const rng = (seed: number): Rng => new Rng(seed);

export interface RandomOptions {
  readonly rng?: Rng;
  readonly seed?: number;
  readonly dtype?: DType;
  readonly name?: string;
}

function sourceOf(where: string, options: RandomOptions): Rng {
  if (options.rng) return options.rng;
  if (options.seed !== undefined) return new Rng(options.seed);
  throw new Error(`${where}: pass { rng } or { seed } so results are reproducible`);
}

function fill(where: string, shape: Shape, options: RandomOptions, draw: (r: Rng) => number): Tensor {
  checkShape(where, shape);
  const r = sourceOf(where, options);
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(r);
  return new Tensor(data, shape, undefined, options.name);
}

/** Normal samples with the given mean and standard deviation. */
export const randn = (shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor =>
  fill('randn', shape, options, (r) => (options.mean ?? 0) + (options.std ?? 1) * r.normal());

/** Uniform samples in [low, high). */
export const randUniform = (shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor => {
  const [low, high] = [options.low ?? 0, options.high ?? 1];
  if (!(high > low)) throw new Error(`randUniform: high (${high}) must exceed low (${low})`);
  return fill('randUniform', shape, options, (r) => low + (high - low) * r.uniform());
};
