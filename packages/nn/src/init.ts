/**
 * Weight initialisers. Each keeps the variance of activations roughly constant from layer to layer:
 * He (2/fanIn) for rectifiers, Xavier/Glorot (2/(fanIn+fanOut)) for saturating units, LeCun (1/fanIn).
 */
import { type DType, type Rng, randn, randUniform, zeros, type Tensor } from '@chainrule/core';
import type { ActivationName } from './activations.ts';
import { lookup } from './names.ts';

export type InitName =
  | 'auto' | 'he' | 'heNormal' | 'heUniform' | 'xavier' | 'xavierNormal' | 'xavierUniform'
  | 'glorot' | 'glorotNormal' | 'glorotUniform' | 'lecun' | 'lecunNormal' | 'lecunUniform' | 'zeros';

export interface InitArgs {
  readonly shape: readonly number[];
  readonly fanIn: number;
  readonly fanOut: number;
  readonly rng: Rng;
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

export const initNames: readonly InitName[] = ['auto', ...(Object.keys(INITIALIZERS) as InitName[])];

/** What 'auto' means for an activation: He for rectifiers, Xavier for the rest. */
export const autoInit = (act: ActivationName): Exclude<InitName, 'auto'> =>
  act === 'relu' || act === 'leakyRelu' || act === 'gelu' ? 'he' : 'xavier';

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

export function initialize(name: InitName, act: ActivationName, args: InitArgs): Tensor {
  const resolved = name === 'auto' ? autoInit(act) : name;
  return lookup('initializer', INITIALIZERS, resolved)(args);
}
