// Checks chainrule::sgemm/dgemm at every dispatch level this CPU supports against a naive triple loop in double
// precision (random shapes, every transpose, with and without bias, row splits), then prints GFLOP/s per level.
// Build and run (from packages/native):
//   g++ -O2 -std=c++17 -o /tmp/gemm-check bench/gemm-check.cc src/gemm.cc && /tmp/gemm-check
// `--check` skips the timings; `--bench=LEVEL` skips the checks and times that level only; `--mlp=LEVEL` times
// the eleven products of one training step of the benchmark's MLP (784-128-64-32-10, batch 64), each as it runs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include "../src/gemm.h"

namespace {

std::mt19937 rng(1234);

template <typename T>
std::vector<T> randomVector(size_t size) {
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<T> v(size);
  for (T& x : v) x = T(uniform(rng));
  return v;
}

// The reference: op(A)·op(B) (+ bias) in double, plus the sum of |terms| per element for the error bound.
template <typename T>
void naive(int m, int n, int k, const T* a, bool tA, const T* b, bool tB, const T* bias, std::vector<double>& out,
           std::vector<double>& magnitude) {
  out.assign(size_t(m) * n, 0);
  magnitude.assign(size_t(m) * n, 0);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double sum = bias ? double(bias[j]) : 0, mag = bias ? std::fabs(double(bias[j])) : 0;
      for (int p = 0; p < k; ++p) {
        const double term = double(tA ? a[size_t(p) * m + i] : a[size_t(i) * k + p]) *
                            double(tB ? b[size_t(j) * k + p] : b[size_t(p) * n + j]);
        sum += term;
        mag += std::fabs(term);
      }
      out[size_t(i) * n + j] = sum;
      magnitude[size_t(i) * n + j] = mag;
    }
}

void gemm(int level, int m, int n, int k, const float* a, bool tA, const float* b, bool tB, const float* bias,
          float* c, int row0, int row1) {
  chainrule::sgemmRows(level, m, n, k, a, tA, b, tB, bias, c, row0, row1);
}
void gemm(int level, int m, int n, int k, const double* a, bool tA, const double* b, bool tB, const double* bias,
          double* c, int row0, int row1) {
  chainrule::dgemmRows(level, m, n, k, a, tA, b, tB, bias, c, row0, row1);
}

void gemmWhole(int level, int m, int n, int k, const float* a, bool tA, const float* b, bool tB, const float* bias,
               float* c) {
  chainrule::sgemm(level, m, n, k, a, tA, b, tB, bias, c);
}
void gemmWhole(int level, int m, int n, int k, const double* a, bool tA, const double* b, bool tB,
               const double* bias, double* c) {
  chainrule::dgemm(level, m, n, k, a, tA, b, tB, bias, c);
}

int failures = 0;

// One shape, one transpose pair, one bias choice: the whole product, then the same product in two row ranges,
// which must be bit-identical to it (what threads splitting by rows rely on).
template <typename T>
void checkOne(int level, int m, int n, int k, bool tA, bool tB, bool withBias) {
  const std::vector<T> a = randomVector<T>(size_t(m) * k), b = randomVector<T>(size_t(k) * n),
                       bias = randomVector<T>(n);
  const T* biasPtr = withBias ? bias.data() : nullptr;
  std::vector<T> c(size_t(m) * n, T(12345)), split(size_t(m) * n, T(-777));
  gemmWhole(level, m, n, k, a.data(), tA, b.data(), tB, biasPtr, c.data());
  const int middle = m / 3;
  gemm(level, m, n, k, a.data(), tA, b.data(), tB, biasPtr, split.data(), 0, middle);
  gemm(level, m, n, k, a.data(), tA, b.data(), tB, biasPtr, split.data(), middle, m);
  std::vector<double> want, magnitude;
  naive(m, n, k, a.data(), tA, b.data(), tB, biasPtr, want, magnitude);
  const double eps = sizeof(T) == 4 ? 1.2e-7 : 2.3e-16;
  for (size_t e = 0; e < c.size(); ++e) {
    const double tolerance = 2 * (k + 2) * eps * magnitude[e] + 1e-30;
    const bool wrong = !(std::fabs(double(c[e]) - want[e]) <= tolerance);
    const bool notSplitExact = c[e] != split[e];
    if (wrong || notSplitExact) {
      std::printf("FAIL %s level %d m=%d n=%d k=%d transA=%d transB=%d bias=%d at (%zu,%zu): got %.9g want %.9g"
                  " (tolerance %.3g)%s\n",
                  sizeof(T) == 4 ? "sgemm" : "dgemm", level, m, n, k, tA, tB, withBias, e / n, e % n, double(c[e]),
                  want[e], tolerance, notSplitExact ? ", row split differs" : "");
      ++failures;
      return;
    }
  }
}

template <typename T>
int checkLevel(int level) {
  const int before = failures;
  std::vector<int> shapes[] = {{1, 1, 1}, {1, 7, 3},    {5, 1, 11},   {13, 17, 1},   {7, 13, 29},    {31, 37, 41},
                               {15, 33, 16}, {29, 65, 400}, {97, 131, 257}, {64, 784, 128}, {64, 128, 64},
                               {256, 784, 128}, {17, 4099, 3}, {3, 5, 1031},
                               {64, 128, 784}, {50, 64, 800}};  // the last two: tiles run their k slices back to back
  int count = 0;
  for (const auto& s : shapes)
    for (int t = 0; t < 4; ++t)
      for (int withBias = 0; withBias < 2; ++withBias, ++count) checkOne<T>(level, s[0], s[1], s[2], t & 1, t & 2, withBias);
  std::uniform_int_distribution<int> size(1, 300);
  for (int r = 0; r < 40; ++r, ++count) checkOne<T>(level, size(rng), size(rng), size(rng), r & 1, r & 2, r & 4);
  std::printf("%s level %d: %d cases, %d failed\n", sizeof(T) == 4 ? "sgemm" : "dgemm", level, count,
              failures - before);
  return failures - before;
}

