/**
 * A grid of digit images, each with its true and predicted label; mistakes get a red frame and
 * red text. Pixels are rectangles placed in screen units (no axes: it is a picture, not a chart),
 * merged along each row where the quantised ink is equal, so the SVG stays small.
 */
import { schema, type ChartSpec } from './spec.ts';
import { config } from './theme.ts';

export interface DigitsData {
  /** Images as one flat array (n × side × side) or one array per image; any range (scaled by the maximum). */
  readonly images: ArrayLike<number> | readonly ArrayLike<number>[];
  readonly labels: readonly number[];
  readonly predictions?: readonly number[];
  /** Image side in pixels. Default 28. */
  readonly side?: number;
  readonly columns?: number;
  readonly title?: string;
}

const LEVELS = 8;
const PIXEL = 2.5;
const LABEL = 18;
const GAP = 12;

export function digitsChart(d: DigitsData): ChartSpec {
  const side = d.side ?? 28;
  const area = side * side;
  const images = Array.isArray(d.images)
    ? (d.images as ArrayLike<number>[])
    : Array.from({ length: Math.floor((d.images as ArrayLike<number>).length / area) }, (_, k) =>
      Array.prototype.slice.call(d.images, k * area, (k + 1) * area) as number[]);
  const n = Math.min(images.length, d.labels.length);
  const columns = Math.max(1, Math.min(d.columns ?? 8, n));
  const rows = Math.ceil(n / columns);
  const box = side * PIXEL;
  const cellW = Math.max(box, 78) + GAP;
  const cellH = box + LABEL + GAP;
  let maxValue = 0;
  for (let k = 0; k < n; k++) for (let i = 0; i < area; i++) maxValue = Math.max(maxValue, images[k]![i]!);
  const scale = maxValue > 0 ? 1 / maxValue : 1;

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
        const level = Math.round(Math.min(1, Math.max(0, img[r * side + c]! * scale)) * LEVELS);
        let end = c + 1;
        while (end < side && Math.round(Math.min(1, Math.max(0, img[r * side + end]! * scale)) * LEVELS) === level) end++;
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
