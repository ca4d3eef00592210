/**
 * Synthetic regression data: a function of one or two variables sampled on a range,
 * uniformly at random or on a grid, with optional Gaussian noise, seeded.
 */
import { describeValue, Rng, fromData, type DType, type Tensor } from '@chainrule/core';
import { meshgrid } from './meshgrid.ts';
import { checkSize, seeded } from './validate.ts';

/** An interval [low, high] of one input, low < high, both finite. */
export type Range = readonly [number, number];

/** A named target function with its default domain (one range per input). */
export interface SyntheticFunction {
  /** Its name, such as 'sinc'. */
  readonly name: string;
  /** How many variables it takes. */
  readonly inputs: 1 | 2;
  /** The range sampled by default, one per input. */
  readonly domain: readonly Range[];
  /** The function itself, one number per input. */
  readonly f: (...xs: number[]) => number;
}

/**
 * sin(x)/x with its removable singularity filled in: 1 at 0.
 *
 * @example
 * ```ts
 * import { sincValue } from '@chainrule/datasets';
 * sincValue(0);         // 1
 * sincValue(Math.PI);   // about 3.9e-17
 * ```
 */
export const sincValue = (x: number): number => (x === 0 ? 1 : Math.sin(x) / x);

/**
 * The seed project's targets, by name: pass the name (or the object) to {@link sampleFunction}.
 *
 * @example
 * ```ts
 * import { functions } from '@chainrule/datasets';
 * functions.sinc.domain;   // [[-15, 15]]
 * functions.exp.f(1);      // 2.718…
 * ```
 */
export const functions = {
  /** e^x */
  exp: {
    /** 'exp' */
    name: 'exp',
    /** One input. */
    inputs: 1,
    /** x in [-2, 2]. */
    domain: [[-2, 2]],
    /** Math.exp. */
    f: (x: number) => Math.exp(x),
  },
  /** sin(x)/x, several oscillations on the default range */
  sinc: {
    /** 'sinc' */
    name: 'sinc',
    /** One input. */
    inputs: 1,
    /** x in [-15, 15]: about five oscillations each side of the peak. */
    domain: [[-15, 15]],
    /** {@link sincValue}. */
    f: sincValue,
  },
  /** sin(x) + cos(y) on [-π, π]² */
  sinPlusCos: {
    /** 'sinPlusCos' */
    name: 'sinPlusCos',
    /** Two inputs, x and y. */
    inputs: 2,
    /** x and y each in [-π, π]. */
    domain: [[-Math.PI, Math.PI], [-Math.PI, Math.PI]],
    /** sin(x) + cos(y). */
    f: (x: number, y: number) => Math.sin(x) + Math.cos(y),
  },
} as const satisfies Record<string, SyntheticFunction>;

/** The names of the built-in {@link functions}: 'exp', 'sinc' and 'sinPlusCos'. */
export type FunctionName = keyof typeof functions;

/** {@link sampleFunction}'s options: random points (`n`) or a grid (`grid`), the range, noise and randomness. */
export interface SampleOptions {
  /** Number of uniformly random points. Give this or `grid`, not both. */
  readonly n?: number;
  /** Points per axis of a regular grid (a number for every axis, or one per axis); ends included. */
  readonly grid?: number | readonly number[];
  /** One range for all inputs, or one per input; defaults to the function's domain. */
  readonly range?: Range | readonly Range[];
  /** Standard deviation of Gaussian noise added to y (0: none). */
  readonly noise?: number;
  /** Seed of the random points and the noise; needed (or `rng`) when either is random. */
  readonly seed?: number;
  /** A stream to draw from instead of a seed; it advances. */
  readonly rng?: Rng;
  /** dtype of x and y. Default float32. */
  readonly dtype?: DType;
}

/** Sampled inputs and targets, from {@link sampleFunction}. */
export interface SyntheticData {
  /** [n, d] inputs. */
  readonly x: Tensor;
  /** [n, 1] targets, noisy when `noise` > 0. */
  readonly y: Tensor;
  /** Number of points (the rows of x and y). */
  readonly n: number;
}

const isRange = (r: Range | readonly Range[]): r is Range => !Array.isArray(r[0]);

function resolve(fn: SyntheticFunction | FunctionName | ((...xs: number[]) => number), options: SampleOptions): { f: (...xs: number[]) => number; ranges: Range[] } {
  if (typeof fn === 'string') {
    const found = (functions as Record<string, SyntheticFunction>)[fn];
    if (!found) throw new Error(`sampleFunction: unknown function '${fn}'; built-ins are ${Object.keys(functions).join(', ')}`);
    fn = found;
  }
  const known = typeof fn === 'function' ? undefined : fn;
  const f = known ? known.f : (fn as (...xs: number[]) => number);
  const inputs = known?.inputs ?? (options.range && !isRange(options.range) ? options.range.length : Math.max(1, f.length));
  if (inputs !== 1 && inputs !== 2) throw new Error(`sampleFunction: functions of 1 or 2 variables are supported, got ${inputs}`);
  const given = options.range ?? known?.domain;
  if (!given) throw new Error('sampleFunction: pass { range: [low, high] } (or one range per input) for a plain function');
  const ranges: Range[] = isRange(given) ? Array.from({ length: inputs }, () => given) : [...given];
  if (ranges.length !== inputs) throw new Error(`sampleFunction: ${ranges.length} ranges given for a function of ${inputs} variable${inputs > 1 ? 's' : ''}`);
  ranges.forEach(([lo, hi], i) => {
    if (typeof lo !== 'number' || typeof hi !== 'number' || !(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new Error(`sampleFunction: range ${i} must be two finite numbers [low, high] with high > low, got ${describeValue(lo)} and ${describeValue(hi)}`);
    }
  });
  return { f, ranges };
}

/** The base stream: the caller's rng, or one made from the seed; only built when randomness is needed. */
function source(options: SampleOptions, why: string): Rng {
  if (options.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw new Error(`sampleFunction: rng must be an Rng (or pass { seed }), got ${describeValue(options.rng)}`);
    return options.rng;
  }
  if (options.seed !== undefined) return seeded('sampleFunction', options.seed);
  throw new Error(`sampleFunction: pass { seed } or { rng } (needed for ${why}) so the data are reproducible`);
}

const positiveInt = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !(Number.isInteger(v) && v >= 1)) throw new Error(`sampleFunction: ${what} must be a positive integer, got ${describeValue(v)}`);
  return v;
};

