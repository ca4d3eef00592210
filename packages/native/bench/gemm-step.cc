// Times the eleven products of one training step of the benchmark's MLP (784-128-64-32-10, batch 64, float32,
// AVX-512 or the CPU's best level), two ways: each alone, called over and over on the same arrays (hot caches),
// and inside a step-like loop (a batch copied from a 6400-row pool, the forward pass with ReLU, the backward
// pass, SGD updating every parameter in place), which leaves the caches as a real step does. With `view` the
// batch is read in place from the pool instead (as the benchmark's peers' loop does: rows not touched since the
// previous pass over the 20 MB pool). Figures are medians of many calls, in microseconds.
// Build and run (from packages/native):
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-math-errno -o /tmp/gemm-step bench/gemm-step.cc src/gemm.cc && taskset -c 1 /tmp/gemm-step [steps] [view]
// A/B in one process: compile another gemm.cc with -Dchainrule=chainrule_b into an object and build with
// -DGEMM_AB; each step then runs both versions' products (alternating which goes first) on the same arrays, and
// the two columns compare them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include "../src/gemm.h"

#ifdef GEMM_AB
namespace chainrule_b {
void sgemm(int level, int m, int n, int k, const float* a, bool transA, const float* b, bool transB,
           const float* bias, float* c);
}
#endif

namespace {

using Clock = std::chrono::steady_clock;

std::vector<float> randomFloats(size_t n, float low, float high) {
  static std::mt19937 rng(11);
  std::uniform_real_distribution<float> uniform(low, high);
  std::vector<float> v(n);
  for (float& x : v) x = uniform(rng);
  return v;
}

struct Product {
  const char* what;
  int m, n, k;
  bool tA, tB;
  const float *a, *b, *bias;
  float* c;
};

using Gemm = void (*)(int, int, int, int, const float*, bool, const float*, bool, const float*, float*);

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
  return v[v.size() / 2];
}

double timeCall(Gemm gemm, int level, const Product& p) {
  const auto start = Clock::now();
  gemm(level, p.m, p.n, p.k, p.a, p.tA, p.b, p.tB, p.bias, p.c);
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

constexpr int kLayers[] = {784, 128, 64, 32, 10};
constexpr int kBatch = 64, kPool = 6400;

// The step's arrays: parameters, activations (h[0] is the batch), gradients.
struct Net {
  std::vector<float> pool = randomFloats(size_t(kPool) * 784, 0, 1);
  std::vector<float> w[4], b[4], gw[4], gb[4], h[5], pre[5], g[5];
  Net() {
    for (int l = 0; l < 4; ++l) {
      const int in = kLayers[l], out = kLayers[l + 1];
      w[l] = randomFloats(size_t(in) * out, -0.1f, 0.1f);
      b[l] = randomFloats(out, -0.1f, 0.1f);
      gw[l].resize(size_t(in) * out);
      gb[l].resize(out);
    }
    for (int l = 0; l < 5; ++l) {
      h[l].resize(size_t(kBatch) * kLayers[l]);
      pre[l].resize(h[l].size());
      g[l].resize(h[l].size());
    }
  }
  // The products in the order the step runs them: forward, then backward from the last layer.
  std::vector<Product> products() {
    std::vector<Product> list;
    for (int l = 0; l < 4; ++l)
      list.push_back({"forward x·W+b", kBatch, kLayers[l + 1], kLayers[l], false, false, h[l].data(), w[l].data(),
                      b[l].data(), pre[l + 1].data()});
    for (int l = 3; l >= 0; --l) {
      list.push_back({"weight grad xᵀ·g", kLayers[l], kLayers[l + 1], kBatch, true, false, h[l].data(), g[l + 1].data(),
                      nullptr, gw[l].data()});
      if (l > 0)
        list.push_back({"input grad g·Wᵀ", kBatch, kLayers[l], kLayers[l + 1], false, true, g[l + 1].data(),
                        w[l].data(), nullptr, g[l].data()});
    }
    return list;
  }
};

// The step's work around the products, with the products run by `run(index)` in step order.
// The batch's first row in the pool.
const float* batchRows(const Net& net, int index) { return net.pool.data() + size_t(index * kBatch % kPool) * 784; }

template <class Run>
void step(Net& net, int index, bool view, const Run& run) {
  if (!view) std::copy_n(batchRows(net, index), size_t(kBatch) * 784, net.h[0].data());
  int product = 0;
  for (int l = 0; l < 4; ++l) {
    run(product++);
    for (size_t e = 0; e < net.h[l + 1].size(); ++e) net.h[l + 1][e] = std::max(net.pre[l + 1][e], 0.0f);
  }
  for (size_t e = 0; e < net.g[4].size(); ++e) net.g[4][e] = net.h[4][e] * 0.01f - 0.001f;
  for (int l = 3; l >= 0; --l) {
    run(product++);
    const int out = kLayers[l + 1];
    for (int j = 0; j < out; ++j) {
      float sum = 0;
      for (int i = 0; i < kBatch; ++i) sum += net.g[l + 1][size_t(i) * out + j];
      net.gb[l][j] = sum;
    }
    if (l > 0) {
      run(product++);
      for (size_t e = 0; e < net.g[l].size(); ++e) net.g[l][e] = net.pre[l][e] > 0 ? net.g[l][e] : 0.0f;
    }
  }
  for (int l = 0; l < 4; ++l) {
    for (size_t e = 0; e < net.w[l].size(); ++e) net.w[l][e] -= 0.01f * net.gw[l][e];
    for (size_t e = 0; e < net.b[l].size(); ++e) net.b[l][e] -= 0.01f * net.gb[l][e];
  }
}

}  // namespace

