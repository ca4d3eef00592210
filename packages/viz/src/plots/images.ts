/**
 * A grid of small images of any size with a caption each: a conv layer's filters, one input's feature
 * maps. Signed data (weights) gets a diverging scale, blue below zero and red above, white at zero, so a
 * filter's sign pattern reads at a glance; data that is never negative is drawn in grey as digits are.
 */
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';
import type { Numbers } from './lines.ts';
import { checkData, list, numbers, optionalCount, optionalString } from './validate.ts';

/** {@link imagesChart}'s data. */
export interface ImagesData {
  /** Images as one flat sequence (n × height × width, e.g. a Tensor [n, h, w]) or one sequence per image. */
  readonly images: Numbers | readonly Numbers[];
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. Default: the height. */
  readonly width?: number;
  /** One caption per image (default: its index). */
  readonly captions?: readonly string[];
  /** Images per row. Default 8 (fewer when there are fewer images). */
  readonly columns?: number;
  /**
   * 'shared' (default): one scale for all images, so their strengths compare; 'each': every image
   * stretched to its own range, so faint ones show their pattern too.
   */
  readonly scale?: 'shared' | 'each';
  /** Chart title. Default 'Images'. */
  readonly title?: string;
  /** Chart subtitle, e.g. what the colours mean. */
  readonly subtitle?: string;
}

/** The images are drawn about this many screen units across, whatever their pixel count. */
const TARGET = 72;
const LEVELS = 8;
const CAPTION = 16;
const GAP = 10;
export const MAX_IMAGES = 256;

function checked(d: unknown) {
  const where = 'imagesChart';
  checkData(where, d, '{ images, height, width?, captions? }');
  optionalString(where, 'title', d.title);
  optionalString(where, 'subtitle', d.subtitle);
  const height = optionalCount(where, 'height', d.height);
  if (height === undefined) throw new Error(`${where}: height is required: the images' height in pixels`);
  const width = optionalCount(where, 'width', d.width) ?? height;
  const columns = optionalCount(where, 'columns', d.columns);
  if (d.scale !== undefined && d.scale !== 'shared' && d.scale !== 'each') throw new Error(`${where}: scale must be 'shared' or 'each', got ${String(d.scale)}`);
  const area = height * width;
  const finite = { finite: true };
  const perImage = Array.isArray(d.images) && typeof d.images[0] === 'object' && d.images[0] !== null;
  const images = perImage
    ? list(where, 'images', d.images).map((img, k) => {
      const px = numbers(where, `images[${k}]`, img, finite);
      if (px.length !== area) throw new Error(`${where}: image ${k} has ${px.length} pixels, expected ${height}×${width} = ${area}`);
      return px;
    })
    : (() => {
      const flat = numbers(where, 'images', d.images, finite);
      if (flat.length === 0 || flat.length % area !== 0) throw new Error(`${where}: images has ${flat.length} values, not a whole number of ${height}×${width} images`);
      return Array.from({ length: flat.length / area }, (_, k) => flat.slice(k * area, (k + 1) * area));
    })();
  if (images.length > MAX_IMAGES) throw new Error(`${where}: ${images.length} images are too many to draw (at most ${MAX_IMAGES}); pass a slice`);
  const captions = d.captions === undefined ? images.map((_, k) => String(k)) : list(where, 'captions', d.captions).map(String);
  if (captions.length !== images.length) throw new Error(`${where}: ${images.length} images but ${captions.length} captions; give one caption per image`);
  return { height, width, columns, images, captions, scale: (d.scale ?? 'shared') as 'shared' | 'each' };
}

/** '#rrggbb' for a level in [-LEVELS, LEVELS]: white at 0, red above, blue below (grey when unsigned). */
function colour(level: number, signed: boolean): string {
  const hex = (v: number) => Math.round(v).toString(16).padStart(2, '0');
  const fade = 255 * (1 - Math.abs(level) / LEVELS);
  if (!signed) return `#${hex(fade)}${hex(fade)}${hex(fade)}`;
  return level > 0 ? `#ff${hex(fade)}${hex(fade)}` : `#${hex(fade)}${hex(fade)}ff`;
}

