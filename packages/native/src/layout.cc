// Data movement (strided copies, select, pad, gather/scatter, concat), clip, max/min reductions and the
// softmax cross-entropy pair, with the reference kernels' semantics and order (core's backend/reference),
// so every result has the reference's bits except crossEntropy's exp (exp.cc's) and log (libm's). Callers (addon.cc)
// check every size, stride and index first.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include "kernels.h"

namespace chainrule {
namespace {

// Calls row(offsets) for each index of all dims but the last two, in row-major order; offsets[j] is
// Σ idx[d]·strides[j][d] over those dims. The callee walks the last two dims itself.
template <size_t K, typename F> void forEachBlock(const Shape& s, const size_t* const (&strides)[K], F block) {
  const size_t outerDims = s.rank > 2 ? s.rank - 2 : 0;
  size_t idx[kMaxRank] = {}, off[K] = {};
  for (;;) {
    block(off);
    size_t d = outerDims;
    for (; d-- > 0;) {
      for (size_t j = 0; j < K; j++) off[j] += strides[j][d];
      if (++idx[d] < s.dims[d]) break;
      for (size_t j = 0; j < K; j++) off[j] -= strides[j][d] * s.dims[d];
      idx[d] = 0;
    }
    if (d == size_t(-1)) return;
  }
}

// The last two dims of a shape as [rows, cols] (1 where the rank is lower), and a stride's.
size_t rowsOf(const Shape& s) { return s.rank >= 2 ? s.dims[s.rank - 2] : 1; }
size_t colsOf(const Shape& s) { return s.rank >= 1 ? s.dims[s.rank - 1] : 1; }
size_t rowStride(const Shape& s, const size_t* st) { return s.rank >= 2 ? st[s.rank - 2] : 0; }
size_t colStride(const Shape& s, const size_t* st) { return s.rank >= 1 ? st[s.rank - 1] : 0; }

}  // namespace

size_t sizeOf(const Shape& s) {
  size_t n = 1;
  for (size_t d = 0; d < s.rank; d++) n *= s.dims[d];
  return n;
}

template <typename T> void copyStrided(const T* x, const size_t* strides, const Shape& s, T* out) {
  if (sizeOf(s) == 0) return;
  const size_t rows = rowsOf(s), cols = colsOf(s), rs = rowStride(s, strides), cs = colStride(s, strides);
  const size_t* const st[1] = {strides};
  forEachBlock(s, st, [&](const size_t* off) {
    for (size_t r = 0; r < rows; r++) {
      const T* px = x + off[0] + r * rs;
      if (cs == 1) for (size_t c = 0; c < cols; c++) out[c] = px[c];
      else for (size_t c = 0; c < cols; c++) out[c] = px[c * cs];
      out += cols;
    }
  });
}

template <typename C, typename T>
void select(const C* cond, const size_t* cS, const T* a, const size_t* aS, const T* b, const size_t* bS, const Shape& s, T* out) {
  if (sizeOf(s) == 0) return;
  const size_t rows = rowsOf(s), cols = colsOf(s);
  const size_t* const st[3] = {cS, aS, bS};
  const size_t cr = rowStride(s, cS), ar = rowStride(s, aS), br = rowStride(s, bS);
  const size_t cc = colStride(s, cS), ac = colStride(s, aS), bc = colStride(s, bS);
  forEachBlock(s, st, [&](const size_t* off) {
    for (size_t r = 0; r < rows; r++) {
      const C* pc = cond + off[0] + r * cr;
      const T* pa = a + off[1] + r * ar;
      const T* pb = b + off[2] + r * br;
      for (size_t c = 0; c < cols; c++) out[c] = pc[c * cc] != 0 ? pa[c * ac] : pb[c * bc];
      out += cols;
    }
  });
}

template <typename T> void binaryNd(int op, const T* a, const size_t* aS, const T* b, const size_t* bS, const Shape& s, T* out) {
  if (sizeOf(s) == 0) return;
  const size_t rows = rowsOf(s), cols = colsOf(s);
  const size_t* const st[2] = {aS, bS};
  forEachBlock(s, st, [&](const size_t* off) {
    binary(op, a + off[0], rowStride(s, aS), colStride(s, aS), b + off[1], rowStride(s, bS), colStride(s, bS), out, rows, cols);
    out += rows * cols;
  });
}

template <typename T> void pad(const T* x, const Shape& shape, const size_t* before, const Shape& outShape, T* out) {
  const size_t n = sizeOf(outShape);
  for (size_t i = 0; i < n; i++) out[i] = 0;
  if (sizeOf(shape) == 0) return;
  size_t oStrides[kMaxRank], start = 0;
  for (size_t d = shape.rank, s = 1; d-- > 0;) { oStrides[d] = s; start += before[d] * s; s *= outShape.dims[d]; }
  // x is contiguous: walk it as the source and write through the output's strides.
  const size_t rows = rowsOf(shape), cols = colsOf(shape), rs = rowStride(shape, oStrides);
  const size_t* const st[1] = {oStrides};
  forEachBlock(shape, st, [&](const size_t* off) {
    for (size_t r = 0; r < rows; r++) {
      T* po = out + start + off[0] + r * rs;
      for (size_t c = 0; c < cols; c++) po[c] = x[c];
      x += cols;
    }
  });
}

template <typename T> void gather(const T* x, size_t outer, size_t len, size_t inner, const int32_t* idx, size_t m, T* out) {
  for (size_t o = 0; o < outer; o++) {
    for (size_t j = 0; j < m; j++) {
      const size_t at = (o * m + j) * inner;
      for (size_t i = 0; i < inner; i++) out[at + i] = x[(o * len + size_t(idx[at + i])) * inner + i];
    }
  }
}

// A shuffled batch's rows lie far apart (MNIST's: 3 KB rows scattered over 188 MB), so a plain copy waits
// on each row's cache and TLB misses in turn. Prefetching each row's first and last line (its pages, for
// rows up to a page long) kTakeAhead rows ahead starts those misses together; the hardware prefetcher then
// streams the rest of each row. Measured on the project's VM (64 rows of 784 floats, caches flushed):
// 41 µs per batch without prefetching, 21 µs with this; prefetching every line of each row 2 to 64 rows
// ahead gave 28 to 34 µs (too many requests in flight), the first line alone 24 µs.
constexpr size_t kTakeAhead = 64;

// A row's first and last line. A plain function, not a lambda: GCC 12 dropped the prefetches of a lambda
// inlined into takeRows at -O2 (bench/take-rows-prefetch.cc's build checks for them).
template <typename T> inline void prefetchEnds(const T* x, size_t rowLength, int32_t row) {
  const char* at = reinterpret_cast<const char*>(x + size_t(row) * rowLength);
  __builtin_prefetch(at);
  __builtin_prefetch(at + rowLength * sizeof(T) - 1);
}

template <typename T> void takeRows(const T* x, size_t rowLength, const int32_t* rows, size_t count, T* out) {
  const size_t bytes = rowLength * sizeof(T);
  for (size_t i = 0; i < count && i < kTakeAhead; i++) prefetchEnds(x, rowLength, rows[i]);
  for (size_t i = 0; i < count; i++) {
    if (i + kTakeAhead < count) prefetchEnds(x, rowLength, rows[i + kTakeAhead]);
    std::memcpy(out + i * rowLength, x + size_t(rows[i]) * rowLength, bytes);
  }
}

template <typename T> void scatterAdd(const T* g, size_t outer, size_t len, size_t inner, const int32_t* idx, size_t m, T* out) {
  for (size_t i = 0, n = outer * len * inner; i < n; i++) out[i] = 0;
  for (size_t o = 0; o < outer; o++) {
    for (size_t j = 0; j < m; j++) {
      const size_t at = (o * m + j) * inner;
      for (size_t i = 0; i < inner; i++) {
        T& dst = out[(o * len + size_t(idx[at + i])) * inner + i];
        dst = dst + g[at + i];  // one rounded add in T: what double-then-round gives for two T values
      }
    }
  }
}

template <typename T> void concat(const T* const* parts, const size_t* blocks, size_t count, size_t outer, T* out) {
  for (size_t o = 0; o < outer; o++) {
    for (size_t p = 0; p < count; p++) {
      const T* src = parts[p] + o * blocks[p];
      for (size_t i = 0; i < blocks[p]; i++) out[i] = src[i];
      out += blocks[p];
    }
  }
}

template <typename T> void clip(const T* x, double lo, double hi, T* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = static_cast<T>(jsMin(jsMax(double(x[i]), lo), hi));
}

// The reference's fold: a value replaces the running one when beyond it, or NaN.
template <typename T> void extreme3(bool max, const T* x, size_t outer, size_t len, size_t inner, T* out) {
  const T init = max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  for (size_t o = 0; o < outer; o++) {
    T* po = out + o * inner;
    for (size_t i = 0; i < inner; i++) po[i] = init;
    for (size_t j = 0; j < len; j++) {
      const T* px = x + (o * len + j) * inner;
      if (max) for (size_t i = 0; i < inner; i++) { const T v = px[i]; if (v > po[i] || std::isnan(v)) po[i] = v; }
      else for (size_t i = 0; i < inner; i++) { const T v = px[i]; if (v < po[i] || std::isnan(v)) po[i] = v; }
    }
  }
}

template <typename T> void reduceStrided(int op, const T* x, const Shape& s, const size_t* outS, T* out, size_t outN) {
  const T init = op == 0 ? T(0) : op == 1 ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  std::fill(out, out + outN, init);
  const size_t n = sizeOf(s);
  if (n == 0) return;
  const size_t last = s.rank - 1, len = s.rank ? s.dims[last] : 1, step = s.rank ? outS[last] : 0;
  // The reference's fold: a sum in T; for max and min a value replaces the running one when beyond it, or NaN.
  auto fold = [op](T acc, T v) -> T {
    if (op == 0) return acc + v;
    const bool beyond = op == 1 ? v > acc : v < acc;
    return beyond || std::isnan(v) ? v : acc;
  };
  size_t idx[kMaxRank] = {}, o = 0;
  for (size_t row = 0; row < n / len; row++, x += len) {
    if (step == 0) {  // the last dim is reduced: keep the running value in a register
      T acc = out[o];
      for (size_t i = 0; i < len; i++) acc = fold(acc, x[i]);
      out[o] = acc;
    } else {
      for (size_t i = 0; i < len; i++) out[o + i * step] = fold(out[o + i * step], x[i]);
    }
    for (size_t d = last; d-- > 0;) {
      o += outS[d];
      if (++idx[d] < s.dims[d]) break;
      o -= outS[d] * s.dims[d];
      idx[d] = 0;
    }
  }
}

// Each row's shifted logits and their exps go to a per-thread scratch, so the exps of all rows are one vector
// pass (expArray), as softmax's are.
template <typename T> double crossEntropy(int level, const T* x, size_t rows, size_t len, const int32_t* labels, T* probs) {
  thread_local std::vector<double> scratch;
  if (scratch.size() < 2 * rows * len) scratch.resize(2 * rows * len);
  double* const shifted = scratch.data();
  double* const exps = shifted + rows * len;
  thread_local std::vector<double> maxes;
  if (maxes.size() < rows) maxes.resize(rows);
  for (size_t r = 0; r < rows; r++) {
    const T* px = x + r * len;
    double m = -std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < len; j++) m = jsMax(m, double(px[j]));
    maxes[r] = m;
    for (size_t j = 0; j < len; j++) shifted[r * len + j] = double(px[j]) - m;
  }
  expArray(level, shifted, exps, rows * len);
  double total = 0;
  for (size_t r = 0; r < rows; r++) {
    const double* e = exps + r * len;
    T* pp = probs + r * len;
    double s = 0;
    for (size_t j = 0; j < len; j++) {
      pp[j] = static_cast<T>(e[j]);
      s += e[j];
    }
    const double inv = 1 / s;
    for (size_t j = 0; j < len; j++) pp[j] = static_cast<T>(double(pp[j]) * inv);
    total += std::log(s) - (double(x[r * len + size_t(labels[r])]) - maxes[r]);
  }
  return total / double(rows);
}