int main(int argc, char** argv) {
  __builtin_cpu_init();
  const int level = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  const int steps = argc > 1 ? std::atoi(argv[1]) : 4000;
  std::vector<Gemm> versions = {chainrule::sgemm};
#ifdef GEMM_AB
  versions.push_back(chainrule_b::sgemm);
#endif
  const int count = int(versions.size());
  Net net;
  const bool view = argc > 2 && std::string_view(argv[2]) == "view";
  std::vector<Product> products = net.products();
  const int n = int(products.size());
  // Alone: each product called over and over (hot caches); versions alternate call by call.
  std::vector<std::vector<std::vector<double>>> alone(count, std::vector<std::vector<double>>(n));
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < 2000; ++r)
      for (int v = 0; v < count; ++v) {
        const int which = (r + v) % count;
        alone[which][i].push_back(timeCall(versions[which], level, products[i]));
      }
  // In the step: the whole step runs with one version; versions alternate step by step.
  std::vector<std::vector<std::vector<double>>> inStep(count, std::vector<std::vector<double>>(n));
  std::vector<std::vector<double>> stepTotal(count);
  for (int s = 0; s < steps; ++s) {
    const int which = s % count;
    double total = 0;
    if (view) products.front().a = products.back().a = batchRows(net, s);  // the first layer's x·W and xᵀ·g
    step(net, s, view, [&](int i) {
      const double us = timeCall(versions[which], level, products[i]);
      if (s >= 2 * count) inStep[which][i].push_back(us);
      total += us;
    });
    if (s >= 2 * count) stepTotal[which].push_back(total);
  }
  std::printf("level %d, float32, medians in us (alone: hot caches; in step: step-like loop, %d steps, batch %s)\n", level,
              steps, view ? "read in place from the pool" : "copied");
  std::printf("  %-18s %14s", "product", "m x n x k");
  for (int v = 0; v < count; ++v) std::printf("  alone%c in step%c GFLOP/s", count > 1 ? 'A' + v : ' ', count > 1 ? 'A' + v : ' ');
  std::printf("\n");
  std::vector<double> sumAlone(count), sumStep(count);
  for (int i = 0; i < n; ++i) {
    const Product& p = products[i];
    std::printf("  %-18s %4dx%4dx%4d%s", p.what, p.m, p.n, p.k, p.tA ? " T" : p.tB ? "  T" : "   ");
    for (int v = 0; v < count; ++v) {
      const double a = median(alone[v][i]), s = median(inStep[v][i]);
      sumAlone[v] += a;
      sumStep[v] += s;
      std::printf("  %7.2f %8.2f %7.1f", a, s, 2.0 * p.m * p.n * p.k / s / 1e3);
    }
    std::printf("\n");
  }
  std::printf("  %-33s", "sum of medians");
  for (int v = 0; v < count; ++v) std::printf("  %7.2f %8.2f        ", sumAlone[v], sumStep[v]);
  std::printf("\n  %-33s", "median of the step's product time");
  for (int v = 0; v < count; ++v) std::printf("  %7s %8.2f        ", "", median(stepTotal[v]));
  std::printf("\n");
  return 0;
}
