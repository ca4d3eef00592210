/** Params: a model's weights as an ordered map from names such as 'dense0/w' to tensors. */
import type { OrderedMap } from 'immutable';
import type { Tensor } from '@chainrule/core';

export type Params = OrderedMap<string, Tensor>;

/** The layer a parameter belongs to: the part of its key before the last '/'. */
export const layerOf = (key: string): string => {
  const i = key.lastIndexOf('/');
  return i < 0 ? key : key.slice(0, i);
};

export const countParams = (params: Params): number => params.reduce((n, t) => n + t.size, 0);
