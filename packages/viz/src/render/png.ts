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

export interface PngOptions {
  /** Output width in pixels (height follows). Default: the SVG's own size times `scale`. */
  readonly width?: number;
  /** Scale factor when no width is given. Default 2 (sharp on high-DPI screens). */
  readonly scale?: number;
  readonly background?: string;
}

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

/** A chart (a Vega-Lite spec from the plot functions) as PNG bytes. */
export async function chartPng(spec: ChartSpec, options: PngOptions = {}): Promise<Buffer> {
  checkPngOptions('chartPng', options);
  return renderPng(await chartSvg(spec), options);
}
