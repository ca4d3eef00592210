/**
 * The matmul shapes and the MNIST MLP every system in the benchmark is timed on.
 * The shapes live in peers/shapes.json so the Python peers read the same list.
 */
import { readFileSync } from 'node:fs';

export interface MatmulShape {
  /** '<form> m×k×n', e.g. 'Aᵀ·B 784×64×128'. Used as the column / row key everywhere. */
  readonly key: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** A is stored k×m and used transposed. */
  readonly ta: boolean;
  /** B is stored n×k and used transposed. */
  readonly tb: boolean;
  readonly use: string;
}

const shapesFile = new URL('../peers/shapes.json', import.meta.url);

export const MATMUL_SHAPES: readonly MatmulShape[] = (
  JSON.parse(readFileSync(shapesFile, 'utf8')) as { shapes: MatmulShape[] }
).shapes;

export const matmulFlop = (s: MatmulShape): number => 2 * s.m * s.k * s.n;

/** The MNIST MLP of issue 6: 784-128-64-32-10, ReLU, softmax cross-entropy, SGD lr 0.01, batch 64. */
export const MLP = {
  layers: [784, 128, 64, 32, 10] as readonly number[],
  batch: 64,
  lr: 0.01,
  samples: 60_000,
} as const;

/**
 * FLOP of one epoch's matmuls: forward (2·in·out per sample and layer), weight gradient (same),
 * input gradient (same, except the first layer, whose input needs none) = 27.9 GFLOP.
 */
export const MLP_EPOCH_FLOP: number = (() => {
  let perSample = 0;
  for (let i = 0; i + 1 < MLP.layers.length; i++) {
    const f = 2 * MLP.layers[i]! * MLP.layers[i + 1]!;
    perSample += i === 0 ? 2 * f : 3 * f;
  }
  return perSample * MLP.samples;
})();
