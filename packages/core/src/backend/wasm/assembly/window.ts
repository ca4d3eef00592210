// The sliding-window kernels over NCHW images (Window2d in ../../kernels.ts): im2col and its adjoint col2im
// for convolution, max and average pooling and average pooling's adjoint, float32. Each keeps the
// reference's order (../../reference/window.ts) so that it gives the reference's bits: im2col and max
// pooling copy values, col2im adds in float32 in the reference's order (JavaScript's double sum rounded
// at each store is the same value), average pooling sums in float64 tap by tap.
//
// Every export takes the window as its 14 sizes, in Window2d's order (../abi.ts, windowSizes).

// ---------------------------------------------------------------------------------------------
// Rows of outputs: which outputs of a row read inside the image, and moving a row's values.

/** The first output o in [0, count] whose tap o·stride + offset is ≥ 0. */
@inline function firstInside(offset: i32, stride: i32, count: i32): i32 {
  return min(offset >= 0 ? 0 : (stride - 1 - offset) / stride, count);
}

/** The end of the outputs o in [lo, count] whose tap o·stride + offset is < size. */
@inline function endInside(offset: i32, stride: i32, size: i32, count: i32, lo: i32): i32 {
  const hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  return max(lo, min(hi, count));
}

/** dst[from..to) = 0. */
@inline function zero(dst: usize, from: i32, to: i32): void {
  let i = from;
  for (; i + 4 <= to; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < to; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/**
 * Four values src[0], src[stride], src[2·stride], src[3·stride] (stride 1 or 2). Stride 2 loads 8 floats:
 * the last one, past the fourth value, may lie past the image, inside the padding the arena leaves after
 * every block.
 */
@inline function four(src: usize, stride: i32): v128 {
  if (stride == 1) return v128.load(src);
  return v128.shuffle<f32>(v128.load(src), v128.load(src, 16), 0, 2, 4, 6);
}

/** dst[i] = src[i·stride] for i < count. */
@inline function gatherRow(src: usize, stride: i32, dst: usize, count: i32): void {
  let i = 0;
  if (stride <= 2) for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), four(src + (<usize>(i * stride) << 2), stride));
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>(i * stride) << 2)));
}

/** dst[i·stride] += src[i] for i < count (distinct targets, so any order gives the same bits). */
@inline function scatterAddRow(src: usize, dst: usize, stride: i32, count: i32): void {
  let i = 0;
  if (stride == 1) {
    for (; i + 4 <= count; i += 4) {
      const at = <usize>i << 2;
      v128.store(dst + at, f32x4.add(v128.load(dst + at), v128.load(src + at)));
    }
  }
  for (; i < count; i++) {
    const d = dst + (<usize>(i * stride) << 2);
    store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>i << 2)));
  }
}

// ---------------------------------------------------------------------------------------------
// Convolution: im2col and col2im, loop for loop the reference's; a row of outputs (fixed c, ky, kx, n, oy)
// reads one image row at a stride, between zeros where it falls in the padding.

