// The sliding-window kernels over NCHW images (kernels.h's Window2d): im2col and its adjoint col2im for
// convolution, max and average pooling and average pooling's adjoint. The reference's loops
// (packages/core/src/backend/reference/window.ts) in its order, so sums give the same bits: float32 values
// add in float (the same as JavaScript's double then rounded), the average's sums in double.
#include <algorithm>
#include <limits>
#include "kernels.h"

namespace chainrule {

namespace {

// The outputs o in [0, count) whose tap o·stride + offset falls in [0, size): [lo, hi), possibly empty.
void inside(int64_t offset, int64_t stride, int64_t size, int64_t count, int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  lo = std::min(lo, count);
  hi = std::max(lo, std::min(hi, count));
}

}  // namespace

template <typename T> void im2col(const T* x, const Window2d& w, T* out, size_t r0, size_t r1) {
  const int64_t cols = w.batch * w.outH * w.outW, plane = w.height * w.width;
  for (int64_t r = int64_t(r0); r < int64_t(r1); r++) {
    const int64_t c = r / (w.kernelH * w.kernelW), ky = r / w.kernelW % w.kernelH, kx = r % w.kernelW;
    T* dst = out + r * cols;
    int64_t lo, hi;
    inside(kx * w.dilationW - w.padW, w.strideW, w.width, w.outW, lo, hi);
    for (int64_t n = 0; n < w.batch; n++) {
      const T* image = x + (n * w.channels + c) * plane;
      for (int64_t oy = 0; oy < w.outH; oy++, dst += w.outW) {
        const int64_t iy = oy * w.strideH - w.padH + ky * w.dilationH;
        if (iy < 0 || iy >= w.height) { std::fill(dst, dst + w.outW, T(0)); continue; }
        const int64_t row = iy * w.width + kx * w.dilationW - w.padW;
        std::fill(dst, dst + lo, T(0));
        for (int64_t ox = lo; ox < hi; ox++) dst[ox] = image[row + ox * w.strideW];
        std::fill(dst + hi, dst + w.outW, T(0));
      }
    }
  }
}

template <typename T> void col2im(const T* cols, const Window2d& w, T* out, size_t c0, size_t c1) {
  const int64_t n0 = w.batch * w.outH * w.outW, plane = w.height * w.width;
  for (int64_t c = int64_t(c0); c < int64_t(c1); c++) {
    for (int64_t n = 0; n < w.batch; n++) std::fill(out + (n * w.channels + c) * plane, out + (n * w.channels + c + 1) * plane, T(0));
    for (int64_t ky = 0; ky < w.kernelH; ky++) {
      for (int64_t kx = 0; kx < w.kernelW; kx++) {
        const T* src = cols + ((c * w.kernelH + ky) * w.kernelW + kx) * n0;
        int64_t lo, hi;
        inside(kx * w.dilationW - w.padW, w.strideW, w.width, w.outW, lo, hi);
        for (int64_t n = 0; n < w.batch; n++) {
          T* image = out + (n * w.channels + c) * plane;
          for (int64_t oy = 0; oy < w.outH; oy++, src += w.outW) {
            const int64_t iy = oy * w.strideH - w.padH + ky * w.dilationH;
            if (iy < 0 || iy >= w.height) continue;
            const int64_t row = iy * w.width + kx * w.dilationW - w.padW;
            for (int64_t ox = lo; ox < hi; ox++) image[row + ox * w.strideW] += src[ox];
          }
        }
      }
    }
  }
}

namespace {

// Calls pool(o, plane, y0, y1, x0, x1) for every window of planes [p0, p1), as the reference's eachWindow:
// rows y0..y1-1 and columns x0..x1-1 of the plane are its taps inside the image (pooling is not dilated).
template <typename F> void eachWindow(const Window2d& w, size_t p0, size_t p1, const F& pool) {
  int64_t o = int64_t(p0) * w.outH * w.outW;
  for (int64_t p = int64_t(p0); p < int64_t(p1); p++) {
    const int64_t plane = p * w.height * w.width;
    for (int64_t oy = 0; oy < w.outH; oy++) {
      const int64_t top = oy * w.strideH - w.padH;
      const int64_t y0 = std::max<int64_t>(top, 0), y1 = std::min(top + w.kernelH, w.height);
      for (int64_t ox = 0; ox < w.outW; ox++, o++) {
        const int64_t left = ox * w.strideW - w.padW;
        pool(o, plane, y0, y1, std::max<int64_t>(left, 0), std::min(left + w.kernelW, w.width));
      }
    }
  }
}

}  // namespace

template <typename T> void maxPool2d(const T* x, const Window2d& w, T* out, int32_t* argmax, size_t p0, size_t p1) {
  eachWindow(w, p0, p1, [&](int64_t o, int64_t plane, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
    T best = -std::numeric_limits<T>::infinity();
    int64_t at = -1;
    for (int64_t y = y0; y < y1; y++) {
      for (int64_t i = y * w.width + x0, end = y * w.width + x1; i < end; i++) {
        const T v = x[plane + i];
        // The first NaN wins, as in PyTorch; otherwise the first of equal maxima. Without branches: which
        // tap wins is data-dependent, and mispredicted branches cost more than the whole window.
        const bool take = (at < 0) | (v > best) | ((v != v) & (best == best));
        best = take ? v : best;
        at = take ? i : at;
      }
    }
    out[o] = best;
    argmax[o] = int32_t(at);
  });
}

template <typename T> void avgPool2d(const T* x, const Window2d& w, T* out, size_t p0, size_t p1) {
  const double area = double(w.kernelH * w.kernelW);
  eachWindow(w, p0, p1, [&](int64_t o, int64_t plane, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
    double total = 0;
    for (int64_t y = y0; y < y1; y++) {
      for (const T *p = x + plane + y * w.width + x0, *end = x + plane + y * w.width + x1; p < end; p++) total += *p;
    }
    out[o] = T(total / area);
  });
}

template <typename T> void avgPool2dBackward(const T* g, const Window2d& w, T* out, size_t p0, size_t p1) {
  const double area = double(w.kernelH * w.kernelW);
  const int64_t plane = w.height * w.width;
  std::fill(out + int64_t(p0) * plane, out + int64_t(p1) * plane, T(0));
  eachWindow(w, p0, p1, [&](int64_t o, int64_t base, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
    const double share = double(g[o]) / area;
    for (int64_t y = y0; y < y1; y++) {
      for (T *p = out + base + y * w.width + x0, *end = out + base + y * w.width + x1; p < end; p++) *p = T(double(*p) + share);
    }
  });
}

#define CHAINRULE_WINDOW(T)                                                                   \
  template void im2col<T>(const T*, const Window2d&, T*, size_t, size_t);                   \
  template void col2im<T>(const T*, const Window2d&, T*, size_t, size_t);                   \
  template void maxPool2d<T>(const T*, const Window2d&, T*, int32_t*, size_t, size_t);      \
  template void avgPool2d<T>(const T*, const Window2d&, T*, size_t, size_t);                \
  template void avgPool2dBackward<T>(const T*, const Window2d&, T*, size_t, size_t);
CHAINRULE_WINDOW(float)
CHAINRULE_WINDOW(double)

}  // namespace chainrule
