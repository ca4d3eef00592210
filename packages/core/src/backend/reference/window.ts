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

/** Calls visit(outIndex, planeOffset, tapIndex) for every tap of every window that lands inside the image. */
function eachTap(w: Window2d, start: (o: number) => void, visit: (o: number, plane: number, at: number) => void): void {
  const { batch, channels, height, width, kernelH, kernelW, outH, outW } = w;
  let o = 0;
  for (let p = 0; p < batch * channels; p++) {
    const plane = p * height * width;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        start(o);
        for (let ky = 0; ky < kernelH; ky++) {
          const iy = oy * w.strideH - w.padH + ky * w.dilationH;
          if (iy < 0 || iy >= height) continue;
          for (let kx = 0; kx < kernelW; kx++) {
            const ix = ox * w.strideW - w.padW + kx * w.dilationW;
            if (ix >= 0 && ix < width) visit(o, plane, iy * width + ix);
          }
        }
      }
    }
  }
}

export function maxPool2d(x: TypedArray, w: Window2d, out: TypedArray, argmax: Int32Array): void {
  let best = -Infinity, at = -1;
  const finish = (o: number) => { out[o] = best; argmax[o] = at; };
  eachTap(w, (o) => { if (o > 0) finish(o - 1); best = -Infinity; at = -1; }, (_o, plane, i) => {
    const v = x[plane + i]!;
    // The first NaN wins, as in PyTorch; otherwise the first of equal maxima.
    if (at < 0 || v > best || (v !== v && best === best)) { best = v; at = i; }
  });
  if (out.length > 0) finish(out.length - 1);
}

export function avgPool2d(x: TypedArray, w: Window2d, out: TypedArray): void {
  const area = w.kernelH * w.kernelW;
  let total = 0;
  const finish = (o: number) => { out[o] = total / area; };
  eachTap(w, (o) => { if (o > 0) finish(o - 1); total = 0; }, (_o, plane, i) => { total += x[plane + i]!; });
  if (out.length > 0) finish(out.length - 1);
}

export function avgPool2dBackward(g: TypedArray, w: Window2d, out: TypedArray): void {
  const area = w.kernelH * w.kernelW;
  out.fill(0);
  eachTap(w, () => {}, (o, plane, i) => { out[plane + i] = out[plane + i]! + g[o]! / area; });
}
