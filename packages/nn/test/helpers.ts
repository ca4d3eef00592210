/** Small seeded problems shared by the nn tests. */
import { fromData, Rng, type Tensor } from '@chainrule/core';
import { spiral as spiralData } from '@chainrule/datasets';

/** Three interleaved spirals in 2-D (the classic CS231n toy problem), labels 0..2. */
export const spiral = (perClass: number, seed: number): { x: Tensor; y: Int32Array } => spiralData({ perClass, seed });

/** y = 2x + 1 on n points of [-1, 1]. */
export function line(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = new Rng(seed);
  const xs = Float32Array.from({ length: n }, () => r.uniform() * 2 - 1);
  return { x: fromData(xs, [n, 1]), y: fromData(xs.map((v) => 2 * v + 1), [n, 1]) };
}

export const sameBits = (a: Tensor, b: Tensor): boolean =>
  a.dtype === b.dtype && a.size === b.size && Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)
    .equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
