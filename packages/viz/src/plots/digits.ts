/**
 * A grid of digit images, each with its true and predicted label; mistakes get a red frame and
 * red text. Pixels are rectangles placed in screen units (no axes: it is a picture, not a chart),
 * merged along each row where the quantised ink is equal, so the SVG stays small.
 */
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';
import type { Numbers } from './lines.ts';
import { checkData, list, numbers, optionalCount, optionalString } from './validate.ts';

/** {@link digitsChart}'s data: the images, their labels and, optionally, the model's predictions. */
export interface DigitsData {
  /**
   * Images as one flat sequence (n × side × side: an array, typed array or Tensor such as MNIST's x)
   * or one sequence per image; any range (scaled from min(0, lowest) to the highest value).
   */
  readonly images: Numbers | readonly Numbers[];
  /** One label per image. */
  readonly labels: Numbers;
  /** One prediction per image, if any. */
  readonly predictions?: Numbers;
  /** Image side in pixels. Default 28. */
  readonly side?: number;
  /** Images per row. Default 8 (fewer when there are fewer images). */
  readonly columns?: number;
  /** Chart title. Default 'Digits: true and predicted labels'. */
  readonly title?: string;
}

const LEVELS = 8;
const PIXEL = 2.5;
const LABEL = 18;
const GAP = 12;
/** Each image is hundreds of rectangles: a few hundred images is a picture, thousands a hang. */
export const MAX_DIGITS = 400;

const isSequence = (x: unknown): boolean => typeof x === 'object' && x !== null && Symbol.iterator in x;

/** Images of side × side finite pixels, one label (and prediction) per image, at most MAX_DIGITS. */
function checked(d: unknown) {
  const where = 'digitsChart';
  checkData(where, d, '{ images, labels, predictions? }');
  optionalString(where, 'title', d.title);
  const side = optionalCount(where, 'side', d.side) ?? 28;
  const columns = optionalCount(where, 'columns', d.columns);
  const area = side * side;
  const finite = { finite: true };
  // One sequence per image, or one flat sequence cut into images of side × side.
  const perImage = Array.isArray(d.images) && isSequence(d.images[0]);
  const images = perImage
    ? list(where, 'images', d.images).map((img, k) => {
      const px = numbers(where, `images[${k}]`, img, finite);
      if (px.length !== area) throw new Error(`${where}: image ${k} has ${px.length} pixels, expected ${side}×${side} = ${area} (side ${side})`);
      return px;
    })
    : (() => {
      const flat = numbers(where, 'images', d.images, finite);
      if (flat.length % area !== 0) throw new Error(`${where}: images has ${flat.length} values, not a whole number of ${side}×${side} images (side ${side}); pass side for other sizes`);
      return Array.from({ length: flat.length / area }, (_, k) => flat.slice(k * area, (k + 1) * area));
    })();
  const labels = numbers(where, 'labels', d.labels, finite);
  if (labels.length !== images.length) throw new Error(`${where}: ${images.length} images but ${labels.length} labels; give one label per image`);
  const predictions = d.predictions === undefined ? undefined : numbers(where, 'predictions', d.predictions, finite);
  if (predictions && predictions.length !== labels.length) throw new Error(`${where}: ${labels.length} labels but ${predictions.length} predictions; give one prediction per image`);
  if (images.length > MAX_DIGITS) throw new Error(`${where}: ${images.length} images are too many to draw (at most ${MAX_DIGITS}); pass a slice, such as the first 64`);
  return { side, columns, images, labels, predictions };
}

/**
 * A grid of small images, each captioned with its true and predicted label; a mistake gets a red frame
 * and red text. At most 400 images (each is hundreds of rectangles).
 *
 * @returns a Vega-Lite spec; render it with {@link chartSvg}.
 * @throws Error when the pixels are not a whole number of side × side images or hold NaN or Infinity,
 *   when labels or predictions do not give one value per image, or when there are over 400 images.
 * @example
 * ```ts
 * import { loadMnist } from '@chainrule/datasets/node';
 * import { digitsChart, chartSvg } from '@chainrule/viz';
 * const test = loadMnist({ split: 'test', limit: 16 });
 * const svg = await chartSvg(digitsChart({ images: test.x, labels: test.labels }));
 * ```
 */
