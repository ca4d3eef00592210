/** The one-line summary of a finished epoch that progress reporters print: 'epoch 1/5 - loss 0.4213 - … - 0.52s'. */
import type { EpochInfo } from './fit-types.ts';

/** Four decimals where they read well, three significant digits in exponent form for the very small or large. */
const fmt = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(3));

export function epochLine(epochs: number, e: EpochInfo, ms: number): string {
  const parts = [`epoch ${e.epoch + 1}/${epochs}`, `loss ${fmt(e.loss)}`];
  for (const [k, v] of Object.entries(e.metrics)) parts.push(`${k} ${fmt(v)}`);
  if (e.valLoss !== undefined) parts.push(`val_loss ${fmt(e.valLoss)}`);
  for (const [k, v] of Object.entries(e.valMetrics ?? {})) parts.push(`val_${k} ${fmt(v)}`);
  parts.push(`${(ms / 1000).toFixed(2)}s`);
  return parts.join(' - ');
}
