/** Tensor contents as the panel shows them: small tensors in full, larger ones as min / mean / max. */
import type { Tensor } from '@chainrule/core';

/** Tensors with at most this many elements are shown in full. */
export const FULL_VALUES = 24;

/** Four significant digits, no trailing noise: 0.1235, -2, 1.2e-7. */
export function num(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

export const shapeText = (t: Pick<Tensor, 'shape'>): string => `[${t.shape.join(', ')}]`;

/** The values (a matrix one row per line); or min / mean / max past FULL_VALUES elements. */
export function valueText(t: Tensor): string {
  const d = t.data;
  if (d.length === 0) return '(empty)';
  if (d.length <= FULL_VALUES) {
    const parts = Array.from(d, num);
    if (t.shape.length === 0) return parts[0]!;
    // A matrix one row per line; a vector or a column ([n, 1]) 8 values a line.
    const last = t.shape[t.shape.length - 1]!;
    const width = t.shape.length >= 2 && last > 1 ? last : 8;
    const rows: string[] = [];
    for (let i = 0; i < parts.length; i += width) rows.push(`[${parts.slice(i, i + width).join(', ')}]`);
    return rows.join('\n');
  }
  let lo = Infinity, hi = -Infinity, sum = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
  }
  return `min ${num(lo)}  mean ${num(sum / d.length)}  max ${num(hi)}`;
}

/** A tensor's name for people: its own name, else the op that made it, else its id. */
export const tensorLabel = (t: Tensor): string => t.name ?? (t.node ? `${t.node.op.name} #${t.id}` : `#${t.id}`);
