/** Vega-Lite spec → SVG, headless: Vega's 'none' renderer needs no DOM and no canvas. */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { ChartSpec } from './spec.ts';

export async function chartSvg(spec: ChartSpec): Promise<string> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
