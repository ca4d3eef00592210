/** ModelState: a model's non-trainable tensors (batchNorm's running statistics), beside its Params. */
import type { OrderedMap } from 'immutable';
import type { Tensor } from '@chainrule/core';

/**
 * A model's layer state: an Immutable OrderedMap from names such as 'bn1/runningMean' to tensors, in the
 * model's order. `model.initState()` makes it, fit returns it updated, evaluate and predict read it,
 * checkpoints and model files store it. Empty for a model without stateful layers.
 */
export type ModelState = OrderedMap<string, Tensor>;
