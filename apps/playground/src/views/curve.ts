/** The 1-D view: the training points and the model's curve over the input range, with light axes. */
import type { RunInfo } from '../protocol.ts';

export function drawCurve(canvas: HTMLCanvasElement, run: RunInfo, prediction: Float32Array): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const [x0, x1] = run.bounds[0]!;
  const { x, value } = run.points;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of value) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const pad = (hi - lo) * 0.15 || 1;
  [lo, hi] = [lo - pad, hi + pad];
  const px = (v: number) => ((v - x0) / (x1 - x0)) * width;
  const py = (v: number) => (1 - (v - lo) / (hi - lo)) * height;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#ddd';
  ctx.beginPath();
  if (lo < 0 && hi > 0) { ctx.moveTo(0, py(0)); ctx.lineTo(width, py(0)); }
  if (x0 < 0 && x1 > 0) { ctx.moveTo(px(0), 0); ctx.lineTo(px(0), height); }
  ctx.stroke();
  ctx.fillStyle = 'rgba(8,119,189,0.6)';
  for (let i = 0; i < value.length; i++) { ctx.beginPath(); ctx.arc(px(x[i]!), py(value[i]!), 2.5, 0, 2 * Math.PI); ctx.fill(); }
  ctx.strokeStyle = '#f59322';
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  const n = run.gridSize;
  for (let i = 0; i < n; i++) {
    const v = Math.min(hi + pad, Math.max(lo - pad, prediction[i]!));
    const gx = x0 + ((x1 - x0) * i) / (n - 1);
    if (i === 0) ctx.moveTo(px(gx), py(v)); else ctx.lineTo(px(gx), py(v));
  }
  ctx.stroke();
  ctx.lineWidth = 1;
}
