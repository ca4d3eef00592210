/** What a model holds for each layer once its name and input shape are known (`model.layers`). */
import type { DType, Rng, Tensor } from '@chainrule/core';
import type { ActivationName } from '../activations.ts';
import type { ModelState } from '../model-state.ts';
import type { Params } from '../params.ts';

/** Shapes here exclude the batch axis: a dense layer on [batch, 4] has input shape [4]. */
export type Shape = readonly number[];

/** One tensor a layer owns (a parameter, or a piece of state such as a running mean). */
export interface ParamInfo {
  /** Its name in Params or ModelState, e.g. 'dense0/w'. */
  readonly key: string;
  /** Its shape, e.g. [inputs, units]. */
  readonly shape: Shape;
}

/** How a layer is run: fit trains, evaluate and predict do not. */
export interface RunOptions {
  /** Training mode: dropout drops, batchNorm uses the batch's statistics and updates its running ones. */
  readonly training?: boolean;
  /** The stream a random layer (dropout) draws from; needed in training mode. */
  readonly rng?: Rng;
  /** Return the pre-activation of the layer's own activation (the last layer's logits, for the fused losses). */
  readonly logits?: boolean;
}

/** A layer inside a model (`model.layers`): its spec resolved with its name and input shape. */
export interface Layer {
  /** The layer kind, e.g. 'dense' (its defineLayer kind). */
  readonly kind: string;
  /** Its unique name in the model, which prefixes its params and state. */
  readonly name: string;
  /** Its validated config, as plain JSON (what the model file stores). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The shape of one sample it takes. */
  readonly inputShape: Shape;
  /** The shape of one sample it returns. */
  readonly outputShape: Shape;
  /** The activation applied last ('linear' when none): a final softmax or sigmoid lets losses fuse. */
  readonly activation: ActivationName;
  /** Whether its parameters are trained (default true; a frozen layer says false). */
  readonly trainable: boolean;
  /** The parameters it owns, in order. */
  readonly params: readonly ParamInfo[];
  /** Its non-trainable state (running statistics), in order; empty for most layers. */
  readonly state: readonly ParamInfo[];
  /** Fresh values for its parameters, drawn from rng, as [key, tensor] pairs. */
  init(rng: Rng, dtype: DType): [string, Tensor][];
  /** Its state before any training, as [key, tensor] pairs. */
  initState(dtype: DType): [string, Tensor][];
  /**
   * x [batch, ...inputShape] → y [batch, ...outputShape] and the layer's new state (unchanged outside
   * training); the output's shape and the state's shapes are checked.
   */
  apply(params: Params, state: ModelState, x: Tensor, options?: RunOptions): {
    /** The output, [batch, ...outputShape]. */
    y: Tensor;
    /** The layer's new state entries (its old ones outside training). */
    state: [string, Tensor][];
  };
}
