/** What sequential needs from a layer once its input width is known. */
import type { DType, Rng, Tensor } from '@chainrule/core';
import type { ActivationName } from '../activations.ts';
import type { Params } from '../params.ts';

/** One parameter a layer owns. */
export interface ParamInfo {
  /** Its name in Params, e.g. 'dense0/w'. */
  readonly key: string;
  /** Its shape, e.g. [inputs, units]. */
  readonly shape: readonly number[];
}

/** A layer inside a model (`model.layers`): its spec resolved with its name and input width. */
export interface Layer {
  /** The layer kind, e.g. 'dense'. */
  readonly kind: string;
  /** Its unique name in the model, which prefixes its params. */
  readonly name: string;
  /** Input width: it takes [batch, inputs]. */
  readonly inputs: number;
  /** Output width: it returns [batch, units]. */
  readonly units: number;
  /** The activation applied last. */
  readonly activation: ActivationName;
  /** The parameters it owns, in order. */
  readonly params: readonly ParamInfo[];
  /** Fresh values for its parameters, drawn from rng, as [key, tensor] pairs. */
  init(rng: Rng, dtype: DType): [string, Tensor][];
  /** `skipActivation` returns the pre-activation (logits) for the fused losses. */
  apply(params: Params, x: Tensor, options?: { skipActivation?: boolean }): Tensor;
}
