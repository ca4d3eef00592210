// e^x over an array of doubles, vectorised: softmax, logsumexp and cross-entropy spent most of their time in
// libm's scalar exp (~5 ns a value). Cody-Waite reduction x = n·ln2 + r (|r| ≤ ln2/2), a degree-13 Taylor
// polynomial for e^r, and 2^n built in the exponent bits: within 2 ulp of the exact value, so float32
// results (computed in double, rounded once) nearly always have the bits of std::exp's. Every element is
// the same additions and products in the same order at every vector width (built with -ffp-contract=off),
// so the AVX-512, AVX2 and portable paths give the same bits. Values outside [-708, 709], and NaN, are
// left to std::exp (its overflow, subnormals and NaN), after the vector loop.
// `level` picks the path as gemm's does (at most the CPU's); x and out must not overlap.
#include <cmath>
#include <cstdint>
#include <cstring>
#include "kernels.h"

namespace chainrule {
namespace {

constexpr double kLog2e = 1.4426950408889634;
// ln 2 split so that n·kLn2Hi is exact for |n| < 2^11 (fdlibm's ln2HI has 21 trailing zero bits).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
// 1.5·2^52: adding it rounds to an integer (to nearest), which lands in the low mantissa bits.
constexpr double kRound = 6755399441055744.0;
constexpr double kLow = -708.0, kHigh = 709.0;

inline __attribute__((always_inline)) void expLoop(const double* __restrict x, double* __restrict out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    // No clamping (a branch the compiler will not vectorise): a lane outside [kLow, kHigh] or NaN computes
    // garbage here, with wrapping unsigned bits and no undefined behaviour, and is redone by expArray.
    const double v = x[i];
    const double t = v * kLog2e + kRound;
    const double k = t - kRound;
    const double r = (v - k * kLn2Hi) - k * kLn2Lo;
    double p = 1.0 / 6227020800.0;  // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // t's low bits hold k (two's complement); k + 1023 in [2, 2046] is a normal exponent, so 2^k is exact.
    uint64_t bits;
    std::memcpy(&bits, &t, sizeof bits);
    const uint64_t scaleBits = (bits + 1023) << 52;
    double scale;
    std::memcpy(&scale, &scaleBits, sizeof scale);
    out[i] = p * scale;
  }
}

void expPortable(const double* x, double* out, size_t n) { expLoop(x, out, n); }
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
__attribute__((target("avx2"))) void expAvx2(const double* x, double* out, size_t n) { expLoop(x, out, n); }
__attribute__((target("avx512f"))) void expAvx512(const double* x, double* out, size_t n) { expLoop(x, out, n); }
#endif

}  // namespace

void expArray(int level, const double* x, double* out, size_t n) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  static const int best = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  }();
  level = level < best ? level : best;
  if (level == 2) expAvx512(x, out, n);
  else if (level == 1) expAvx2(x, out, n);
  else expPortable(x, out, n);
#else
  (void)level;
  expPortable(x, out, n);
#endif
  for (size_t i = 0; i < n; i++)
    if (!(x[i] >= kLow && x[i] <= kHigh)) out[i] = std::exp(x[i]);
}

}  // namespace chainrule
