/**
 * The four quadrants of a square, opposite quadrants in the same class (TensorFlow Playground's "XOR"
 * set): the classic problem a single neuron cannot learn, seeded.
 */
import { fromData } from '@chainrule/core';
import { finiteNonNegative, fraction } from './check-number.ts';
import type { LabelledPoints } from './labelled-points.ts';
import { checkOptions, checkSize, seeded, wholeNumber } from './validate.ts';

/** {@link xor}'s options: the size of the set, the gap along the axes, the noise and the seed. */
export interface XorOptions {
  /** Points per class (default 100), split evenly between the class's two quadrants. */
  readonly perClass?: number;
  /** Distance every point keeps from both axes, in [0, 1) (default 0.05, Playground's padding): the gap between the classes. */
  readonly margin?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0). */
  readonly noise?: number;
  /** Seed of the points and the noise (default 0): the same seed gives the same points. */
  readonly seed?: number;
}

/** Each class's two quadrants as the signs of (x, y): class 0 has x·y < 0, class 1 has x·y > 0. */
const QUADRANTS = [[[1, -1], [-1, 1]], [[1, 1], [-1, -1]]] as const;

/**
 * Points in the square [−1, 1]², labelled by the sign of x·y: class 0 (quadrants II and IV, x·y < 0)
 * first, then class 1 (quadrants I and III, x·y > 0), alternating between a class's two quadrants.
 * Each coordinate's size is uniform in [margin, 1]. Noise moves points (some across an axis), never their
 * labels; it is drawn even when it is 0, so changing it jitters the same points.
 *
 * @returns x: float32 [2·perClass, 2]; y: 1 where x·y > 0 before noise, else 0.
 * @throws Error when perClass is not a whole number ≥ 1, margin is not in [0, 1), noise is not a finite
 *   number ≥ 0, seed is not a valid seed, or options is not an object.
 * @example
 * ```ts
 * import { xor } from '@chainrule/datasets';
 * const { x, y } = xor({ perClass: 100, seed: 0 });
 * x.shape;                          // [200, 2]
 * x.data[0] * x.data[1] < 0;        // true: y[0] is 0
 * ```
 */
export function xor(options: XorOptions = {}): LabelledPoints {
  checkOptions('xor', options, '{ perClass: 100, seed: 0 }');
  const { perClass = 100, margin = 0.05, noise = 0, seed = 0 } = options;
  wholeNumber('xor', 'perClass', perClass, 1);
  fraction('xor', 'margin', margin, true, 'the gap each point keeps from the axes, in a square of half-width 1');
  finiteNonNegative('xor', 'noise', noise);
  checkSize('xor', `x of ${perClass}·2 points`, perClass * 2 * 2, 4);
  const rng = seeded('xor', seed);
  const n = perClass * 2;
  const xs = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let k = 0; k < 2; k++) {
    for (let i = 0; i < perClass; i++) {
      const [sx, sy] = QUADRANTS[k]![i % 2]!;
      const at = k * perClass + i;
      xs[at * 2] = sx * (margin + (1 - margin) * rng.uniform()) + noise * rng.normal();
      xs[at * 2 + 1] = sy * (margin + (1 - margin) * rng.uniform()) + noise * rng.normal();
      y[at] = k;
    }
  }
  return { x: fromData(xs, [n, 2]), y };
}
