// The fused elementwise program, interpreted block by block like the reference kernel
// (core's backend/reference/fused.ts): each instruction over a block, then the next, in the arrays' dtype,
// so every float32 result is rounded to float32. fma is a rounded product then a sum (built with
// -ffp-contract=off, so the compiler never fuses them either). Each element's result is the same whatever
// the vector width, so the loops are compiled for AVX-512 and AVX2 too and the CPU's widest runs.
// Chains of a known shape (fused-chain.h: SGD's update, ReLU's backward…) skip the interpreter: one pass.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include "fused-chain.h"
#include "kernels.h"

namespace chainrule {
namespace {

// The reference's block: a temporary read before it is written holds the previous block's values, as there.
constexpr size_t kBlock = 256;
// Programs that never read a temporary before writing it (every program `fuse` makes) give the same values
// whatever the block, and run in longer ones: each instruction's loop has a fixed cost per block (its
// alias checks, prologue and tail), which at 256 elements was as much as its arithmetic.
constexpr size_t kLongBlock = 1024;
constexpr int kUnaryOps = 6, kBinaryOps = 6, kOps = 13;  // FUSED_UNARY, FUSED_BINARY, then fma
constexpr int kWords = 5;

template <typename T> inline __attribute__((always_inline)) void step(int op, size_t len, T* o, const T* a, const T* b, const T* c, T tiny) {
  switch (op) {
    case 0: for (size_t i = 0; i < len; i++) o[i] = a[i]; break;
    case 1: for (size_t i = 0; i < len; i++) o[i] = -a[i]; break;
    case 2: for (size_t i = 0; i < len; i++) o[i] = std::fabs(a[i]); break;
    case 3: for (size_t i = 0; i < len; i++) o[i] = std::sqrt(a[i]); break;
    // Math.sign: keeps -0 and NaN.
    case 4: for (size_t i = 0; i < len; i++) { const T x = a[i]; o[i] = x > 0 ? T(1) : x < 0 ? T(-1) : x; } break;
    case 5: for (size_t i = 0; i < len; i++) { const T x = a[i]; o[i] = x < tiny && x > -tiny ? T(0) : x; } break;
    case 6: for (size_t i = 0; i < len; i++) o[i] = a[i] + b[i]; break;
    case 7: for (size_t i = 0; i < len; i++) o[i] = a[i] - b[i]; break;
    case 8: for (size_t i = 0; i < len; i++) o[i] = a[i] * b[i]; break;
    case 9: for (size_t i = 0; i < len; i++) o[i] = a[i] / b[i]; break;
    case 10: for (size_t i = 0; i < len; i++) o[i] = jsMin(a[i], b[i]); break;
    case 11: for (size_t i = 0; i < len; i++) o[i] = jsMax(a[i], b[i]); break;
    case 12: for (size_t i = 0; i < len; i++) { const T p = a[i] * b[i]; o[i] = p + c[i]; } break;
  }
}

}  // namespace

const char* programError(const Program& p) {
  if (p.inputs < 0 || p.scalars < 0 || p.temps < 0 || p.outputs < 0) return "negative register counts";
  if (p.words % kWords != 0) return "code is not a whole number of 5-word instructions";
  const int registers = p.inputs + p.scalars + p.temps + p.outputs, firstWritable = p.inputs + p.scalars;
  for (size_t at = 0; at < p.words; at += kWords) {
    const int32_t* w = p.code + at;
    if (w[0] < 0 || w[0] >= kOps) return "an opcode is out of range";
    if (w[1] < firstWritable || w[1] >= registers) return "an instruction writes a register that is not a temporary or output";
    const int arity = w[0] < kUnaryOps ? 1 : w[0] < kUnaryOps + kBinaryOps ? 2 : 3;
    for (int k = 0; k < 3; k++) {
      const int r = w[2 + k];
      if (k < arity ? (r < 0 || r >= registers) : r != -1) return "an operand register is out of range";
    }
  }
  return "";
}

namespace {

// The program over [0, n): registers `constants` (the scalars, filled) and `temps` are `block`-long blocks.
// Whole blocks run loops of the constant length kLen (when `block` is kLen), which the compiler vectorises
// with no prologue or tail; the last, partial block runs the same loops with its length.
template <typename T, size_t kLen>
inline __attribute__((always_inline)) void runBlocks(const Program& p, const T* const* in, T* const* out, size_t n,
                                                     size_t block, T* constants, T* temps) {
  const T tiny = T(1e-30);
  const int firstScalar = p.inputs, firstTemp = firstScalar + p.scalars, firstOutput = firstTemp + p.temps;
  auto run = [&](size_t start, size_t len) __attribute__((always_inline)) {
    auto at = [&](int r) -> T* {
      if (r < firstScalar) return const_cast<T*>(in[r]) + start;
      if (r < firstTemp) return constants + (r - firstScalar) * block;
      if (r < firstOutput) return temps + (r - firstTemp) * block;
      return out[r - firstOutput] + start;
    };
    for (size_t pc = 0; pc < p.words; pc += kWords) {
      const int32_t* w = p.code + pc;
      T* a = at(w[2]);
      step<T>(w[0], len, at(w[1]), a, w[3] >= 0 ? at(w[3]) : a, w[4] >= 0 ? at(w[4]) : a, tiny);
    }
  };
  size_t start = 0;
  if (block == kLen) for (; start + kLen <= n; start += kLen) run(start, kLen);
  for (; start < n; start += block) run(start, n - start < block ? n - start : block);
}

template <typename T> void chainPortable(int shape, const chain::Chain<T>& c, size_t n) { chain::run<T, 16 / sizeof(T)>(shape, c, n); }

template <typename T>
void runPortable(const Program& p, const T* const* in, T* const* out, size_t n, size_t block, T* constants, T* temps) {
  runBlocks<T, kLongBlock>(p, in, out, n, block, constants, temps);
}
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
template <typename T> __attribute__((target("avx2")))
void runAvx2(const Program& p, const T* const* in, T* const* out, size_t n, size_t block, T* constants, T* temps) {
  runBlocks<T, kLongBlock>(p, in, out, n, block, constants, temps);
}
template <typename T> __attribute__((target("avx512f")))
void runAvx512(const Program& p, const T* const* in, T* const* out, size_t n, size_t block, T* constants, T* temps) {
  runBlocks<T, kLongBlock>(p, in, out, n, block, constants, temps);
}
template <typename T> __attribute__((target("avx2"))) void chainAvx2(int shape, const chain::Chain<T>& c, size_t n) {
  chain::run<T, 32 / sizeof(T)>(shape, c, n);
}
template <typename T> __attribute__((target("avx512f"))) void chainAvx512(int shape, const chain::Chain<T>& c, size_t n) {
  chain::run<T, 64 / sizeof(T)>(shape, c, n);
}
// 2 = AVX-512, 1 = AVX2, 0 = neither (checked once).
int vectorLevel() {
  static const int level = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  }();
  return level;
}
#endif

// Whether an instruction may read a temporary that no earlier instruction has written (its value then depends
// on the block: zero in the first, the previous block's after). Programs of over 64 temporaries are assumed to.
bool readsTempBeforeWrite(const Program& p) {
  if (p.temps > 64) return true;
  const int firstTemp = p.inputs + p.scalars, firstOutput = firstTemp + p.temps;
  uint64_t written = 0;
  for (size_t at = 0; at < p.words; at += kWords) {
    const int32_t* w = p.code + at;
    const int arity = w[0] < kUnaryOps ? 1 : w[0] < kUnaryOps + kBinaryOps ? 2 : 3;
    for (int k = 0; k < arity; k++) {
      const int r = w[2 + k];
      if (r >= firstTemp && r < firstOutput && !(written >> (r - firstTemp) & 1)) return true;
    }
    if (w[1] >= firstTemp && w[1] < firstOutput) written |= uint64_t(1) << (w[1] - firstTemp);
  }
  return false;
}

}  // namespace

