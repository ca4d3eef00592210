// Checks unary, binary and sum3 at every vector width this CPU runs (the addon always takes the widest, so core's
// tests see only that one) against their portable loops, bit for bit: every op, float and double, over NaN, ±0,
// ±∞ and subnormals, contiguous, broadcast and strided, on lengths around the vector widths.
// Build and run (from packages/native):
//   g++ -O2 -std=c++17 -ffp-contract=off -fno-math-errno -o /tmp/elementwise-check bench/elementwise-check.cc src/exp.cc && /tmp/elementwise-check
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "check-values.h"
#include "../src/elementwise.cc"  // the whole file: its per-width functions are in an anonymous namespace

namespace {

using namespace chainrule;
std::mt19937 rng(20261130);

template <typename T> T anyValue() { return check_values::anyValue<T>(rng, 3, 30, {T(1e-31), T(-1), T(0.5), T(40)}); }

int failures = 0, checks = 0;

template <typename T> void expectSame(const char* what, int op, int level, const std::vector<T>& got, const std::vector<T>& want) {
  checks++;
  for (size_t i = 0; i < got.size(); i++) {
    if (std::memcmp(&got[i], &want[i], sizeof(T)) != 0 && !(std::isnan(got[i]) && std::isnan(want[i]))) {
      std::printf("FAIL %s op %d (%s, %zu elements, level %d): element %zu is %a, not %a\n", what, op, sizeof(T) == 4 ? "float" : "double",
                  got.size(), level, i, double(got[i]), double(want[i]));
      failures++;
      return;
    }
  }
}

#ifdef CHAINRULE_X86
template <typename T> void checkAll(size_t n, int levels) {
  std::vector<T> a(n), b(n);
  for (T& x : a) x = anyValue<T>();
  for (T& x : b) x = anyValue<T>();
  for (int level = 1; level <= levels; level++) {
    for (int op = 0; op < kUnaryCount; op++) {
      std::vector<T> got(n), want(n);
      unaryLoops(op, a.data(), want.data(), n, 0.01);
      if (level == 2) unaryAvx512(op, a.data(), got.data(), n, 0.01);
      else unaryAvx2(op, a.data(), got.data(), n, 0.01);
      expectSame("unary", op, level, got, want);
    }
    // [outer, inner] = [n/2, 2] or [1, n]: contiguous, b broadcast, a broadcast, rows of a with b per row.
    const size_t layouts[][6] = {{0, 1, 0, 1, 1, n}, {0, 1, 0, 0, 1, n}, {0, 0, 0, 1, 1, n}, {2, 1, 1, 0, n / 2, 2}};
    for (int op = 0; op < kBinaryCount; op++) {
      for (const auto& l : layouts) {
        const size_t outer = l[4], inner = l[5];
        std::vector<T> got(outer * inner), want(outer * inner);
        binaryLoops(op, a.data(), l[0], l[1], b.data(), l[2], l[3], want.data(), outer, inner);
        if (level == 2) binaryAvx512(op, a.data(), l[0], l[1], b.data(), l[2], l[3], got.data(), outer, inner);
        else binaryAvx2(op, a.data(), l[0], l[1], b.data(), l[2], l[3], got.data(), outer, inner);
        expectSame("binary", op, level, got, want);
      }
    }
    for (size_t len : {size_t(1), size_t(3), size_t(64)}) {
      if (n % len != 0) continue;
      std::vector<T> got(n / len), want(n / len);
      sum3Loops(a.data(), 1, len, n / len, want.data());
      if (level == 2) sum3Avx512(a.data(), 1, len, n / len, got.data());
      else sum3Avx2(a.data(), 1, len, n / len, got.data());
      expectSame("sum3", int(len), level, got, want);
    }
  }
}

#else
template <typename T> void checkAll(size_t, int) {}  // one width only
#endif

}  // namespace

int main() {
  const int levels = vectorLevel();
  for (size_t n : {1, 2, 3, 7, 8, 15, 16, 17, 33, 96, 192, 1000, 4099, 8192}) {
    checkAll<float>(n, levels);
    checkAll<double>(n, levels);
  }
  std::printf("elementwise-check: %d of %d runs differ from the portable loops (levels 1..%d)\n", failures, checks, levels);
  return failures == 0 ? 0 : 1;
}
