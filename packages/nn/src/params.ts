/** Params: a model's weights as an ordered map from names such as 'dense0/w' to tensors. */
import type { OrderedMap } from 'immutable';
import type { Tensor } from '@chainrule/core';

/** A model's weights: an Immutable OrderedMap from names such as 'dense0/w' to tensors, in the model's order. */
export type Params = OrderedMap<string, Tensor>;

/** The layer a parameter belongs to: the part of its key before the last '/'. */
export const layerOf = (key: string): string => {
  const i = key.lastIndexOf('/');
  return i < 0 ? key : key.slice(0, i);
};

/**
 * The number of scalar parameters (the sum of the tensors' sizes).
 *
 * @example
 * ```ts
 * import { countParams, mlp } from '@chainrule/nn';
 * countParams(mlp([4, 8, 2]).init(0)); // 4·8 + 8 + 8·2 + 2 = 58
 * ```
 */
export const countParams = (params: Params): number => params.reduce((n, t) => n + t.size, 0);
