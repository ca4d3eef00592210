/** model.summary(): a fixed-width table of the layers with their output shapes (any rank) and parameter counts. */
import type { Model } from './model.ts';

const shapeText = (shape: readonly number[]) => `[batch, ${shape.join(', ')}]`;

/** One row per layer: name, kind, activation ('' when none), output shape, parameters (trainable or frozen), state. */
export function summarize(model: Model): string {
  const count = (infos: readonly { shape: readonly number[] }[]) => infos.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const rows = model.layers.map((l) => [
    l.name, l.kind, l.activation === 'linear' && l.kind !== 'dense' ? '' : l.activation, shapeText(l.outputShape),
    String(count(l.params)) + (l.trainable ? '' : ' (frozen)'),
  ]);
  const header = ['Layer', 'Kind', 'Activation', 'Output shape', 'Params'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const total = model.layers.reduce((n, l) => n + count(l.params), 0);
  const state = model.layers.reduce((n, l) => n + count(l.state), 0);
  return [
    `Input: ${shapeText(model.inputShape)} ${model.dtype}`, line(header), rule, ...rows.map(line), rule, `Total params: ${total}`,
    ...(state ? [`Layer state: ${state} values (${model.stateShapes.keySeq().join(', ')})`] : []),
  ].join('\n');
}
