/**
 * A disc inside a ring (TensorFlow Playground's "circle" set, with scikit-learn's make_circles options):
 * two classes that no line separates but one circle does, seeded.
 */
import { fromData } from '@chainrule/core';
import { finiteNonNegative, fraction } from './check-number.ts';
import type { LabelledPoints } from './labelled-points.ts';
import { checkOptions, checkSize, seeded, wholeNumber } from './validate.ts';

/** {@link circles}' options: the size of the set, the inner disc's radius, the noise and the seed. */
export interface CirclesOptions {
  /** Points per class (default 100). */
  readonly perClass?: number;
  /** Radius of the inner disc as a fraction of the outer ring's radius 1, in (0, 1) (default 0.5, as in TensorFlow Playground). */
  readonly factor?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0: the classes do not touch). */
  readonly noise?: number;
  /** Seed of the points and the noise (default 0): the same seed gives the same points. */
  readonly seed?: number;
}

/** Where the outer ring starts, as a share of the way from the disc's edge to radius 1: Playground's 0.7 for a disc of 0.5. */
const RING_START = 0.4;

/**
 * A disc of class 1 inside a ring of class 0, centred on the origin: class 0 first (radius from
 * factor + 0.4·(1 − factor) to 1), then class 1 (radius 0 to factor), at uniform angles. Without noise a
 * circle of radius between the two separates the classes; noise moves points, never their labels.
 * The noise is drawn even when it is 0, so changing it jitters the same points.
 *
 * @returns x: float32 [2·perClass, 2] within radius 1 (before noise); y: 0 for the ring, 1 for the disc.
 * @throws Error when perClass is not a whole number ≥ 1, factor is not in (0, 1), noise is not a finite
 *   number ≥ 0, seed is not a valid seed, or options is not an object.
 * @example
 * ```ts
 * import { circles } from '@chainrule/datasets';
 * const { x, y } = circles({ perClass: 100, noise: 0.05, seed: 0 });
 * x.shape;   // [200, 2]
 * y[150];    // 1 (the inner disc)
 * ```
 */
export function circles(options: CirclesOptions = {}): LabelledPoints {
  checkOptions('circles', options, '{ perClass: 100, seed: 0 }');
  const { perClass = 100, factor = 0.5, noise = 0, seed = 0 } = options;
  wholeNumber('circles', 'perClass', perClass, 1);
  fraction('circles', 'factor', factor, false, 'the inner disc\'s radius as a share of the outer ring\'s');
  finiteNonNegative('circles', 'noise', noise);
  checkSize('circles', `x of ${perClass}·2 points`, perClass * 2 * 2, 4);
  const rng = seeded('circles', seed);
  const n = perClass * 2;
  const xs = new Float32Array(n * 2);
  const y = new Int32Array(n);
  const ringStart = factor + RING_START * (1 - factor);
  const bands = [[ringStart, 1], [0, factor]] as const;
  for (let k = 0; k < 2; k++) {
    const [inner, outer] = bands[k]!;
    for (let i = 0; i < perClass; i++) {
      // Radius uniform (not area-uniform), as in Playground: the disc is densest at its centre, the ring even.
      const radius = inner + (outer - inner) * rng.uniform();
      const theta = 2 * Math.PI * rng.uniform();
      const at = k * perClass + i;
      xs[at * 2] = radius * Math.cos(theta) + noise * rng.normal();
      xs[at * 2 + 1] = radius * Math.sin(theta) + noise * rng.normal();
      y[at] = k;
    }
  }
  return { x: fromData(xs, [n, 2]), y };
}
