/**
 * Interleaved spirals in 2-D, one arm per class (the CS231n toy problem): a small classification set
 * no linear model separates, seeded.
 */
import { fromData, Rng, type Tensor } from '@chainrule/core';

export interface SpiralOptions {
  /** Points per arm (default 100). */
  readonly perClass?: number;
  /** Arms, i.e. classes (default 3). */
  readonly classes?: number;
  /** Standard deviation of the Gaussian noise on each point's angle, in radians (default 0.2). */
  readonly noise?: number;
  readonly seed?: number;
}

/** x [classes·perClass, 2] in the unit disc; y the arm of each point, class by class (0 … classes−1). */
export function spiral(options: SpiralOptions = {}): { x: Tensor; y: Int32Array } {
  const { perClass = 100, classes = 3, noise = 0.2, seed = 0 } = options;
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`spiral: perClass must be a whole number ≥ 1, got ${perClass}`);
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`spiral: classes must be a whole number ≥ 1, got ${classes}`);
  if (!(noise >= 0)) throw new Error(`spiral: noise must be ≥ 0, got ${noise}`);
  const rng = new Rng(seed);
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
