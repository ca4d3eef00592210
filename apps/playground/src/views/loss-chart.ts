/**
 * The loss curves on a log scale over steps: each step's batch loss (pale; averaged per pixel column once
 * there are more steps than columns), and the loss on all training points and on the validation points at
 * each snapshot.
 */
import { css } from './colors.ts';

/** The curves so far: per-step batch losses, and [step, loss] pairs per snapshot. */
export interface LossCurves {
  readonly steps: readonly number[];
  readonly train: readonly (readonly [number, number])[];
  readonly validation: readonly (readonly [number, number])[];
}

const PAD = { left: 44, right: 8, top: 8, bottom: 20 };
const TRAIN = [245, 147, 34] as const;
const VALIDATION = [8, 119, 189] as const;

export function drawLossChart(canvas: HTMLCanvasElement, curves: LossCurves): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  // Loops, not Math.min(...xs): a long run has more steps than a call may take arguments.
  let [min, max] = [Infinity, -Infinity];
  const see = (v: number) => { if (Number.isFinite(v) && v > 0) { min = Math.min(min, v); max = Math.max(max, v); } };
  curves.steps.forEach(see);
  for (const [, v] of [...curves.train, ...curves.validation]) see(v);
  if (min === Infinity) return;
  const lastStep = Math.max(1, curves.steps.length, curves.train.at(-1)?.[0] ?? 0);
  let lo = Math.log10(min);
  let hi = Math.log10(max);
  if (hi - lo < 0.5) { lo -= 0.25; hi += 0.25; }
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const px = (step: number) => PAD.left + (step / lastStep) * w;
  const py = (loss: number) => PAD.top + (1 - (Math.log10(Math.max(loss, 1e-30)) - lo) / (hi - lo)) * h;
  axes(ctx, width, height, lo, hi, lastStep, py);
  line(ctx, bucketed(curves.steps, w).map(([s, v]) => [px(s), py(v)]), css(TRAIN, 0.35), 1);
  line(ctx, curves.train.map(([s, v]) => [px(s), py(v)]), css(TRAIN), 2);
  line(ctx, curves.validation.map(([s, v]) => [px(s), py(v)]), css(VALIDATION), 2);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = css(TRAIN);
  ctx.fillText('training', width - 120, PAD.top + 10);
  ctx.fillStyle = css(VALIDATION);
  ctx.fillText('validation', width - 64, PAD.top + 10);
}

/** Step losses as [step, loss] points, averaged into at most `columns` buckets. */
function bucketed(steps: readonly number[], columns: number): [number, number][] {
  const size = Math.max(1, Math.ceil(steps.length / columns));
  const out: [number, number][] = [];
  for (let start = 0; start < steps.length; start += size) {
    const part = steps.slice(start, start + size);
    out.push([start + part.length, part.reduce((a, b) => a + b, 0) / part.length]);
  }
  return out;
}

function line(ctx: CanvasRenderingContext2D, points: readonly (readonly [number, number])[], color: string, width: number): void {
  if (points.length === 0) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.stroke();
  ctx.lineWidth = 1;
}

function axes(ctx: CanvasRenderingContext2D, width: number, height: number, lo: number, hi: number, lastStep: number, py: (v: number) => number): void {
  ctx.strokeStyle = '#eee';
  ctx.fillStyle = '#666';
  ctx.font = '10px sans-serif';
  // At most about five labelled decades, however far the loss has run.
  const every = Math.max(1, Math.ceil((hi - lo) / 5));
  for (let e = Math.ceil(lo / every) * every; e <= Math.floor(hi); e += every) {
    const y = py(10 ** e);
    ctx.beginPath();
    ctx.moveTo(PAD.left, y);
    ctx.lineTo(width - PAD.right, y);
    ctx.stroke();
    ctx.fillText(`1e${e}`, 4, y + 3);
  }
  ctx.fillText(`step ${lastStep}`, width - PAD.right - 60, height - 5);
}
