/**
 * Interleaved spirals in 2-D, one arm per class (the CS231n toy problem): a small classification set
 * no linear model separates, seeded.
 */
import { describeValue, fromData, type Tensor } from '@chainrule/core';
import { checkOptions, checkSize, seeded, wholeNumber } from './validate.ts';

/** {@link spiral}'s options: the size of the set, its noise and its seed. */
export interface SpiralOptions {
  /** Points per arm (default 100). */
  readonly perClass?: number;
  /** Arms, i.e. classes (default 3). */
  readonly classes?: number;
  /** Standard deviation of the Gaussian noise on each point's angle, in radians (default 0.2). */
  readonly noise?: number;
  /** Seed of the noise (default 0): the same seed gives the same points. */
  readonly seed?: number;
}

/**
 * Interleaved spirals, one arm per class: x [classes·perClass, 2] in the unit disc; y the arm of each
 * point, class by class (0 … classes−1).
 *
 * @throws Error when perClass or classes is not a whole number ≥ 1, noise is not a finite number ≥ 0,
 *   seed is not a valid seed, or options is not an object.
 * @example
 * ```ts
 * import { spiral } from '@chainrule/datasets';
 * const { x, y } = spiral({ perClass: 100, classes: 3, seed: 0 });
 * x.shape;   // [300, 2]
 * y[150];    // 1
 * ```
 */
export function spiral(options: SpiralOptions = {}): {
  /** float32 [classes·perClass, 2]: each point's (x, y), arms in class order. */
  x: Tensor;
  /** The class of each point, 0 … classes−1. */
  y: Int32Array;
} {
  checkOptions('spiral', options, '{ perClass: 100, seed: 0 }');
  const { perClass = 100, classes = 3, noise = 0.2, seed = 0 } = options;
  wholeNumber('spiral', 'perClass', perClass, 1);
  wholeNumber('spiral', 'classes', classes, 1);
  if (typeof noise !== 'number' || !(noise >= 0) || noise === Infinity) throw new Error(`spiral: noise must be a finite number ≥ 0, got ${describeValue(noise)}`);
  checkSize('spiral', `x of ${perClass}·${classes} points`, perClass * classes * 2, 4);
  const rng = seeded('spiral', seed);
  const n = perClass * classes;
  const xs = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < perClass; i++) {
      // Radius grows from the centre outwards; each arm starts 4 radians after the previous one.
      const radius = i / perClass;
      const theta = k * 4 + 4 * radius + rng.normal() * noise;
      const at = k * perClass + i;
      xs[at * 2] = radius * Math.sin(theta);
      xs[at * 2 + 1] = radius * Math.cos(theta);
      y[at] = k;
    }
  }
  return { x: fromData(xs, [n, 2]), y };
}
