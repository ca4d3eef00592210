/** The tensors a graph is made of, inputs before the tensors computed from them: what grad walks backwards and viz draws. */
import type { Tensor } from '../tensor.ts';

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
export function topologicalOrder(roots: readonly Tensor[], stop: ReadonlySet<number> = new Set()): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  for (const root of roots) {
    if (seen.has(root.id) || stop.has(root.id)) continue;
    seen.add(root.id);
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const inputs = top[0].node?.inputs ?? [];
      if (top[1] < inputs.length) {
        const next = inputs[top[1]++]!;
        if (!seen.has(next.id) && !stop.has(next.id)) {
          seen.add(next.id);
          stack.push([next, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order;
}