template <typename T> void crossEntropyGrad(const T* probs, size_t rows, size_t len, const int32_t* labels, double scale, T* out) {
  for (size_t i = 0, n = rows * len; i < n; i++) out[i] = static_cast<T>(double(probs[i]) * scale);
  for (size_t r = 0; r < rows; r++) {
    const size_t at = r * len + size_t(labels[r]);
    out[at] = static_cast<T>((double(probs[at]) - 1) * scale);
  }
}

#define CHAINRULE_INSTANTIATE(T)                                                                                          \
  template void copyStrided<T>(const T*, const size_t*, const Shape&, T*);                                                \
  template void select<float, T>(const float*, const size_t*, const T*, const size_t*, const T*, const size_t*, const Shape&, T*);   \
  template void select<double, T>(const double*, const size_t*, const T*, const size_t*, const T*, const size_t*, const Shape&, T*); \
  template void binaryNd<T>(int, const T*, const size_t*, const T*, const size_t*, const Shape&, T*);                     \
  template void pad<T>(const T*, const Shape&, const size_t*, const Shape&, T*);                                          \
  template void gather<T>(const T*, size_t, size_t, size_t, const int32_t*, size_t, T*);                                  \
  template void takeRows<T>(const T*, size_t, const int32_t*, size_t, T*);                                         \
  template void scatterAdd<T>(const T*, size_t, size_t, size_t, const int32_t*, size_t, T*);                              \
  template void concat<T>(const T* const*, const size_t*, size_t, size_t, T*);                                            \
  template void clip<T>(const T*, double, double, T*, size_t);                                                            \
  template void extreme3<T>(bool, const T*, size_t, size_t, size_t, T*);                                                  \
  template void reduceStrided<T>(int, const T*, const Shape&, const size_t*, T*, size_t);                                 \
  template double crossEntropy<T>(int, const T*, size_t, size_t, const int32_t*, T*);                                     \
  template void crossEntropyGrad<T>(const T*, size_t, size_t, const int32_t*, double, T*);
CHAINRULE_INSTANTIATE(float)
CHAINRULE_INSTANTIATE(double)

}  // namespace chainrule
