/**
 * Gaussian blobs, one per class (TensorFlow Playground's "Gaussian" set, with scikit-learn's make_blobs
 * options): the easy case, separable by lines when the blobs are apart, seeded.
 */
import { describeValue, fromData } from '@chainrule/core';
import { finiteNonNegative } from './check-number.ts';
import type { LabelledPoints } from './labelled-points.ts';
import { checkOptions, checkSize, seeded, wholeNumber } from './validate.ts';

/** {@link blobs}' options: the size of the set, where the blobs sit, their spread and the seed. */
export interface BlobsOptions {
  /** Points per blob (default 100). */
  readonly perClass?: number;
  /**
   * How many blobs, placed evenly on the circle of radius 0.5 starting at 45° (default 2: on the
   * diagonal, as in Playground), or their centres as points of one length d (then x is [n, d]).
   */
  readonly centers?: number | readonly (readonly number[])[];
  /** Standard deviation of each blob along every axis: the set's noise (default 0.15). */
  readonly std?: number;
  /** Seed of the points (default 0): the same seed gives the same points. */
  readonly seed?: number;
}

/** Radius of the circle a count of centres is spread on: blobs of std 0.15 stay inside the unit square. */
const CENTER_RADIUS = 0.5;

/**
 * The centres a count or a list gives, checked: a count spreads them on a circle (after checking the
 * set's size, so a huge count fails before any allocation); a list must be points of one length.
 */
function centerPoints(centers: unknown, perClass: number): readonly (readonly number[])[] {
  if (typeof centers === 'number') {
    wholeNumber('blobs', 'centers (a count)', centers, 1);
    checkSize('blobs', `x of ${perClass}·${centers} points of 2 coordinates`, perClass * centers * 2, 4);
    return Array.from({ length: centers }, (_, k) => {
      const theta = Math.PI / 4 + (2 * Math.PI * k) / centers;
      return [CENTER_RADIUS * Math.cos(theta), CENTER_RADIUS * Math.sin(theta)];
    });
  }
  if (!Array.isArray(centers) || centers.length === 0) {
    throw new Error(`blobs: centers must be a count ≥ 1 or a list of points such as [[0, 0], [1, 1]], got ${describeValue(centers)}`);
  }
  const first: unknown = centers[0];
  const d = Array.isArray(first) ? first.length : 0;
  centers.forEach((c: unknown, k) => {
    if (!Array.isArray(c) || c.length !== d || d === 0 || !c.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error(`blobs: centers[${k}] must be a point of ${d || 'one or more'} finite numbers like centers[0], got ${Array.isArray(c) ? `[${c.map((v) => (typeof v === 'number' ? v : describeValue(v))).join(', ')}]` : describeValue(c)}`);
    }
  });
  return centers as readonly (readonly number[])[];
}

/**
 * Isotropic Gaussian blobs, one per class: class k's points are centers[k] plus Gaussian noise of
 * standard deviation std on every axis, blob by blob.
 *
 * @returns x: float32 [perClass·blobs, d] (d = 2 when centers is a count); y: the blob of each point.
 * @throws Error when perClass is not a whole number ≥ 1, centers is neither a count ≥ 1 nor a non-empty
 *   list of points of one length with finite coordinates (naming the bad one), std is not a finite
 *   number ≥ 0, seed is not a valid seed, or options is not an object.
 * @example
 * ```ts
 * import { blobs } from '@chainrule/datasets';
 * const two = blobs({ perClass: 100, seed: 0 });                        // centres (±0.35, ±0.35)
 * const three = blobs({ centers: [[0, 0], [1, 0], [0, 1]], std: 0.1, seed: 1 });
 * two.x.shape;     // [200, 2]
 * three.y[250];    // 2
 * ```
 */
export function blobs(options: BlobsOptions = {}): LabelledPoints {
  checkOptions('blobs', options, '{ perClass: 100, centers: 3, seed: 0 }');
  const { perClass = 100, centers = 2, std = 0.15, seed = 0 } = options;
  wholeNumber('blobs', 'perClass', perClass, 1);
  const points = centerPoints(centers, perClass);
  finiteNonNegative('blobs', 'std', std);
  const d = points[0]!.length;
  const n = perClass * points.length;
  checkSize('blobs', `x of ${perClass}·${points.length} points of ${d} coordinates`, n * d, 4);
  const rng = seeded('blobs', seed);
  const xs = new Float32Array(n * d);
  const y = new Int32Array(n);
  points.forEach((center, k) => {
    for (let i = 0; i < perClass; i++) {
      const at = k * perClass + i;
      for (let j = 0; j < d; j++) xs[at * d + j] = center[j]! + std * rng.normal();
      y[at] = k;
    }
  });
  return { x: fromData(xs, [n, d]), y };
}