template <typename T>
double gflops(int level, int m, int n, int k, bool tA, bool tB) {
  const std::vector<T> a = randomVector<T>(size_t(m) * k), b = randomVector<T>(size_t(k) * n);
  std::vector<T> c(size_t(m) * n);
  const double flop = 2.0 * m * n * k;
  const int reps = std::max(3, int(2e9 / flop));
  double best = 1e30;
  for (int trial = 0; trial < 3; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) gemm(level, m, n, k, a.data(), tA, b.data(), tB, nullptr, c.data(), 0, m);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds / reps);
  }
  return flop / best / 1e9;
}

template <typename T>
void benchLevel(int level) {
  // m×n×k: the MLP's layers at batch 64 and 256 (784→128 forward is 64×128×784), then a large square.
  const int shapes[][3] = {{64, 784, 128}, {64, 128, 784}, {64, 128, 64}, {256, 784, 128}, {1024, 1024, 1024}};
  std::printf("%s level %d GFLOP/s (NN / TN / NT):", sizeof(T) == 4 ? "sgemm" : "dgemm", level);
  for (const auto& s : shapes)
    std::printf("  %dx%dx%d %.1f/%.1f/%.1f", s[0], s[1], s[2], gflops<T>(level, s[0], s[1], s[2], false, false),
                gflops<T>(level, s[0], s[1], s[2], true, false), gflops<T>(level, s[0], s[1], s[2], false, true));
  std::printf("\n");
}

// Seconds per call: the best of 7 trials of enough calls to fill ~20 ms (the minimum resists a shared machine).
template <typename T>
double secondsPerCall(int level, int m, int n, int k, bool tA, bool tB, bool withBias) {
  const std::vector<T> a = randomVector<T>(size_t(m) * k), b = randomVector<T>(size_t(k) * n), bias = randomVector<T>(n);
  std::vector<T> c(size_t(m) * n);
  const int reps = std::max(3, int(4e9 / (2.0 * m * n * k) / 100));
  double best = 1e30;
  for (int trial = 0; trial < 7; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) gemm(level, m, n, k, a.data(), tA, b.data(), tB, withBias ? bias.data() : nullptr, c.data(), 0, m);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / reps);
  }
  return best;
}

// The MLP step's products as the autodiff runs them, per layer in→out at batch 64: forward x·W + b (linear),
// the weight gradient xᵀ·g (A transposed), the input gradient g·Wᵀ (B transposed; not for the first layer).
template <typename T>
void benchMlp(int level) {
  const int layers[] = {784, 128, 64, 32, 10}, batch = 64;
  double total = 0, flop = 0;
  std::printf("%s level %d, MLP step products (m×n×k):\n", sizeof(T) == 4 ? "sgemm" : "dgemm", level);
  for (int l = 0; l < 4; ++l) {
    const int in = layers[l], out = layers[l + 1];
    struct { const char* what; int m, n, k; bool tA, tB, bias; } calls[] = {
        {"forward x·W+b", batch, out, in, false, false, true},
        {"weight grad xᵀ·g", in, out, batch, true, false, false},
        {"input grad g·Wᵀ", batch, in, out, false, true, false}};
    for (int c = 0; c < (l == 0 ? 2 : 3); ++c) {
      const auto& s = calls[c];
      const double sec = secondsPerCall<T>(level, s.m, s.n, s.k, s.tA, s.tB, s.bias), f = 2.0 * s.m * s.n * s.k;
      total += sec;
      flop += f;
      std::printf("  %-18s %4dx%4dx%4d %8.2f us %6.1f GFLOP/s\n", s.what, s.m, s.n, s.k, sec * 1e6, f / sec / 1e9);
    }
  }
  std::printf("  step total %.1f us, %.1f GFLOP/s; x938 steps = %.3f s per epoch\n", total * 1e6, flop / total / 1e9, total * 938);
}

}  // namespace

int main(int argc, char** argv) {
  __builtin_cpu_init();
  const int best = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
  const std::string_view option = argc > 1 ? argv[1] : "";
  const bool checkOnly = option == "--check";
  if (option.substr(0, 6) == "--mlp=") {
    const int level = std::min(best, std::atoi(argv[1] + 6));
    benchMlp<float>(level);
    benchMlp<double>(level);
    return 0;
  }
  if (option.substr(0, 8) == "--bench=") {
    const int level = std::min(best, std::atoi(argv[1] + 8));
    benchLevel<float>(level);
    benchLevel<double>(level);
    return 0;
  }
  std::printf("best dispatch level on this CPU: %d\n", best);
  for (int level = 0; level <= best; ++level) {
    checkLevel<float>(level);
    checkLevel<double>(level);
  }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  if (!checkOnly)
    for (int level = 0; level <= best; ++level) {
      benchLevel<float>(level);
      benchLevel<double>(level);
    }
  return 0;
}
