// Elementwise kernels and reductions. Float32 results are computed in double and rounded once, as the
// reference kernels do in JavaScript, so basic operations give the same bits and the others within an ulp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include "kernels.h"

namespace chainrule {
namespace {

double sigmoid(double v) { return v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v)); }

template <typename T, typename F> void map(const T* x, T* out, size_t n, F f) {
  for (size_t i = 0; i < n; i++) out[i] = static_cast<T>(f(static_cast<double>(x[i])));
}

template <typename T, typename F>
void map2(const T* a, size_t aRow, size_t aInner, const T* b, size_t bRow, size_t bInner, T* out, size_t outer,
          size_t inner, F f) {
  for (size_t o = 0; o < outer; o++) {
    const T* pa = a + o * aRow;
    const T* pb = b + o * bRow;
    T* po = out + o * inner;
    // The common layouts get their own loops, so the compiler vectorises them.
    if (aInner == 1 && bInner == 1) {
      for (size_t i = 0; i < inner; i++) po[i] = static_cast<T>(f(double(pa[i]), double(pb[i])));
    } else if (aInner == 1 && bInner == 0) {
      const double v = pb[0];
      for (size_t i = 0; i < inner; i++) po[i] = static_cast<T>(f(double(pa[i]), v));
    } else if (aInner == 0 && bInner == 1) {
      const double v = pa[0];
      for (size_t i = 0; i < inner; i++) po[i] = static_cast<T>(f(v, double(pb[i])));
    } else {
      for (size_t i = 0; i < inner; i++) po[i] = static_cast<T>(f(double(pa[i * aInner]), double(pb[i * bInner])));
    }
  }
}

}  // namespace

// The elementwise loops and sum3 are compiled for AVX-512 and AVX2 too, and the CPU's widest runs: each
// element's operations are the same at every width (sum3 still adds each output's terms in order of j), so
// every path gives the same bits. Functions that call libm (exp, log, sin…) stay scalar at every width.
namespace {

template <typename T> inline __attribute__((always_inline)) void unaryLoops(int op, const T* x, T* out, size_t n, double alpha) {
  switch (op) {
    case kNeg: return map(x, out, n, [](double v) { return -v; });
    case kExp: return map(x, out, n, [](double v) { return std::exp(v); });
    case kLog: return map(x, out, n, [](double v) { return std::log(v); });
    case kLog1p: return map(x, out, n, [](double v) { return std::log1p(v); });
    case kSqrt: return map(x, out, n, [](double v) { return std::sqrt(v); });
    case kAbs: return map(x, out, n, [](double v) { return std::fabs(v); });
    case kSin: return map(x, out, n, [](double v) { return std::sin(v); });
    case kCos: return map(x, out, n, [](double v) { return std::cos(v); });
    case kTanh: return map(x, out, n, [](double v) { return std::tanh(v); });
    case kSigmoid: return map(x, out, n, sigmoid);
    case kRelu: return map(x, out, n, [](double v) { return v > 0 ? v : 0.0; });
    case kLeakyRelu: return map(x, out, n, [alpha](double v) { return v > 0 ? v : alpha * v; });
    case kSoftplus: return map(x, out, n, [](double v) { return std::fmax(v, 0.0) + std::log1p(std::exp(-std::fabs(v))); });
    case kSign: return map(x, out, n, [](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; });
    case kSquare: return map(x, out, n, [](double v) { return v * v; });
    case kReciprocal: return map(x, out, n, [](double v) { return 1 / v; });
    case kStep: return map(x, out, n, [](double v) { return v > 0 ? 1.0 : 0.0; });
  }
}

template <typename T>
inline __attribute__((always_inline)) void binaryLoops(int op, const T* a, size_t aRow, size_t aInner, const T* b, size_t bRow,
                                                       size_t bInner, T* out, size_t outer, size_t inner) {
#define CHAINRULE_MAP2(expr) \
  return map2(a, aRow, aInner, b, bRow, bInner, out, outer, inner, [](double x, double y) { return expr; })
  switch (op) {
    case kAdd: CHAINRULE_MAP2(x + y);
    case kSub: CHAINRULE_MAP2(x - y);
    case kMul: CHAINRULE_MAP2(x * y);
    case kDiv: CHAINRULE_MAP2(x / y);
    case kPow: CHAINRULE_MAP2(std::pow(x, y));
    case kMaximum: CHAINRULE_MAP2(x >= y || std::isnan(x) ? x : y);
    case kMinimum: CHAINRULE_MAP2(x <= y || std::isnan(x) ? x : y);
    case kEqual: CHAINRULE_MAP2(x == y ? 1.0 : 0.0);
    case kNotEqual: CHAINRULE_MAP2(x != y ? 1.0 : 0.0);
    case kGreater: CHAINRULE_MAP2(x > y ? 1.0 : 0.0);
    case kGreaterEqual: CHAINRULE_MAP2(x >= y ? 1.0 : 0.0);
    case kLess: CHAINRULE_MAP2(x < y ? 1.0 : 0.0);
    case kLessEqual: CHAINRULE_MAP2(x <= y ? 1.0 : 0.0);
  }
#undef CHAINRULE_MAP2
}

template <typename T> inline __attribute__((always_inline)) void sum3Loops(const T* x, size_t outer, size_t len, size_t inner, T* out) {
  for (size_t o = 0; o < outer; o++) {
    T* po = out + o * inner;
    for (size_t i = 0; i < inner; i++) po[i] = 0;
    // Each output adds its inputs in order of j, as the reference does (same rounding in its dtype).
    for (size_t j = 0; j < len; j++) {
      const T* px = x + (o * len + j) * inner;
      for (size_t i = 0; i < inner; i++) po[i] += px[i];
    }
  }
}

// 2 = AVX-512, 1 = AVX2, 0 = neither (checked once).
int vectorLevel() {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  static const int level = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  }();
  return level;
#else
  return 0;
#endif
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define CHAINRULE_WIDE(attributes, suffix)                                                                                 \
  template <typename T> attributes void unary##suffix(int op, const T* x, T* out, size_t n, double alpha) {              \
    unaryLoops(op, x, out, n, alpha);                                                                                   \
  }                                                                                                                     \
  template <typename T> attributes void binary##suffix(int op, const T* a, size_t aRow, size_t aInner, const T* b,       \
                                                      size_t bRow, size_t bInner, T* out, size_t outer, size_t inner) { \
    binaryLoops(op, a, aRow, aInner, b, bRow, bInner, out, outer, inner);                                               \
  }                                                                                                                     \
  template <typename T> attributes void sum3##suffix(const T* x, size_t outer, size_t len, size_t inner, T* out) {        \
    sum3Loops(x, outer, len, inner, out);                                                                               \
  }
