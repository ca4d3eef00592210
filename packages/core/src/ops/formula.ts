/**
 * An op's formula: its VJP as a line people read, in plain text and in TeX, so that a page stepping
 * through backprop can show the rule each node applies. Checked when the op is defined (a fixed
 * formula) or when it is asked for (a formula that depends on the attributes).
 */
import { describeValue } from '../describe-value.ts';

/**
 * What an op's rule says, in two notations: `text` for plain text (Unicode) and `tex` for a TeX renderer
 * such as KaTeX. Each states the forward computation, then what the cotangent arriving at the output
 * becomes for each input.
 *
 * The notation, the same for every built-in op: y is the output, x (or a, b, …) the inputs; ȳ
 * (`\bar{y}`) is the cotangent arriving, ∂L/∂y, and x̄ (`\bar{x}`) the cotangent sent to input x. In text,
 * `·` multiplies elementwise and `@` is a matrix product; in TeX, `\odot` multiplies elementwise and a
 * matrix product is written by juxtaposition. The text separates the forward computation from the
 * cotangents with `;`, the TeX with `\qquad`.
 * @example
 * ```ts
 * import type { OpFormula } from '@chainrule/core';
 * const tanhRule: OpFormula = {
 *   text: 'y = tanh(x);  x̄ = ȳ · (1 − y²)',
 *   tex: String.raw`y = \tanh(x) \qquad \bar{x} = \bar{y} \odot (1 - y^2)`,
 * };
 * ```
 */
export interface OpFormula {
  /** The rule in plain text (Unicode), e.g. 'y = tanh(x);  x̄ = ȳ · (1 − y²)'. */
  readonly text: string;
  /** The rule in TeX that KaTeX renders, e.g. `y = \tanh(x) \qquad \bar{x} = \bar{y} \odot (1 - y^2)`. */
  readonly tex: string;
}

/** What a spec's `formula` may be: a fixed formula, or one computed from the op's attributes. */
export type FormulaSpec<A> = OpFormula | ((attrs: A) => OpFormula);

/** Why `value` is not a formula ({ text, tex }, two non-empty strings), or undefined when it is one. */
function notAFormula(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `got ${describeValue(value)}`;
  const f = value as Record<string, unknown>;
  for (const key of ['text', 'tex'] as const) {
    if (typeof f[key] !== 'string' || (f[key] as string).trim() === '') return `its ${key} must be a non-empty string, got ${describeValue(f[key])}`;
  }
  return undefined;
}

/** defineOp's check of a spec's formula: left out, a function, or { text, tex } with two non-empty strings. */
export function checkFormula(op: string, formula: unknown): void {
  if (formula === undefined || typeof formula === 'function') return;
  const why = notAFormula(formula);
  if (why) throw new Error(`defineOp '${op}': formula must be { text, tex } (two non-empty strings) or a function of the attributes returning one; ${why}`);
}

/** The formula of op `op` for these attributes: the fixed one, or the function's result, checked. */
export function formulaFor<A>(op: string, formula: FormulaSpec<A> | undefined, attrs: A): OpFormula | undefined {
  if (typeof formula !== 'function') return formula;
  const result = formula(attrs);
  const why = notAFormula(result);
  if (why) throw new Error(`${op}: formula(attrs) must return { text, tex } (two non-empty strings); ${why}`);
  return result;
}

// ---- helpers the built-in ops' formulas share

/** A number in TeX: ±∞ as \infty, others as JavaScript prints them. */
export const texNumber = (n: number): string => (n === Infinity ? String.raw`\infty` : n === -Infinity ? String.raw`-\infty` : String(n));

/** Axes in words: 'axis 1', 'axes 0, 2', 'no axes'. */
export const axesText = (axes: readonly number[]): string =>
  axes.length === 0 ? 'no axes' : `${axes.length === 1 ? 'axis' : 'axes'} ${axes.join(', ')}`;

/** Window attributes as a graph drawing shows them ('stride=2 dilation=2×1') in TeX: \text{stride}=2,\; \text{dilation}=2 \times 1. */
export const texAttrs = (described: string): string => described.split(' ').filter(Boolean).map((part) => {
  const [key, value = ''] = part.split('=');
  return String.raw`\text{${key}}=${value.replace(/×/g, String.raw` \times `)}`;
}).join(String.raw`,\; `);
