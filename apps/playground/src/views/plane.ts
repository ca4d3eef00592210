/**
 * The 2-D views: the model's output on the grid as a heatmap, with the training points on top. For classes
 * each cell mixes the class colours by the predicted probabilities (a pale cell is an unsure one); for a
 * surface the value is coloured on the blue–white–orange scale of the targets' range.
 */
import type { RunInfo } from '../protocol.ts';
import { CLASS_COLORS, css, diverging } from './colors.ts';

export function drawPlane(canvas: HTMLCanvasElement, run: RunInfo, prediction: Float32Array): void {
  const ctx = canvas.getContext('2d')!;
  const n = run.gridSize;
  const cells = new ImageData(n, n);
  const [lo, hi] = valueRange(run);
  for (let k = 0; k < n * n; k++) {
    const rgb = run.task === 'classification' ? mixClasses(prediction, k, run.outputs) : diverging((prediction[k]! - lo) / (hi - lo));
    cells.data.set([rgb[0], rgb[1], rgb[2], 255], k * 4);
  }
  // Scale the grid up to the canvas through a bitmap of its own size, smoothing between cells.
  const small = new OffscreenCanvas(n, n);
  small.getContext('2d')!.putImageData(cells, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  drawPoints(ctx, canvas, run, lo, hi);
}

/** The class colours weighted by probability, washed towards white where the model is unsure. */
function mixClasses(p: Float32Array, k: number, classes: number): [number, number, number] {
  const rgb = [0, 0, 0];
  let top = 0;
  for (let c = 0; c < classes; c++) {
    const w = p[k * classes + c]!;
    top = Math.max(top, w);
    for (let i = 0; i < 3; i++) rgb[i]! += w * CLASS_COLORS[c % CLASS_COLORS.length]![i]!;
  }
  // top is 1/classes when unsure, 1 when sure: keep between 35 % and 75 % of the colour.
  const sure = classes > 1 ? (top - 1 / classes) / (1 - 1 / classes) : 1;
  const keep = 0.35 + 0.4 * sure;
  return rgb.map((v) => Math.round(255 - keep * (255 - v))) as [number, number, number];
}

/** The range the surface's colours span: the training targets'. */
function valueRange(run: RunInfo): [number, number] {
  if (run.task === 'classification') return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of run.points.value) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
}

function drawPoints(ctx: CanvasRenderingContext2D, canvas: HTMLCanvasElement, run: RunInfo, lo: number, hi: number): void {
  const [[x0, x1], [y0, y1]] = run.bounds as [[number, number], [number, number]];
  const { x, value } = run.points;
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  for (let i = 0; i < value.length; i++) {
    const px = ((x[2 * i]! - x0) / (x1 - x0)) * canvas.width;
    const py = (1 - (x[2 * i + 1]! - y0) / (y1 - y0)) * canvas.height;
    const rgb = run.task === 'classification' ? CLASS_COLORS[value[i]! % CLASS_COLORS.length]! : diverging((value[i]! - lo) / (hi - lo));
    ctx.fillStyle = css(rgb);
    ctx.beginPath();
    ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}
