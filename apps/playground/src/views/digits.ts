/**
 * The MNIST view: the first test digits with the model's guess for each (green when right, red when wrong)
 * above the confusion matrix on all 1000 test digits (rows the true digit, columns the guess, darker for
 * more) and the accuracy it gives. The canvas carries the accuracy and the matrix in data attributes.
 */
import type { RunInfo } from '../protocol.ts';
import { accuracyOf, confusionMatrix, predictedClass } from './confusion.ts';

const SIDE = 28;
const COLUMNS = 6;
const ROWS = 4;
const RIGHT = '#2c8a2c';
const WRONG = '#c62828';

export function drawDigits(canvas: HTMLCanvasElement, run: RunInfo, prediction: Float32Array): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const cell = Math.floor(canvas.width / COLUMNS);
  for (let k = 0; k < COLUMNS * ROWS && k < run.points.value.length; k++) {
    drawDigit(ctx, run.points.x, k, (k % COLUMNS) * cell, Math.floor(k / COLUMNS) * cell, cell);
    const guess = predictedClass(prediction, k, run.outputs);
    ctx.fillStyle = guess === run.points.value[k] ? RIGHT : WRONG;
    ctx.font = 'bold 14px system-ui, sans-serif';
    ctx.fillText(String(guess), (k % COLUMNS) * cell + cell - 16, Math.floor(k / COLUMNS) * cell + cell - 6);
  }
  const counts = confusionMatrix(prediction, run.points.value, run.outputs);
  drawMatrix(ctx, counts, 8, ROWS * cell + 8, Math.floor((canvas.height - ROWS * cell - 16) / (run.outputs + 1)));
  const accuracy = accuracyOf(counts);
  ctx.fillStyle = '#222';
  ctx.font = '16px system-ui, sans-serif';
  ctx.fillText(`test accuracy ${(accuracy * 100).toFixed(1)} %`, 200, ROWS * cell + 40);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#666';
  ctx.fillText('rows true, columns guessed', 200, ROWS * cell + 62);
  canvas.dataset.accuracy = String(accuracy);
  canvas.dataset.confusion = JSON.stringify(counts);
}

/** Test digit k, its [0, 1] pixels in grey (ink dark), in a square of `size` at (x, y). */
function drawDigit(ctx: CanvasRenderingContext2D, pixels: Float32Array, k: number, x: number, y: number, size: number): void {
  const image = new ImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(255 * (1 - Math.min(1, Math.max(0, pixels[k * SIDE * SIDE + i]!))));
    image.data.set([v, v, v, 255], i * 4);
  }
  const small = new OffscreenCanvas(SIDE, SIDE);
  small.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, x + 4, y + 4, size - 22, size - 22);
}

/** The matrix as shaded cells of `cell` pixels, digits 0–9 along the top and left, at (x, y). */
function drawMatrix(ctx: CanvasRenderingContext2D, counts: readonly (readonly number[])[], x: number, y: number, cell: number): void {
  const top = Math.max(1, ...counts.flat());
  ctx.font = `${Math.max(8, cell - 4)}px system-ui, sans-serif`;
  counts.forEach((row, t) => {
    ctx.fillStyle = '#666';
    ctx.fillText(String(t), x, y + (t + 2) * cell - 2);
    ctx.fillText(String(t), x + (t + 1) * cell + 2, y + cell - 2);
    row.forEach((n, p) => {
      // Square root: the few mistakes stay visible next to a full diagonal.
      const shade = Math.round(255 * (1 - Math.sqrt(n / top)));
      ctx.fillStyle = t === p ? `rgb(${shade},${Math.round(128 + shade / 2)},${shade})` : `rgb(255,${shade},${shade})`;
      ctx.fillRect(x + (p + 1) * cell, y + (t + 1) * cell, cell - 1, cell - 1);
    });
  });
}
