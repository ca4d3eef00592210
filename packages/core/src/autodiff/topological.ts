/** The tensors a graph is made of, inputs before the tensors computed from them: what grad walks backwards and viz draws. */
import type { Tensor } from '../tensor.ts';

/** No tensor to stop at: grad's walk, every training step. */
const NO_STOP: ReadonlySet<number> = new Set();

/**
 * Every tensor the roots depend on, the roots included, each listed after its inputs. An iterative
 * DFS, so a long chain cannot overflow the stack. Tensors in `stop` are neither listed nor entered
 * (viz's walk over a backward graph stops where it meets the forward one).
 *
 * @example
 * ```ts
 * import { tensor, topologicalOrder } from '@chainrule/core';
 * const x = tensor([1, 2]);
 * topologicalOrder([x.exp().sum()]).map((t) => t.node?.op.name ?? 'leaf');   // ['leaf', 'exp', 'sum']
 * ```
 */
export function topologicalOrder(roots: readonly Tensor[], stop: ReadonlySet<number> = NO_STOP): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  // Two parallel stacks (a tensor, and the next of its inputs to enter), not a pair per tensor: grad runs this every step.
  const tensors: Tensor[] = [];
  const next: number[] = [];
  const stopping = stop.size > 0; // grad's walk stops nowhere: no lookup per edge
  for (const root of roots) {
    if (seen.has(root.id) || (stopping && stop.has(root.id))) continue;
    seen.add(root.id);
    tensors.push(root);
    next.push(0);
    while (tensors.length) {
      const top = tensors.length - 1;
      const inputs = tensors[top]!.node?.inputs;
      if (inputs !== undefined && next[top]! < inputs.length) {
        const input = inputs[next[top]!++]!;
        if (!seen.has(input.id) && !(stopping && stop.has(input.id))) {
          seen.add(input.id);
          tensors.push(input);
          next.push(0);
        }
      } else {
        order.push(tensors.pop()!);
        next.pop();
      }
    }
  }
  return order;
}
