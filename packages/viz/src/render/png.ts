/// <reference types="node" />
/**
 * SVG → PNG with resvg, Node only (a native addon in Rust, prebuilt per platform on npm: no download step, no build script).
 * Fonts come from the system; Liberation Sans matches the metrics Graphviz and Vega assume for
 * Helvetica/Arial, so text fits its boxes.
 */
import { Resvg } from '@resvg/resvg-js';
import { chartSvg } from '../plots/render.ts';
import type { ChartSpec } from '../plots/spec.ts';
import { checkPngOptions, checkSvg } from './validate.ts';

/** {@link renderPng}'s and {@link chartPng}'s options: the output size and background. */
export interface PngOptions {
  /** Output width in pixels (height follows). Default: the SVG's own size times `scale`. */
  readonly width?: number;
  /** Scale factor when no width is given. Default 2 (sharp on high-DPI screens). */
  readonly scale?: number;
  /** A CSS colour behind transparent parts. Default 'white'. */
  readonly background?: string;
}

/**
 * SVG text → PNG bytes with resvg (Node only), using the system's fonts (Liberation Sans first).
 *
 * @param svg - SVG text, as {@link "@chainrule/viz"!renderSvg | renderSvg} and {@link chartSvg} return it.
 * @throws Error when svg is not SVG text (a Promise or a chart spec is named as such), or width,
 *   scale or background has the wrong type.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { renderSvg } from '@chainrule/viz';
 * import { renderPng } from '@chainrule/viz/node';
 * writeFileSync('graph.png', renderPng(await renderSvg('digraph { a -> b }'), { width: 400 }));
 * ```
 */
export function renderPng(svg: string, options: PngOptions = {}): Buffer {
  checkSvg('renderPng', svg);
  checkPngOptions('renderPng', options);
  const fitTo = options.width ? { mode: 'width' as const, value: options.width } : { mode: 'zoom' as const, value: options.scale ?? 2 };
  const resvg = new Resvg(svg, {
    fitTo,
    background: options.background ?? 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'Liberation Sans', sansSerifFamily: 'Liberation Sans', monospaceFamily: 'Liberation Mono' },
  });
  return resvg.render().asPng();
}

/**
 * A chart (a Vega-Lite spec from the plot functions) as PNG bytes (Node only): {@link chartSvg},
 * then {@link renderPng}.
 *
 * @throws Error when spec is not a chart spec, or an option has the wrong type.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { lossChart } from '@chainrule/viz';
 * import { chartPng } from '@chainrule/viz/node';
 * writeFileSync('loss.png', await chartPng(lossChart({ train: [1.2, 0.8, 0.6] })));
 * ```
 */
export async function chartPng(spec: ChartSpec, options: PngOptions = {}): Promise<Buffer> {
  checkPngOptions('chartPng', options);
  return renderPng(await chartSvg(spec), options);
}
