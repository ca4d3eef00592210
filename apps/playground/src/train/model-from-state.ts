/**
 * The model and optimiser a page state asks for: an MLP from the data's inputs through the hidden layers to
 * the data's outputs (softmax for classes and digits, linear for values), and the optimiser with the chosen learning rate,
 * schedule and weight decay.
 */
import { adam, adamW, lion, mlp, rmsprop, sgd, type Model, type Optimizer } from '@chainrule/nn';
import { hasClasses, type PlaygroundState } from '../state/state.ts';
import type { RunData } from './data.ts';
import { scheduleFromState } from './schedule-from-state.ts';

export function modelFromState(state: PlaygroundState, data: Pick<RunData, 'inputs' | 'outputs' | 'task'>): Model {
  return mlp([data.inputs, ...state.layers.map((l) => l.width), data.outputs], {
    hidden: state.layers.map((l) => l.activation),
    output: hasClasses(data.task) ? 'softmax' : 'linear',
  });
}

const MAKERS = { sgd, adam, adamW, rmsprop, lion } as const;

/** The weight decay is always passed, 0 too: adamW's own default (0.01) would make 0 mean something else there. */
export function optimizerFromState(state: Pick<PlaygroundState, 'optimizer' | 'lr' | 'schedule' | 'decaySteps' | 'weightDecay'>): Optimizer {
  return MAKERS[state.optimizer]({ lr: scheduleFromState(state), weightDecay: state.weightDecay });
}
