/** Reference optimiser updates and the sum of squares behind gradient norms: plain loops, the oracle. */
import type { TypedArray } from '../../dtype.ts';
import type { AdamConstants, RmspropConstants, SgdConstants } from '../kernels.ts';

/** Values this small are flushed to zero: subnormals make the float kernels very slow. */
const TINY = 1e-30;
const flush = (v: number): number => (v < TINY && v > -TINY ? 0 : v);

export function sumSquares(x: TypedArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

export function sgdStep(p: TypedArray, g: TypedArray, vel: TypedArray | null, outP: TypedArray, outVel: TypedArray | null, c: SgdConstants): void {
  const { lr, momentum, nesterov, weightDecay: wd } = c;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + wd * p[i]!;
    if (!vel || !outVel) { outP[i] = p[i]! - lr * gi; continue; }
    const vi = flush(momentum * vel[i]! + gi);
    outVel[i] = vi;
    outP[i] = p[i]! - lr * (nesterov ? gi + momentum * vi : vi);
  }
}

export function adamStep(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, outP: TypedArray, outM: TypedArray, outV: TypedArray, c: AdamConstants): void {
  const { b1, b2, eps, stepSize, invRootC2, l2, keep } = c;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const gi = g[i]! + l2 * pi;
    const mi = flush(b1 * m[i]! + (1 - b1) * gi);
    const vi = flush(b2 * v[i]! + (1 - b2) * gi * gi);
    outM[i] = mi;
    outV[i] = vi;
    outP[i] = pi * keep - (stepSize * mi) / (Math.sqrt(vi) * invRootC2 + eps);
  }
}

export function rmspropStep(p: TypedArray, g: TypedArray, sq: TypedArray, vel: TypedArray | null, outP: TypedArray, outSq: TypedArray, outVel: TypedArray | null, c: RmspropConstants): void {
  const { lr, rho, eps, momentum, weightDecay: wd } = c;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + wd * p[i]!;
    const si = flush(rho * sq[i]! + (1 - rho) * gi * gi);
    outSq[i] = si;
    const u = gi / (Math.sqrt(si) + eps);
    if (vel && outVel) {
      const bi = flush(momentum * vel[i]! + u);
      outVel[i] = bi;
      outP[i] = p[i]! - lr * bi;
    } else outP[i] = p[i]! - lr * u;
  }
}
