/** The boxes beside the graph: what a node is (op, shape, dtype, value, gradient, rule) and what a backward step did. */
import type { BackwardStep, Tensor } from '@chainrule/core';
import { formulaBlock } from './formula.ts';
import { shapeText, tensorLabel, valueText } from './values.ts';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
};

/** A term and its description, the description in monospace when it is numbers. */
function row(list: HTMLDListElement, term: string, value: string | Node, numbers = false): void {
  const dd = el('dd');
  if (typeof value === 'string') { dd.textContent = value; if (numbers) dd.className = 'numbers'; } else dd.append(value);
  list.append(el('dt', term), dd);
}

/** The info box of a tensor (or the op that made it): op, shape, dtype, value, gradient so far and the op's rule. */
export function tensorInfo(box: HTMLElement, t: Tensor, gradient: Tensor | undefined): void {
  const list = el('dl');
  row(list, 'tensor', tensorLabel(t));
  row(list, 'op', t.node ? `${t.node.op.name}${t.node.op.spec.describe ? ` ${t.node.op.spec.describe(t.node.attrs)}` : ''}${t.node.scope ? ` (in ${t.node.scope})` : ''}` : 'none (a leaf)');
  row(list, 'shape', `${shapeText(t)} ${t.dtype}`);
  row(list, 'value', valueText(t), true);
  row(list, 'gradient', gradient ? valueText(gradient) : 'not known yet (step backward)', !!gradient);
  box.replaceChildren(el('h3', t.node && t.name ? `${t.node.op.name} → ${t.name}` : tensorLabel(t)), list, formulaBlock(t));
  box.dataset.tensorId = String(t.id);
  box.dataset.op = t.node?.op.name ?? '';
}

/** The info box of a collapsed layer: its name and the ops it holds. */
export function layerInfo(box: HTMLElement, scope: string, members: readonly Tensor[]): void {
  const ops = members.filter((t) => t.node);
  const list = el('dl');
  row(list, 'ops', ops.map((t) => t.node!.op.name).join(' → ') || 'none');
  row(list, 'params', members.filter((t) => !t.node).map((t) => `${tensorLabel(t)} ${shapeText(t)}`).join(', ') || 'none');
  const out = ops.at(-1);
  if (out) row(list, 'output', `${shapeText(out)} ${out.dtype}\n${valueText(out)}`, true);
  box.replaceChildren(el('h3', `layer ${scope}`), list, ...(out ? [el('p', 'the rule of its last op:', 'hint'), formulaBlock(out)] : []));
  box.dataset.tensorId = out ? String(out.id) : '';
  box.dataset.op = out?.node?.op.name ?? '';
}

/** What one backward step did: the cotangent that arrived, the rule, and per input what it sent and the gradient so far. */
export function stepInfo(box: HTMLElement, step: BackwardStep): void {
  const t = step.tensor;
  const head = el('h3', `step ${step.index + 1}: ${tensorLabel(t)} ${shapeText(t)}${t.node?.scope ? ` (in ${t.node.scope})` : ''}`);
  const arrived = el('dl');
  row(arrived, 'cotangent arrived ȳ', valueText(step.cotangent), true);
  const table = el('table', undefined, 'inputs');
  const header = el('tr');
  header.append(el('th', 'input'), el('th', 'shape'), el('th', 'sent x̄'), el('th', 'gradient so far'));
  table.append(header);
  step.inputs.forEach((input, i) => {
    const tr = el('tr');
    const sent = step.sent[i], total = step.accumulated[i];
    tr.append(
      el('td', tensorLabel(input)), el('td', shapeText(input)),
      el('td', sent ? valueText(sent) : 'nothing (no gradient needed or none flows)', 'numbers'),
      el('td', total ? valueText(total) : '–', 'numbers'),
    );
    table.append(tr);
  });
  box.replaceChildren(head, arrived, el('p', 'the VJP applied:', 'hint'), formulaBlock(t), table);
  Object.assign(box.dataset, { step: String(step.index + 1), op: step.op, shape: JSON.stringify(t.shape), tensorId: String(t.id) });
}