CHAINRULE_WIDE(__attribute__((target("avx512f"))), Avx512)
CHAINRULE_WIDE(__attribute__((target("avx2"))), Avx2)
#undef CHAINRULE_WIDE
#endif

}  // namespace

template <typename T> void unary(int op, const T* x, T* out, size_t n, double alpha) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  if (vectorLevel() == 2) return unaryAvx512(op, x, out, n, alpha);
  if (vectorLevel() == 1) return unaryAvx2(op, x, out, n, alpha);
#endif
  unaryLoops(op, x, out, n, alpha);
}

template <typename T>
void binary(int op, const T* a, size_t aRow, size_t aInner, const T* b, size_t bRow, size_t bInner, T* out, size_t outer,
            size_t inner) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  if (vectorLevel() == 2) return binaryAvx512(op, a, aRow, aInner, b, bRow, bInner, out, outer, inner);
  if (vectorLevel() == 1) return binaryAvx2(op, a, aRow, aInner, b, bRow, bInner, out, outer, inner);
#endif
  binaryLoops(op, a, aRow, aInner, b, bRow, bInner, out, outer, inner);
}

template <typename T> void sum3(const T* x, size_t outer, size_t len, size_t inner, T* out) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  if (vectorLevel() == 2) return sum3Avx512(x, outer, len, inner, out);
  if (vectorLevel() == 1) return sum3Avx2(x, outer, len, inner, out);
#endif
  sum3Loops(x, outer, len, inner, out);
}

// Softmax and logsumexp accumulate in double, like the reference's JavaScript numbers. Each output row's
// shifted values x − max go to a per-thread scratch, contiguous, and their exps are taken in one vector
// pass (expArray); softmax divides the exps it summed rather than taking them twice: same values.
namespace {

// Rows of `len` values at stride `inner` (the rows o·len·inner + i, for i in [0, inner)) gathered, shifted
// by their max, into scratch; `rowFn(row, shifted, exps)` then sees each row's shifted values and exps.
// Rows are handled in batches of about kExpBatch values, so one exp pass serves many short rows.
constexpr size_t kExpBatch = 2048;
template <typename T, typename Max, typename Row>
void shiftedExpRows(int level, const T* x, size_t outer, size_t len, size_t inner, Max rowMax, Row rowFn) {
  thread_local std::vector<double> scratch;
  const size_t rows = outer * inner, batch = len == 0 ? rows : std::max<size_t>(1, kExpBatch / len);
  if (scratch.size() < 2 * batch * len) scratch.resize(2 * batch * len);
  double* const shifted = scratch.data();
  double* const exps = shifted + batch * len;
  for (size_t r0 = 0; r0 < rows; r0 += batch) {
    const size_t r1 = std::min(rows, r0 + batch);
    for (size_t r = r0; r < r1; r++) {
      const T* px = x + (r / inner) * len * inner + r % inner;
      double* row = shifted + (r - r0) * len;
      for (size_t j = 0; j < len; j++) row[j] = double(px[j * inner]);
      const double m = rowMax(row, len);
      for (size_t j = 0; j < len; j++) row[j] -= m;
    }
    expArray(level, shifted, exps, (r1 - r0) * len);
    for (size_t r = r0; r < r1; r++) rowFn(r, shifted + (r - r0) * len, exps + (r - r0) * len);
  }
}

// std::fmax's max: NaN is passed over (the reference's Math.max would give NaN, and then so does every exp).
double fmaxOf(const double* row, size_t len) {
  double m = -std::numeric_limits<double>::infinity();
  for (size_t j = 0; j < len; j++) m = std::fmax(m, row[j]);
  return m;
}

}  // namespace

