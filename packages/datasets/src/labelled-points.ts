/** What the 2-D classification sets return: points and their classes, as spiral returns them. */
import type { Tensor } from '@chainrule/core';

/** Points and their classes, class by class: what `circles`, `xor` and `blobs` return (the shape `spiral` returns too). */
export interface LabelledPoints {
  /** float32 [n, d]: one point per row (d = 2 except for blobs with centers of another length), classes in order. */
  readonly x: Tensor;
  /** The class of each row of x, 0 … classes−1. */
  readonly y: Int32Array;
}