template <typename T> void fused(const Program& p, const T* const* in, const double* scalars, T* const* out, size_t n) {
  if (n == 0) return;
  const bool readsBeforeWrite = readsTempBeforeWrite(p);
  const size_t block = readsBeforeWrite ? kBlock : kLongBlock;
  // Scalars as blocks filled with their value (rounded once to T), so every operand reads alike.
  // One scratch per thread and dtype, grown when a program needs more and then reused: no allocation per call.
  thread_local std::vector<T> scratch;
  const size_t need = size_t(p.scalars + p.temps) * block;
  if (scratch.size() < need) scratch.resize(need);
  T* const constants = scratch.data();
  T* const temps = constants + size_t(p.scalars) * block;
  for (int s = 0; s < p.scalars; s++) constants[s * block] = T(scalars[s]);
  // A chain of a known shape runs in one pass (reading each scalar's first element only).
  chain::Chain<T> c;
  if (!readsBeforeWrite && chain::chainOf(p, in, out, constants, block, c)) {
    if (const int shape = chain::shapeOf(c); shape >= 0) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
      if (vectorLevel() == 2) return chainAvx512(shape, c, n);
      if (vectorLevel() == 1) return chainAvx2(shape, c, n);
#endif
      return chainPortable(shape, c, n);
    }
  }
  // Only as much of each block as the arrays are long is ever read.
  const size_t used = n < block ? n : block;
  for (int s = 0; s < p.scalars; s++) std::fill(constants + s * block + 1, constants + s * block + used, T(scalars[s]));
  // Temporaries start at zero, as the reference's fresh arrays do, when a program reads one before writing it.
  if (readsBeforeWrite) for (int t = 0; t < p.temps; t++) std::fill(temps + t * block, temps + t * block + used, T(0));
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  if (vectorLevel() == 2) return runAvx512(p, in, out, n, block, constants, temps);
  if (vectorLevel() == 1) return runAvx2(p, in, out, n, block, constants, temps);
#endif
  runPortable(p, in, out, n, block, constants, temps);
}

template void fused<float>(const Program&, const float* const*, const double*, float* const*, size_t);
template void fused<double>(const Program&, const double* const*, const double*, double* const*, size_t);

}  // namespace chainrule