/** out [channels·kernelH·kernelW, batch·outH·outW]: row (c, ky, kx), column (n, oy, ox). */
export function im2col(x: usize, out: usize, batch: i32, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32): void {
  const plane = height * width;
  let dst = out;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < kernelH; ky++) {
      for (let kx = 0; kx < kernelW; kx++) {
        const offset = kx * dilationW - padW;
        const lo = firstInside(offset, strideW, outW), hi = endInside(offset, strideW, width, outW, lo);
        for (let n = 0; n < batch; n++) {
          const image = x + (<usize>((n * channels + c) * plane) << 2);
          for (let oy = 0; oy < outH; oy++, dst += <usize>outW << 2) {
            const iy = oy * strideH - padH + ky * dilationH;
            if (iy < 0 || iy >= height) { zero(dst, 0, outW); continue; }
            zero(dst, 0, lo);
            if (hi > lo) gatherRow(image + (<usize>(iy * width + offset + lo * strideW) << 2), strideW, dst + (<usize>lo << 2), hi - lo);
            zero(dst, hi, outW);
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: out [batch, channels, height, width] = 0, then each column entry added to its pixel. */
export function col2im(cols: usize, out: usize, batch: i32, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32): void {
  const plane = height * width;
  zero(out, 0, batch * channels * plane);
  let src = cols;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < kernelH; ky++) {
      for (let kx = 0; kx < kernelW; kx++) {
        const offset = kx * dilationW - padW;
        const lo = firstInside(offset, strideW, outW), hi = endInside(offset, strideW, width, outW, lo);
        for (let n = 0; n < batch; n++) {
          const image = out + (<usize>((n * channels + c) * plane) << 2);
          for (let oy = 0; oy < outH; oy++, src += <usize>outW << 2) {
            const iy = oy * strideH - padH + ky * dilationH;
            if (iy < 0 || iy >= height || hi <= lo) continue;
            scatterAddRow(src + (<usize>lo << 2), image + (<usize>(iy * width + offset + lo * strideW) << 2), strideW, hi - lo);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pooling (not dilated), window by window in out's order like the reference's eachWindow. A window's taps
// inside the image are rows y0..y1-1 and columns x0..x1-1 of its plane. Along a row of windows, those whose
// columns all lie inside the image, four at a time with strides 1 and 2, go through SIMD: lane l is
// window ox + l, and the lanes walk the taps in the reference's order, so each lane does what the scalar
// loop does.

/** The window's largest tap and where it is (y·width + x): the first NaN wins, else the first of equal maxima. */
@inline function maxWindow(image: usize, width: i32, y0: i32, y1: i32, x0: i32, x1: i32, out: usize, argmax: usize): void {
  let best: f32 = -Infinity;
  let at: i32 = -1;
  for (let y = y0; y < y1; y++) {
    for (let i = y * width + x0, end = y * width + x1; i < end; i++) {
      const v = load<f32>(image + (<usize>i << 2));
      // Without branches: which tap wins depends on the data, and mispredictions cost more than the window.
      const take = (at < 0) | (v > best) | ((v != v) & (best == best));
      best = select<f32>(v, best, take);
      at = select<i32>(i, at, take);
    }
  }
  store<f32>(out, best);
  store<i32>(argmax, at);
}

/** maxWindow for windows ox..ox+3 of a row, whose leftmost taps are columns left, left + stride, …. */
@inline function maxWindows4(image: usize, width: i32, y0: i32, y1: i32, left: i32, kernelW: i32, stride: i32, out: usize, argmax: usize): void {
  // The first tap, then the others (the first again would change nothing but cost a step).
  let best = four(image + (<usize>(y0 * width + left) << 2), stride);
  let at = i32x4.splat(y0 * width + left);
  for (let y = y0; y < y1; y++) {
    for (let kx = y == y0 ? 1 : 0; kx < kernelW; kx++) {
      const i = y * width + left + kx;
      const v = four(image + (<usize>i << 2), stride);
      const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
      best = v128.bitselect(v, best, take);
      at = v128.bitselect(i32x4.splat(i), at, take);
    }
  }
  v128.store(out, best);
  // Lane l's window starts l·stride columns further right.
  v128.store(argmax, i32x4.add(at, i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(stride))));
}

/** The window's taps summed in float64 in order, over the kernel's area (padding counts as zeros). */
@inline function avgWindow(image: usize, width: i32, y0: i32, y1: i32, x0: i32, x1: i32, area: f64, out: usize): void {
  let total: f64 = 0;
  for (let y = y0; y < y1; y++) {
    for (let i = y * width + x0, end = y * width + x1; i < end; i++) total += <f64>load<f32>(image + (<usize>i << 2));
  }
  store<f32>(out, <f32>(total / area));
}

/** avgWindow for windows ox..ox+3 of a row, as maxWindows4: two float64 pairs of lanes. */
@inline function avgWindows4(image: usize, width: i32, y0: i32, y1: i32, left: i32, kernelW: i32, stride: i32, area: f64, out: usize): void {
  let low = f64x2.splat(0), high = f64x2.splat(0);
  for (let y = y0; y < y1; y++) {
    for (let kx = 0; kx < kernelW; kx++) {
      const v = four(image + (<usize>(y * width + left + kx) << 2), stride);
      low = f64x2.add(low, f64x2.promote_low_f32x4(v));
      high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    }
  }
  const a = f64x2.splat(area);
  const l = f32x4.demote_f64x2_zero(f64x2.div(low, a)), h = f32x4.demote_f64x2_zero(f64x2.div(high, a));
  v128.store(out, v128.shuffle<f32>(l, h, 0, 1, 4, 5));
}

const MAX = 0, AVG = 1;

/** Max (writing argmax too) or average pooling over every window, in out's order. */
@inline function pool(kind: i32, x: usize, out: usize, argmax: usize, planes: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, outH: i32, outW: i32): void {
  const area = <f64>(kernelH * kernelW);
  // The windows of a row whose columns all lie inside the image: [inLo, inHi).
  const inLo = firstInside(-padW, strideW, outW);
  const inHi = endInside(kernelW - 1 - padW, strideW, width, outW, inLo);
  const simd = strideW <= 2;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const image = x + (<usize>(p * height * width) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const top = oy * strideH - padH;
      const y0 = max(top, 0), y1 = min(top + kernelH, height);
      let ox = 0;
      if (simd && y0 < y1) {
        for (; ox < inLo; ox++, o++) {
          const left = ox * strideW - padW;
          if (kind == MAX) maxWindow(image, width, y0, y1, max(left, 0), min(left + kernelW, width), out + (<usize>o << 2), argmax + (<usize>o << 2));
          else avgWindow(image, width, y0, y1, max(left, 0), min(left + kernelW, width), area, out + (<usize>o << 2));
        }
        for (; ox + 4 <= inHi; ox += 4, o += 4) {
          const left = ox * strideW - padW;
          if (kind == MAX) maxWindows4(image, width, y0, y1, left, kernelW, strideW, out + (<usize>o << 2), argmax + (<usize>o << 2));
          else avgWindows4(image, width, y0, y1, left, kernelW, strideW, area, out + (<usize>o << 2));
        }
      }
      for (; ox < outW; ox++, o++) {
        const left = ox * strideW - padW;
        if (kind == MAX) maxWindow(image, width, y0, y1, max(left, 0), min(left + kernelW, width), out + (<usize>o << 2), argmax + (<usize>o << 2));
        else avgWindow(image, width, y0, y1, max(left, 0), min(left + kernelW, width), area, out + (<usize>o << 2));
      }
    }
  }
}

/** Max pooling: out [batch, channels, outH, outW] and argmax (int32, y·width + x in its plane). */
export function maxPool2d(x: usize, out: usize, argmax: usize, batch: i32, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32): void {
  pool(MAX, x, out, argmax, batch * channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW);
}

/** Average pooling: out [batch, channels, outH, outW]. */
export function avgPool2d(x: usize, out: usize, batch: i32, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32): void {
  pool(AVG, x, out, 0, batch * channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW);
}

/** One window's share added to its taps: each pixel = float32(pixel + share), the sum in float64. */
@inline function spreadWindow(image: usize, width: i32, y0: i32, y1: i32, x0: i32, x1: i32, share: f64): void {
  for (let y = y0; y < y1; y++) {
    for (let i = y * width + x0, end = y * width + x1; i < end; i++) {
      const at = image + (<usize>i << 2);
      store<f32>(at, <f32>(<f64>load<f32>(at) + share));
    }
  }
}

/** Two pixels plus a float64 share each (lanes 0 and 1 of `pixels`), rounded back to float32 (in lanes 0, 1). */
@inline function addShares(pixels: v128, shares: v128): v128 {
  return f32x4.demote_f64x2_zero(f64x2.add(f64x2.promote_low_f32x4(pixels), shares));
}

/**
 * spreadWindow for windows ox..ox+3 of a row of 2-wide windows at stride 2: together they cover 8
 * adjacent columns, each pixel in one window only, so adding the four shares a row at a time keeps every
 * pixel's order of additions (windows of other rows come before or after, in out's order).
 */
@inline function spreadWindows4(image: usize, width: i32, y0: i32, y1: i32, left: i32, g: v128, area: f64): void {
  const a = f64x2.splat(area);
  const s01 = f64x2.div(f64x2.promote_low_f32x4(g), a), s23 = f64x2.div(f64x2.promote_low_f32x4(v128.shuffle<f32>(g, g, 2, 3, 0, 1)), a);
  // The share of each pixel pair: [s0, s0], [s1, s1], [s2, s2], [s3, s3].
  const p0 = v128.shuffle<f64>(s01, s01, 0, 0), p1 = v128.shuffle<f64>(s01, s01, 1, 1);
  const p2 = v128.shuffle<f64>(s23, s23, 0, 0), p3 = v128.shuffle<f64>(s23, s23, 1, 1);
  for (let y = y0; y < y1; y++) {
    const at = image + (<usize>(y * width + left) << 2);
    const u = v128.load(at), v = v128.load(at, 16);
    v128.store(at, v128.shuffle<f32>(addShares(u, p0), addShares(v128.shuffle<f32>(u, u, 2, 3, 0, 1), p1), 0, 1, 4, 5));
    v128.store(at, v128.shuffle<f32>(addShares(v, p2), addShares(v128.shuffle<f32>(v, v, 2, 3, 0, 1), p3), 0, 1, 4, 5), 16);
  }
}

/**
 * The adjoint of avgPool2d: out [batch, channels, height, width] = 0, then each window's g / area added to
 * its taps, window by window, in float64 rounded at each store as the reference does.
 */
export function avgPool2dBackward(g: usize, out: usize, batch: i32, channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32): void {
  const area = <f64>(kernelH * kernelW);
  const planes = batch * channels;
  zero(out, 0, planes * height * width);
  // 2-wide windows at stride 2 (the common 2×2 pooling) four at a time where all their columns are inside.
  const simd = kernelW == 2 && strideW == 2;
  const inLo = firstInside(-padW, strideW, outW);
  const inHi = endInside(kernelW - 1 - padW, strideW, width, outW, inLo);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const image = out + (<usize>(p * height * width) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const top = oy * strideH - padH;
      const y0 = max(top, 0), y1 = min(top + kernelH, height);
      let ox = 0;
      if (simd) {
        for (; ox < inLo; ox++, o++) {
          const left = ox * strideW - padW;
          spreadWindow(image, width, y0, y1, max(left, 0), min(left + kernelW, width), <f64>load<f32>(g + (<usize>o << 2)) / area);
        }
        for (; ox + 4 <= inHi; ox += 4, o += 4) spreadWindows4(image, width, y0, y1, ox * strideW - padW, v128.load(g + (<usize>o << 2)), area);
      }
      for (; ox < outW; ox++, o++) {
        const left = ox * strideW - padW;
        spreadWindow(image, width, y0, y1, max(left, 0), min(left + kernelW, width), <f64>load<f32>(g + (<usize>o << 2)) / area);
      }
    }
  }
}
