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
