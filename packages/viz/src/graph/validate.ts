/** toDot's arguments, checked once before any walk of the graph, in the words of its options. */
import { describeValue, Tensor } from '@chainrule/core';
import { checkKnownKeys, isPlainObject } from '../check/describe.ts';
import type { ToDotOptions } from './todot.ts';

const OPTIONS: readonly (keyof ToDotOptions)[] = ['grads', 'backward', 'values', 'rankdir', 'collapse', 'title', 'legend', 'maxNodes'];
const RANKDIRS = ['LR', 'TB', 'RL', 'BT'];

/** y, the output a drawing or its gradients start from. */
export function checkOutput(where: string, y: unknown): asserts y is Tensor {
  if (!(y instanceof Tensor)) {
    const hint = Array.isArray(y) ? '; draw one output at a time (or their sum)' : typeof y === 'number' ? '; pass the tensor itself, not its .item()' : '';
    throw new Error(`${where}: y must be the Tensor whose graph to draw, got ${describeValue(y)}${hint}`);
  }
}

export function checkToDotArgs(y: unknown, options: unknown): asserts y is Tensor {
  checkOutput('toDot', y);
  if (!isPlainObject(options)) throw new Error(`toDot: options must be an object such as { collapse: true }, got ${describeValue(options)}`);
  checkKnownKeys('toDot', 'option', options, OPTIONS);
  for (const key of ['backward', 'values', 'collapse', 'legend'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'boolean') throw new Error(`toDot: option ${key} must be true or false, got ${describeValue(v)}`);
  }
  const { rankdir, title, maxNodes, grads } = options as ToDotOptions;
  if (rankdir !== undefined && !RANKDIRS.includes(rankdir)) throw new Error(`toDot: option rankdir must be one of ${RANKDIRS.join(', ')}, got ${describeValue(rankdir)}`);
  if (title !== undefined && typeof title !== 'string') throw new Error(`toDot: option title must be a string, got ${describeValue(title)}`);
  if (maxNodes !== undefined && !(typeof maxNodes === 'number' && maxNodes >= 1 && (Number.isInteger(maxNodes) || maxNodes === Infinity))) {
    throw new Error(`toDot: option maxNodes must be a whole number ≥ 1 (or Infinity), got ${describeValue(maxNodes)}`);
  }
  if (grads instanceof Map) {
    for (const [x, g] of grads) {
      if (!(x instanceof Tensor) || !(g instanceof Tensor)) {
        throw new Error(`toDot: option grads must map each Tensor to its gradient Tensor; found ${describeValue(x)} → ${describeValue(g)}`);
      }
    }
  } else if (grads !== undefined && (typeof grads !== 'object' || grads === null)) {
    throw new Error(`toDot: option grads must be a Map from tensor to gradient (allGrads, gradMap) or what grad(y, xs, { createGraph: true }) returned, got ${describeValue(grads)}`);
  }
}