/**
 * A grid of images of height × width pixels, each with a caption: filters in a diverging scale when
 * any value is negative, activations in grey otherwise. At most 256 images.
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when the pixels are not a whole number of height × width images or hold NaN or
 *   Infinity, when captions do not give one per image, or when there are over 256 images.
 * @example
 * ```ts
 * import { imagesChart, chartSvg } from '@chainrule/viz';
 * // two 2×2 "filters": one positive on its diagonal, one negative
 * const svg = await chartSvg(imagesChart({ images: [[1, 0, 0, 1], [-1, 0, 0, -1]], height: 2, captions: ['a', 'b'] }));
 * ```
 */
export function imagesChart(data: ImagesData): ChartSpec {
  const d = checked(data);
  const n = d.images.length;
  const columns = Math.max(1, Math.min(d.columns ?? 8, n));
  const rows = Math.ceil(n / columns);
  const pixel = TARGET / Math.max(d.height, d.width);
  const boxW = d.width * pixel, boxH = d.height * pixel;
  const cellW = boxW + GAP, cellH = boxH + CAPTION + GAP;
  const signed = d.images.some((img) => img.some((v) => v < 0));
  // The largest magnitude maps to the full colour: per image, or over all of them.
  const peak = (img: number[]) => img.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const shared = Math.max(...d.images.map(peak));

  const pixels: { x: number; x2: number; y: number; y2: number; c: string }[] = [];
  const frames: { x: number; x2: number; y: number; y2: number }[] = [];
  const texts: { x: number; y: number; text: string }[] = [];
  d.images.forEach((img, k) => {
    const left = (k % columns) * cellW, top = Math.floor(k / columns) * cellH;
    const top0 = d.scale === 'each' ? peak(img) : shared;
    const levelAt = (i: number) => Math.round((img[i]! / top0) * LEVELS);
    for (let r = 0; r < d.height; r++) {
      // Runs of equal colour along a row are one rectangle: the SVG stays small.
      for (let c = 0; c < d.width;) {
        const level = levelAt(r * d.width + c);
        let end = c + 1;
        while (end < d.width && levelAt(r * d.width + end) === level) end++;
        if (level !== 0) pixels.push({ x: left + c * pixel, x2: left + end * pixel, y: top + r * pixel, y2: top + (r + 1) * pixel, c: colour(level, signed) });
        c = end;
      }
    }
    frames.push({ x: left - 0.5, x2: left + boxW + 0.5, y: top - 0.5, y2: top + boxH + 0.5 });
    texts.push({ x: left + boxW / 2, y: top + boxH + 10, text: d.captions[k]! });
  });
  const px = (field: string) => ({ field, type: 'quantitative', scale: null });
  const xy = { x: px('x'), x2: { field: 'x2' }, y: px('y'), y2: { field: 'y2' } };
  return {
    $schema: schema,
    config: { ...config, view: { stroke: null } },
    title: {
      text: data.title ?? 'Images',
      subtitle: data.subtitle ?? (signed ? 'red: positive, blue: negative, white: zero' : `${n} images`),
    },
    width: columns * cellW - GAP, height: rows * cellH - GAP,
    layer: [
      { data: { values: frames }, mark: { type: 'rect', fill: 'white', stroke: '#bbbbbb', strokeWidth: 1 }, encoding: xy },
      { data: { values: pixels }, mark: { type: 'rect' }, encoding: { ...xy, fill: { field: 'c', type: 'nominal', scale: null } } },
      { data: { values: texts }, mark: { type: 'text', fontSize: 10, align: 'center', baseline: 'middle' },
        encoding: { x: px('x'), y: px('y'), text: { field: 'text' }, color: { value: '#222222' } } },
    ],
  };
}
