/** Short text for numbers and tensor contents in graph labels. */
import type { Tensor } from '@chainrule/core';

/**
 * A number as graph labels print it: four significant digits, no trailing noise (0.1235, -2, 1.2e-7).
 *
 * @example
 * ```ts
 * import { formatNumber } from '@chainrule/viz';
 * formatNumber(Math.PI);   // '3.142'
 * ```
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

const num = formatNumber;

export const shapeText = (t: Tensor): string => `[${t.shape.join(', ')}]`;

/** The elements themselves when there are at most 8 (one line of up to 4 each), else min / mean / max. */
export function valueLines(t: Tensor): string[] {
  const d = t.data;
  if (d.length === 0) return ['(empty)'];
  if (d.length <= 8) {
    const parts = Array.from(d, num);
    if (t.shape.length === 0) return [parts[0]!];
    // A matrix shows one row per line; a vector up to 4 values a line.
    const width = t.shape.length >= 2 && t.shape[t.shape.length - 1]! > 1 ? t.shape[t.shape.length - 1]! : 4;
    const lines: string[] = [];
    for (let i = 0; i < parts.length; i += width) lines.push(parts.slice(i, i + width).join(', '));
    if (t.shape.length >= 2) return lines.map((l) => `[${l}]`);
    lines[0] = `[${lines[0]}`;
    lines[lines.length - 1] += ']';
    return lines;
  }
  return [summaryText(t)];
}

/**
 * A tensor too large to print, in one line: 'min -1.5  mean 0.02  max 2.3'.
 *
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * import { summaryText } from '@chainrule/viz';
 * summaryText(tensor([1, 2, 6]));   // 'min 1  mean 3  max 6'
 * ```
 */
export function summaryText(t: Tensor): string {
  const d = t.data;
  let lo = Infinity, hi = -Infinity, s = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    s += v;
  }
  return `min ${num(lo)}  mean ${num(s / d.length)}  max ${num(hi)}`;
}
