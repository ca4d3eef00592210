/** The tensors a graph is made of, inputs before the tensors computed from them. */
import type { Tensor } from '@chainrule/core';

/**
 * Iterative DFS from the roots (a long chain must not overflow the stack). Tensors in `stop`
 * are neither listed nor entered: the backward walk stops where it meets the forward graph.
 */
export function topological(roots: readonly Tensor[], stop: ReadonlySet<number> = new Set()): Tensor[] {
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
