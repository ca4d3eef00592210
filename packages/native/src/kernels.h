// The native kernel set's elementwise, reduction and fused-program kernels (elementwise.cc, fused.cc):
// plain loops over row-major arrays, float and double, with the reference kernels' semantics
// (packages/core/src/backend/reference). The GEMM is gemm.h's. Callers (addon.cc) check every size first.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace chainrule {

// Opcodes in the order of core's UnaryKernel / BinaryKernel lists (backend/native/codes.ts).
enum Unary { kNeg, kExp, kLog, kLog1p, kSqrt, kAbs, kSin, kCos, kTanh, kSigmoid, kRelu, kLeakyRelu, kSoftplus, kSign,
             kSquare, kReciprocal, kStep, kUnaryCount };
enum Binary { kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum, kEqual, kNotEqual, kGreater, kGreaterEqual, kLess,
              kLessEqual, kBinaryCount };

template <typename T> void unary(int op, const T* x, T* out, size_t n, double alpha);
// out[o*inner + i] = f(a[o*aRow + i*aInner], b[o*bRow + i*bInner]) (strides 0 where broadcast).
template <typename T> void binary(int op, const T* a, size_t aRow, size_t aInner, const T* b, size_t bRow, size_t bInner,
                                  T* out, size_t outer, size_t inner);
// Sum over the middle axis of x viewed as [outer, len, inner], in the reference's order.
template <typename T> void sum3(const T* x, size_t outer, size_t len, size_t inner, T* out);
// Softmax, logsumexp and crossEntropy take their exps from expArray at `level` (every level gives the same bits).
template <typename T> void softmax(int level, const T* x, size_t outer, size_t len, size_t inner, T* out, bool log);
template <typename T> void logsumexp(int level, const T* x, size_t outer, size_t len, size_t inner, T* out);
// exp.cc: out[i] = e^x[i] within 1 ulp, vectorised at `level` (0 portable, 1 AVX2, 2 AVX-512, at most the
// CPU's); every level gives the same bits. x and out must not overlap.
void expArray(int level, const double* x, double* out, size_t n);
template <typename T> double sumSquares(const T* x, size_t n);

// Math.min / Math.max: NaN wins, and -0 is below +0.
template <typename T> T jsMin(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  return a < b ? a : b < a ? b : (std::signbit(a) ? a : b);
}
template <typename T> T jsMax(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  return a > b ? a : b > a ? b : (std::signbit(a) ? b : a);
}

// A row-major shape of up to kMaxRank dims; strides (in elements, ≥ 0) are arrays of `rank` sizes beside it.
constexpr size_t kMaxRank = 8;
struct Shape {
  size_t rank = 0;
  size_t dims[kMaxRank] = {};
};
size_t sizeOf(const Shape& s);

// layout.cc: the reference's data movement, clip, max/min and cross-entropy, in its order.
template <typename T> void copyStrided(const T* x, const size_t* strides, const Shape& s, T* out);
template <typename C, typename T>
void select(const C* cond, const size_t* cS, const T* a, const size_t* aS, const T* b, const size_t* bS, const Shape& s, T* out);
// binary() over any shape: the last two dims per call, the others walked around it.
template <typename T> void binaryNd(int op, const T* a, const size_t* aS, const T* b, const size_t* bS, const Shape& s, T* out);
template <typename T> void pad(const T* x, const Shape& shape, const size_t* before, const Shape& outShape, T* out);
// x is [outer, len, inner], idx and out [outer, m, inner]; every index is in [0, len).
template <typename T> void gather(const T* x, size_t outer, size_t len, size_t inner, const int32_t* idx, size_t m, T* out);
// out's row i = x's row rows[i], rows of rowLength values; every row index is inside x (the caller checked).
template <typename T> void takeRows(const T* x, size_t rowLength, const int32_t* rows, size_t count, T* out);
template <typename T> void scatterAdd(const T* g, size_t outer, size_t len, size_t inner, const int32_t* idx, size_t m, T* out);
template <typename T> void concat(const T* const* parts, const size_t* blocks, size_t count, size_t outer, T* out);
template <typename T> void clip(const T* x, double lo, double hi, T* out, size_t n);
// Max (or min) over the middle axis of x viewed as [outer, len, inner].
// A sum (op 0), max (1) or min (2) over any axes: x walked in order, each element folded into out at its
// strides outS (0 along reduced dims), so every output sees its inputs in the reference's order.
template <typename T> void reduceStrided(int op, const T* x, const Shape& s, const size_t* outS, T* out, size_t outN);
template <typename T> void extreme3(bool max, const T* x, size_t outer, size_t len, size_t inner, T* out);
template <typename T> double crossEntropy(int level, const T* x, size_t rows, size_t len, const int32_t* labels, T* probs);
template <typename T> void crossEntropyGrad(const T* probs, size_t rows, size_t len, const int32_t* labels, double scale, T* out);

// window.cc: the reference's sliding-window kernels over NCHW images (core's Window2d, the same fields), each
// over a range of its independent units so that callers can split it: im2col over rows (channel, ky, kx) of
// its [C·KH·KW, N·OH·OW] out, col2im over channels, the pooling kernels over the N·C image planes.
struct Window2d {
  int64_t batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW;
};
template <typename T> void im2col(const T* x, const Window2d& w, T* out, size_t r0, size_t r1);
template <typename T> void col2im(const T* cols, const Window2d& w, T* out, size_t c0, size_t c1);
// maxPool2d's `level` picks the code path of its vector loops as gemm's does (0 portable, 1 AVX2, 2 AVX-512);
// every level gives the same bits.
template <typename T> void maxPool2d(int level, const T* x, const Window2d& w, T* out, int32_t* argmax, size_t p0, size_t p1);
template <typename T> void avgPool2d(const T* x, const Window2d& w, T* out, size_t p0, size_t p1);
template <typename T> void avgPool2dBackward(const T* g, const Window2d& w, T* out, size_t p0, size_t p1);

// A fused elementwise program (core's backend/program.ts) over arrays of n elements.
struct Program {
  const int32_t* code;
  size_t words;
  int inputs, scalars, temps, outputs;
};
// "" when the program is well formed, else why not (checked before running: no register out of range).
const char* programError(const Program& p);
template <typename T> void fused(const Program& p, const T* const* in, const double* scalars, T* const* out, size_t n);

}  // namespace chainrule
