/** An op's rule on the page: core's formulaOf (text and TeX), the TeX rendered by KaTeX. */
import { formulaOf, type Tensor } from '@chainrule/core';
import katex from 'katex';
import 'katex/dist/katex.min.css';

/**
 * A block showing the rule of the op that made t (its VJP), or why there is none; data-formula holds the
 * plain text (empty when there is no formula).
 */
export function formulaBlock(t: Tensor): HTMLElement {
  const block = document.createElement('div');
  block.className = 'formula';
  const f = t.node ? formulaOf(t) : undefined;
  block.dataset.formula = f?.text ?? '';
  if (!t.node) block.textContent = 'a leaf: no op made it, so there is no rule to apply';
  else if (!f) block.textContent = `no formula for '${t.node.op.name}'`;
  else {
    // Inline mode: a long rule breaks after its operators instead of running out of its box.
    katex.render(f.tex, block, { throwOnError: false });
    block.title = f.text;
  }
  return block;
}