export function digitsChart(data: DigitsData): ChartSpec {
  const d = { ...data, ...checked(data) };
  const { side, images } = d;
  const area = side * side;
  const n = images.length;
  const columns = Math.max(1, Math.min(d.columns ?? 8, n));
  const rows = Math.ceil(n / columns);
  const box = side * PIXEL;
  const cellW = Math.max(box, 78) + GAP;
  const cellH = box + LABEL + GAP;
  // Ink from min(0, lowest) to the highest value: 0–255 and 0–1 images as they are, normalised ones shifted up.
  let lo = 0, hi = 0;
  for (let k = 0; k < n; k++) for (let i = 0; i < area; i++) { lo = Math.min(lo, images[k]![i]!); hi = Math.max(hi, images[k]![i]!); }
  const scale = hi > lo ? 1 / (hi - lo) : 1;

  const pixels: { x: number; x2: number; y: number; y2: number; c: string }[] = [];
  const frames: { x: number; x2: number; y: number; y2: number; wrong: boolean }[] = [];
  const texts: { x: number; y: number; text: string; wrong: boolean }[] = [];
  let mistakes = 0;
  for (let k = 0; k < n; k++) {
    const left = (k % columns) * cellW + (cellW - GAP - box) / 2;
    const top = Math.floor(k / columns) * cellH;
    const img = images[k]!;
    for (let r = 0; r < side; r++) {
      let c = 0;
      while (c < side) {
        const level = Math.round(Math.min(1, Math.max(0, (img[r * side + c]! - lo) * scale)) * LEVELS);
        let end = c + 1;
        while (end < side && Math.round(Math.min(1, Math.max(0, (img[r * side + end]! - lo) * scale)) * LEVELS) === level) end++;
        if (level > 0) {
          const grey = Math.round(255 * (1 - level / LEVELS)).toString(16).padStart(2, '0');
          pixels.push({ x: left + c * PIXEL, x2: left + end * PIXEL, y: top + r * PIXEL, y2: top + (r + 1) * PIXEL, c: `#${grey}${grey}${grey}` });
        }
        c = end;
      }
    }
    const predicted = d.predictions?.[k];
    const wrong = predicted !== undefined && predicted !== d.labels[k];
    if (wrong) mistakes++;
    frames.push({ x: left - 1, x2: left + box + 1, y: top - 1, y2: top + box + 1, wrong });
    texts.push({ x: left + box / 2, y: top + box + 13, text: predicted === undefined ? `label ${d.labels[k]}` : `true ${d.labels[k]} · pred ${predicted}`, wrong });
  }
  const px = (field: string) => ({ field, type: 'quantitative', scale: null });
  return {
    $schema: schema,
    config: { ...config, view: { stroke: null } },
    title: {
      text: d.title ?? 'Digits: true and predicted labels',
      subtitle: d.predictions ? `red frame and text: a mistake (${mistakes} of ${n} shown)` : `${n} images`,
    },
    width: columns * cellW - GAP, height: rows * cellH - GAP,
    layer: [
      { data: { values: frames }, mark: { type: 'rect', fill: 'white' },
        encoding: { x: px('x'), x2: { field: 'x2' }, y: px('y'), y2: { field: 'y2' },
          stroke: { condition: { test: 'datum.wrong', value: '#d62728' }, value: '#bbbbbb' },
          strokeWidth: { condition: { test: 'datum.wrong', value: 2.5 }, value: 1 } } },
      { data: { values: pixels }, mark: { type: 'rect' },
        encoding: { x: px('x'), x2: { field: 'x2' }, y: px('y'), y2: { field: 'y2' }, fill: { field: 'c', type: 'nominal', scale: null } } },
      { data: { values: texts }, mark: { type: 'text', fontSize: 10, align: 'center', baseline: 'middle' },
        encoding: { x: px('x'), y: px('y'), text: { field: 'text' },
          color: { condition: { test: 'datum.wrong', value: '#d62728' }, value: '#222222' } } },
    ],
  };
}
