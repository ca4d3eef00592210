/**
 * The model and optimiser a page state asks for: an MLP from the data's inputs through the hidden layers to
 * the data's outputs (softmax for classes, linear for values), and the optimiser with the chosen learning rate.
 */
import { adam, adamW, lion, mlp, rmsprop, sgd, type Model, type Optimizer } from '@chainrule/nn';
import type { PlaygroundState } from '../state/state.ts';
import type { RunData } from './data.ts';

export function modelFromState(state: PlaygroundState, data: Pick<RunData, 'inputs' | 'outputs' | 'task'>): Model {
  return mlp([data.inputs, ...state.layers.map((l) => l.width), data.outputs], {
    hidden: state.layers.map((l) => l.activation),
    output: data.task === 'classification' ? 'softmax' : 'linear',
  });
}

const MAKERS = { sgd, adam, adamW, rmsprop, lion } as const;

export function optimizerFromState(state: Pick<PlaygroundState, 'optimizer' | 'lr'>): Optimizer {
  return MAKERS[state.optimizer]({ lr: state.lr });
}