template <typename T> void softmax(int level, const T* x, size_t outer, size_t len, size_t inner, T* out, bool log) {
  shiftedExpRows(level, x, outer, len, inner, fmaxOf, [&](size_t r, const double* shifted, const double* e) {
    T* po = out + (r / inner) * len * inner + r % inner;
    double s = 0;
    for (size_t j = 0; j < len; j++) s += e[j];
    if (log) {
      const double logS = std::log(s);
      for (size_t j = 0; j < len; j++) po[j * inner] = static_cast<T>(shifted[j] - logS);
    } else {
      for (size_t j = 0; j < len; j++) po[j * inner] = static_cast<T>(e[j] / s);
    }
  });
}

template <typename T> void logsumexp(int level, const T* x, size_t outer, size_t len, size_t inner, T* out) {
  // Math.max's max: NaN wins. A row whose max is not finite (NaN, ±Infinity) gives that max itself; it is
  // kept per row, and the row is shifted by 0 meanwhile.
  thread_local std::vector<double> maxes;
  if (maxes.size() < outer * inner) maxes.resize(outer * inner);
  size_t next = 0;
  auto rowMax = [&](const double* row, size_t n) {
    double m = -std::numeric_limits<double>::infinity();
    bool nan = false;
    for (size_t j = 0; j < n; j++) { nan |= std::isnan(row[j]); m = std::fmax(m, row[j]); }
    if (nan) m = std::numeric_limits<double>::quiet_NaN();
    maxes[next++] = m;
    return std::isfinite(m) ? m : 0.0;
  };
  shiftedExpRows(level, x, outer, len, inner, rowMax, [&](size_t r, const double*, const double* e) {
    const double m = maxes[r];
    if (!std::isfinite(m)) { out[r] = static_cast<T>(m); return; }
    double s = 0;
    for (size_t j = 0; j < len; j++) s += e[j];
    out[r] = static_cast<T>(m + std::log(s));
  });
}

// Sixteen running sums in float64 (element i goes to sum i % 16), combined pairwise in a fixed order:
// the same bits at every level and thread count, and no chain of dependent adds (the monitor sums every
// gradient each step). Not the reference's left-to-right order, so it agrees with it to rounding only.
constexpr size_t kSquareLanes = 16;
template <typename T> inline double sumSquaresLanes(const T* x, size_t n) {
  double acc[kSquareLanes] = {};
  size_t i = 0;
  for (; i + kSquareLanes <= n; i += kSquareLanes) {
    for (size_t l = 0; l < kSquareLanes; l++) acc[l] += double(x[i + l]) * double(x[i + l]);
  }
  for (size_t l = 0; i + l < n; l++) acc[l] += double(x[i + l]) * double(x[i + l]);
  for (size_t width = kSquareLanes / 2; width > 0; width /= 2) {
    for (size_t l = 0; l < width; l++) acc[l] += acc[l + width];
  }
  return acc[0];
}
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
template <typename T> __attribute__((target("avx512f"))) double sumSquaresAvx512(const T* x, size_t n) { return sumSquaresLanes(x, n); }
template <typename T> __attribute__((target("avx2"))) double sumSquaresAvx2(const T* x, size_t n) { return sumSquaresLanes(x, n); }
#endif

template <typename T> double sumSquares(const T* x, size_t n) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  static const int level = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  }();
  if (level == 2) return sumSquaresAvx512(x, n);
  if (level == 1) return sumSquaresAvx2(x, n);
#endif
  return sumSquaresLanes(x, n);
}

#define CHAINRULE_INSTANTIATE(T)                                                                              \
  template void unary<T>(int, const T*, T*, size_t, double);                                                  \
  template void binary<T>(int, const T*, size_t, size_t, const T*, size_t, size_t, T*, size_t, size_t);       \
  template void sum3<T>(const T*, size_t, size_t, size_t, T*);                                                \
  template void softmax<T>(int, const T*, size_t, size_t, size_t, T*, bool);                                  \
  template void logsumexp<T>(int, const T*, size_t, size_t, size_t, T*);                                      \
  template double sumSquares<T>(const T*, size_t);
CHAINRULE_INSTANTIATE(float)
CHAINRULE_INSTANTIATE(double)

}  // namespace chainrule
