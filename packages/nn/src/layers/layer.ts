/** What sequential needs from a layer once its input width is known. */
import type { DType, Rng, Tensor } from '@chainrule/core';
import type { ActivationName } from '../activations.ts';
import type { Params } from '../params.ts';

export interface ParamInfo {
  readonly key: string;
  readonly shape: readonly number[];
}

export interface Layer {
  readonly kind: string;
  readonly name: string;
  readonly inputs: number;
  readonly units: number;
  readonly activation: ActivationName;
  readonly params: readonly ParamInfo[];
  init(rng: Rng, dtype: DType): [string, Tensor][];
  /** `skipActivation` returns the pre-activation (logits) for the fused losses. */
  apply(params: Params, x: Tensor, options?: { skipActivation?: boolean }): Tensor;
}
