/**
 * SVG → PNG with resvg (Rust, prebuilt per platform on npm: no download step, no build script).
 * Fonts come from the system; Liberation Sans matches the metrics Graphviz and Vega assume for
 * Helvetica/Arial, so text fits its boxes.
 */
import { Resvg } from '@resvg/resvg-js';

export interface PngOptions {
  /** Output width in pixels (height follows). Default: the SVG's own size times `scale`. */
  readonly width?: number;
  /** Scale factor when no width is given. Default 2 (sharp on high-DPI screens). */
  readonly scale?: number;
  readonly background?: string;
}

export function renderPng(svg: string, options: PngOptions = {}): Buffer {
  const fitTo = options.width ? { mode: 'width' as const, value: options.width } : { mode: 'zoom' as const, value: options.scale ?? 2 };
  const resvg = new Resvg(svg, {
    fitTo,
    background: options.background ?? 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'Liberation Sans', sansSerifFamily: 'Liberation Sans', monospaceFamily: 'Liberation Mono' },
  });
  return resvg.render().asPng();
}
