// The native kernel set's elementwise, reduction and fused-program kernels (elementwise.cc, fused.cc):
// plain loops over row-major arrays, float and double, with the reference kernels' semantics
// (packages/core/src/backend/reference). The GEMM is gemm.h's. Callers (addon.cc) check every size first.
#pragma once
#include <cstddef>
#include <cstdint>

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
template <typename T> void softmax(const T* x, size_t outer, size_t len, size_t inner, T* out, bool log);
template <typename T> void logsumexp(const T* x, size_t outer, size_t len, size_t inner, T* out);
template <typename T> double sumSquares(const T* x, size_t n);

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
