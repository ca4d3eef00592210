/**
 * Weight initialisers. Each keeps the variance of activations roughly constant from layer to layer:
 * He (2/fanIn) for rectifiers, Xavier/Glorot (2/(fanIn+fanOut)) for saturating units, LeCun (1/fanIn).
 */
import { type DType, type Rng, randn, randUniform, zeros, type Tensor } from '@chainrule/core';
import type { ActivationName } from './activations.ts';
import { lookup } from './names.ts';

/**
 * A weight initialiser: 'he' (normal, variance 2/fanIn), 'xavier' = 'glorot' (normal, 2/(fanIn +
 * fanOut)), 'lecun' (normal, 1/fanIn), each also as '…Normal' and '…Uniform' (uniform with the same
 * variance), 'zeros', or 'auto' (He for rectifiers, Xavier otherwise).
 */
export type InitName =
  | 'auto' | 'he' | 'heNormal' | 'heUniform' | 'xavier' | 'xavierNormal' | 'xavierUniform'
  | 'glorot' | 'glorotNormal' | 'glorotUniform' | 'lecun' | 'lecunNormal' | 'lecunUniform' | 'zeros';

/** What an initialiser is given. */
export interface InitArgs {
  /** The shape of the tensor to make. */
  readonly shape: readonly number[];
  /** Inputs per unit (a dense layer's input width). */
  readonly fanIn: number;
  /** Outputs per input (a dense layer's units). */
  readonly fanOut: number;
  /** The stream the values are drawn from. */
  readonly rng: Rng;
  /** 'float32' or 'float64'. */
  readonly dtype: DType;
}

type Initializer = (a: InitArgs) => Tensor;

const normal = (variance: (a: InitArgs) => number): Initializer => (a) =>
  randn(a.shape, { rng: a.rng, dtype: a.dtype, std: Math.sqrt(variance(a)) });
// Uniform on [-l, l] has variance l²/3, so l = √(3·variance).
const uniform = (variance: (a: InitArgs) => number): Initializer => (a) => {
  const limit = Math.sqrt(3 * variance(a));
  return randUniform(a.shape, { rng: a.rng, dtype: a.dtype, low: -limit, high: limit });
};

const he = (a: InitArgs) => 2 / a.fanIn;
const xavier = (a: InitArgs) => 2 / (a.fanIn + a.fanOut);
const lecun = (a: InitArgs) => 1 / a.fanIn;

const INITIALIZERS: Readonly<Record<Exclude<InitName, 'auto'>, Initializer>> = {
  he: normal(he), heNormal: normal(he), heUniform: uniform(he),
  xavier: normal(xavier), xavierNormal: normal(xavier), xavierUniform: uniform(xavier),
  glorot: normal(xavier), glorotNormal: normal(xavier), glorotUniform: uniform(xavier),
  lecun: normal(lecun), lecunNormal: normal(lecun), lecunUniform: uniform(lecun),
  zeros: (a) => zeros(a.shape, { dtype: a.dtype }),
};

/** Every {@link InitName}, 'auto' first. */
export const initNames: readonly InitName[] = ['auto', ...(Object.keys(INITIALIZERS) as InitName[])];

/** What 'auto' means for an activation: He for rectifiers, Xavier for the rest. */
export const autoInit = (act: ActivationName): Exclude<InitName, 'auto'> =>
  act === 'relu' || act === 'leakyRelu' || act === 'gelu' ? 'he' : 'xavier';

/** Throws, listing the valid names, unless `name` is a known initialiser. */
export function checkInit(name: unknown): InitName {
  if (name === 'auto') return name;
  lookup('initializer', { auto: null, ...INITIALIZERS }, name);
  return name as InitName;
}

/** The variance each initialiser aims for (tests compare sample variances against it). */
export function initVariance(name: Exclude<InitName, 'auto'>, fanIn: number, fanOut: number): number {
  if (name === 'zeros') return 0;
  const a = { fanIn, fanOut } as InitArgs;
  return name.startsWith('he') ? he(a) : name.startsWith('lecun') ? lecun(a) : xavier(a);
}

/**
 * A tensor of `args.shape` drawn by the named initialiser ('auto' resolved for the activation `act`).
 *
 * @throws Error for an unknown initialiser name, listing the valid ones.
 * @example
 * ```ts
 * import { Rng } from '@chainrule/core';
 * import { initialize } from '@chainrule/nn';
 * const w = initialize('auto', 'relu', { shape: [256, 64], fanIn: 256, fanOut: 64, rng: new Rng(0), dtype: 'float32' }); // He: std √(2/256)
 * ```
 */
export function initialize(name: InitName, act: ActivationName, args: InitArgs): Tensor {
  const resolved = name === 'auto' ? autoInit(act) : name;
  return lookup('initializer', INITIALIZERS, resolved)(args);
}
