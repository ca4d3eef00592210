/**
 * Reference sliding-window kernels over NCHW images (see Window2d): im2col and its adjoint col2im for
 * convolution, max and average pooling and average pooling's adjoint. Plain loops, float64 sums.
 */
import type { TypedArray } from '../../dtype.ts';
import type { Window2d } from '../kernels.ts';

export function im2col(x: TypedArray, w: Window2d, out: TypedArray): void {
  const { batch, channels, height, width, kernelH, kernelW, outH, outW } = w;
  const cols = batch * outH * outW;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < kernelH; ky++) {
      for (let kx = 0; kx < kernelW; kx++) {
        let dst = ((c * kernelH + ky) * kernelW + kx) * cols;
        for (let n = 0; n < batch; n++) {
          const plane = (n * channels + c) * height * width;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * w.strideH - w.padH + ky * w.dilationH;
            for (let ox = 0; ox < outW; ox++, dst++) {
              const ix = ox * w.strideW - w.padW + kx * w.dilationW;
              out[dst] = iy >= 0 && iy < height && ix >= 0 && ix < width ? x[plane + iy * width + ix]! : 0;
            }
          }
        }
      }
    }
  }
}

export function col2im(cols: TypedArray, w: Window2d, out: TypedArray): void {
  const { batch, channels, height, width, kernelH, kernelW, outH, outW } = w;
  const n0 = batch * outH * outW;
  out.fill(0);
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < kernelH; ky++) {
      for (let kx = 0; kx < kernelW; kx++) {
        let src = ((c * kernelH + ky) * kernelW + kx) * n0;
        for (let n = 0; n < batch; n++) {
          const plane = (n * channels + c) * height * width;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * w.strideH - w.padH + ky * w.dilationH;
            for (let ox = 0; ox < outW; ox++, src++) {
              const ix = ox * w.strideW - w.padW + kx * w.dilationW;
              if (iy >= 0 && iy < height && ix >= 0 && ix < width) out[plane + iy * width + ix] = out[plane + iy * width + ix]! + cols[src]!;
            }
          }
        }
      }
    }
  }
}

/**
 * Calls `pool(o, plane, y0, y1, x0, x1)` for every window o, in out's order: rows y0..y1−1 and columns
 * x0..x1−1 of the image plane starting at `plane` are its taps inside the image (pooling is not dilated).
 */
function eachWindow(w: Window2d, pool: (o: number, plane: number, y0: number, y1: number, x0: number, x1: number) => void): void {
  const { height, width, kernelH, kernelW, outH, outW } = w;
  let o = 0;
  for (let p = 0; p < w.batch * w.channels; p++) {
    const plane = p * height * width;
    for (let oy = 0; oy < outH; oy++) {
      const top = oy * w.strideH - w.padH;
      const y0 = Math.max(top, 0), y1 = Math.min(top + kernelH, height);
      for (let ox = 0; ox < outW; ox++, o++) {
        const left = ox * w.strideW - w.padW;
        pool(o, plane, y0, y1, Math.max(left, 0), Math.min(left + kernelW, width));
      }
    }
  }
}

export function maxPool2d(x: TypedArray, w: Window2d, out: TypedArray, argmax: Int32Array): void {
  const width = w.width;
  eachWindow(w, (o, plane, y0, y1, x0, x1) => {
    let best = -Infinity, at = -1;
    for (let y = y0; y < y1; y++) {
      for (let i = y * width + x0, end = y * width + x1; i < end; i++) {
        const v = x[plane + i]!;
        // The first NaN wins, as in PyTorch; otherwise the first of equal maxima.
        if (at < 0 || v > best || (v !== v && best === best)) { best = v; at = i; }
      }
    }
    out[o] = best;
    argmax[o] = at;
  });
}

export function avgPool2d(x: TypedArray, w: Window2d, out: TypedArray): void {
  const width = w.width, area = w.kernelH * w.kernelW;
  eachWindow(w, (o, plane, y0, y1, x0, x1) => {
    let total = 0;
    for (let y = y0; y < y1; y++) for (let i = plane + y * width + x0, end = plane + y * width + x1; i < end; i++) total += x[i]!;
    out[o] = total / area;
  });
}

export function avgPool2dBackward(g: TypedArray, w: Window2d, out: TypedArray): void {
  const width = w.width, area = w.kernelH * w.kernelW;
  out.fill(0);
  eachWindow(w, (o, plane, y0, y1, x0, x1) => {
    const share = g[o]! / area;
    for (let y = y0; y < y1; y++) for (let i = plane + y * width + x0, end = plane + y * width + x1; i < end; i++) out[i] = out[i]! + share;
  });
}