/**
 * Samples `fn` (a built-in name, a SyntheticFunction, or a plain function with `range`).
 * Grid points are ordered with x varying fastest (NumPy's meshgrid 'xy' order), so y reshaped
 * to [ny, nx] is an image with x along the columns.
 *
 * @returns x [n, d] (d = 1 or 2 inputs) and y [n, 1], both of `dtype` (float32 by default); y is
 *   f of the stored x, plus noise when `noise` > 0.
 * @throws Error when the name is unknown, the function takes other than 1 or 2 inputs, a range is
 *   missing or not [low, high] with low < high, not exactly one of `n` and `grid` is given, random
 *   points or noise have neither `seed` nor `rng`, or f returns a non-finite value (naming the point).
 * @example
 * ```ts
 * import { sampleFunction } from '@chainrule/datasets';
 * const train = sampleFunction('sinc', { n: 200, noise: 0.05, seed: 0 });   // x, y: [200, 1]
 * const grid = sampleFunction('sinPlusCos', { grid: 50 });                  // x [2500, 2], y [2500, 1]
 * const own = sampleFunction((x) => x * x, { range: [-1, 1], grid: 11 });
 * ```
 */
export function sampleFunction(fn: SyntheticFunction | FunctionName | ((...xs: number[]) => number), options: SampleOptions): SyntheticData {
  if (options === null || typeof options !== 'object') throw new Error(`sampleFunction: options must be an object such as { n: 100, seed: 0 } or { grid: 50 }, got ${describeValue(options)}`);
  const { f, ranges } = resolve(fn, options);
  const d = ranges.length;
  const dtype = options.dtype ?? 'float32';
  const alloc = (size: number) => (dtype === 'float64' ? new Float64Array(size) : new Float32Array(size));
  if ((options.n === undefined) === (options.grid === undefined)) throw new Error('sampleFunction: pass exactly one of { n } (random points) or { grid } (points per axis)');

  const noise = options.noise ?? 0;
  if (noise < 0 || !Number.isFinite(noise)) throw new Error(`sampleFunction: noise must be a finite standard deviation ≥ 0, got ${noise}`);
  const needs = options.n !== undefined ? (noise > 0 ? 'random points and noise' : 'random points') : noise > 0 ? 'noise' : undefined;
  const base = needs ? source(options, needs) : undefined;
  // Two independent streams: x from the clone, noise from the jumped base, so adding noise
  // does not move the x samples of a seed, and noise is not correlated with x.
  const xRng = base?.split();

  let x: Float32Array | Float64Array;
  let n: number;
  if (options.grid !== undefined) {
    const perAxis = typeof options.grid === 'number' ? Array.from({ length: d }, () => options.grid as number) : [...options.grid];
    if (perAxis.length !== d) throw new Error(`sampleFunction: grid has ${perAxis.length} axes for a function of ${d} variables`);
    perAxis.forEach((k, i) => positiveInt(k, `grid size of axis ${i}`));
    checkSize('sampleFunction', `a grid of ${perAxis.join('×')} points`, perAxis.reduce((a, b) => a * b, 1) * d, dtype === 'float64' ? 8 : 4);
    const axes = perAxis.map((k, i) => linspaceValues(ranges[i]![0], ranges[i]![1], k));
    const cols = d === 1 ? [axes[0]!] : meshgrid(axes[0]!, axes[1]!).map((t) => t.data);
    n = cols[0]!.length;
    x = alloc(n * d);
    for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) x[i * d + j] = cols[j]![i]!;
  } else {
    n = positiveInt(options.n, 'n');
    checkSize('sampleFunction', `${n} points of ${d} input${d > 1 ? 's' : ''}`, n * d, dtype === 'float64' ? 8 : 4);
    x = alloc(n * d);
    for (let i = 0; i < n * d; i++) {
      const [lo, hi] = ranges[i % d]!;
      x[i] = lo + (hi - lo) * xRng!.uniform();
    }
  }

  // f sees the stored (possibly float32-rounded) inputs, so y is exactly f(x) of the returned x.
  const y = alloc(n);
  for (let i = 0; i < n; i++) {
    const v = d === 1 ? f(x[i]!) : f(x[2 * i]!, x[2 * i + 1]!);
    // Stored in a typed array, a string or undefined would silently become NaN.
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const at = d === 1 ? `x = ${x[i]}` : `x = ${x[2 * i]}, y = ${x[2 * i + 1]}`;
      throw new Error(`sampleFunction: the function returned ${describeValue(v)} at sample ${i} (${at}); pick a range where it is finite`);
    }
    y[i] = v;
  }
  if (noise > 0) for (let i = 0; i < n; i++) y[i] = y[i]! + noise * base!.normal();
  return { x: fromData(x, [n, d]), y: fromData(y, [n, 1]), n };
}

/** `k` evenly spaced float64 values from lo to hi, both included. */
function linspaceValues(lo: number, hi: number, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) out[i] = k === 1 ? lo : lo + ((hi - lo) * i) / (k - 1);
  return out;
}
