/** Vega-Lite spec → SVG, headless: Vega's 'none' renderer needs no DOM and no canvas. */
import { describeValue } from '@chainrule/core';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { isPlainObject } from '../check/describe.ts';
import type { ChartSpec } from './spec.ts';

/** A spec is a plain object with a $schema, as the chart functions make (or a hand-written Vega-Lite spec). */
export function checkSpec(where: string, spec: unknown): void {
  if (!isPlainObject(spec) || typeof spec.$schema !== 'string') {
    const hint = spec instanceof Promise ? '; it is a Promise: pass the spec itself, not chartSvg(spec)' : typeof spec === 'string' ? '; it is text: SVG goes in as { svg }, charts as their spec' : '';
    throw new Error(`${where}: spec must be a chart spec from lossChart, confusionChart, … (an object with a $schema), got ${describeValue(spec)}${hint}`);
  }
}

/**
 * Renders a chart spec to SVG text: Vega-Lite compiles it, Vega draws it headless (no DOM, no canvas),
 * so it runs the same in Node and a browser.
 *
 * @param spec - a spec from {@link lossChart}, {@link confusionChart}, … or a hand-written Vega-Lite spec with a `$schema`.
 * @throws Error when spec is not a plain object with a `$schema` (a Promise or a string is named as
 *   such), and Vega-Lite's own error when the spec is not valid Vega-Lite.
 * @example
 * ```ts
 * import { lossChart, chartSvg } from '@chainrule/viz';
 * const svg = await chartSvg(lossChart({ train: [1.2, 0.8, 0.6], validation: [1.3, 0.9, 0.8] }));
 * document.body.innerHTML = svg;   // or write it to a .svg file
 * ```
 */
export async function chartSvg(spec: ChartSpec): Promise<string> {
  checkSpec('chartSvg', spec);
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
