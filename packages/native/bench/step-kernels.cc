// Times the native kernels other than the GEMM at the sizes one training step of the benchmark's MLP
// (784-128-64-32-10, batch 64) calls them with: the fused SGD update per parameter, ReLU and its mask, the
// masks of the backward pass, the bias gradients' sums, softmax and the cross-entropy pair. Each figure is
// the best of 7 trials (the minimum resists a shared machine). Build and run (from packages/native):
//   g++ -O3 -std=c++17 -ffp-contract=off -fno-math-errno -o /tmp/step-kernels bench/step-kernels.cc src/elementwise.cc src/exp.cc src/fused.cc src/layout.cc && /tmp/step-kernels
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "../src/kernels.h"

namespace {

std::vector<float> randomFloats(size_t n) {
  static std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = uniform(rng);
  return v;
}

// Microseconds per call of fn, the best of 7 trials.
double micros(const std::function<void()>& fn) {
  fn();
  int reps = 1;
  for (;;) {  // enough calls to fill ~2 ms
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) fn();
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > 2e-3) break;
    reps *= 2;
  }
  double best = 1e30;
  for (int trial = 0; trial < 7; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / reps);
  }
  return best * 1e6;
}

double total = 0;
void row(const char* what, size_t n, double us) {
  total += us;
  std::printf("  %-34s %7zu elements %8.2f us %6.2f ns/element\n", what, n, us, us * 1e3 / double(n));
}

}  // namespace

int main() {
  const int layers[] = {784, 128, 64, 32, 10}, batch = 64;
  // core's SGD update as a fused program (registers: w, g, lr, decay, one temporary, the new w):
  // t = decay·w + g; t = lr·t; out = w − t.
  const int32_t sgd[] = {12, 4, 3, 0, 1, 8, 4, 2, 4, -1, 7, 5, 0, 4, -1};
  const chainrule::Program program{sgd, 15, 2, 2, 1, 1};
  const double scalars[] = {0.01, 0.0};
  std::printf("float32 kernels of one MLP step (batch %d):\n", batch);
  for (int l = 0; l < 4; ++l) {
    const size_t in = layers[l], out = layers[l + 1];
    for (const size_t n : {in * out, out}) {
      std::vector<float> w = randomFloats(n), g = randomFloats(n), next(n);
      const float* inputs[] = {w.data(), g.data()};
      float* outputs[] = {next.data()};
      row(n == out ? "sgd update (bias)" : "sgd update (weight)", n,
          micros([&] { chainrule::fused(program, inputs, scalars, outputs, n); }));
    }
  }
  for (int l = 1; l < 4; ++l) {
    const size_t n = size_t(batch) * layers[l];
    std::vector<float> x = randomFloats(n), y(n), mask(n), g = randomFloats(n);
    row("relu", n, micros([&] { chainrule::unary(chainrule::kRelu, x.data(), y.data(), n, 0); }));
    row("step (relu's mask)", n, micros([&] { chainrule::unary(chainrule::kStep, x.data(), mask.data(), n, 0); }));
    row("mul (gradient · mask)", n, micros([&] { chainrule::binary(chainrule::kMul, g.data(), 0, 1, mask.data(), 0, 1, y.data(), 1, n); }));
  }
  for (int l = 1; l < 5; ++l) {
    const size_t n = size_t(batch) * layers[l];
    std::vector<float> g = randomFloats(n), s(layers[l]);
    row("sum over the batch (bias grad)", n, micros([&] { chainrule::sum3(g.data(), 1, size_t(batch), size_t(layers[l]), s.data()); }));
  }
  const size_t logits = size_t(batch) * 10;
  std::vector<float> x = randomFloats(logits), p(logits), d(logits);
  std::vector<int32_t> labels(batch);
  for (int r = 0; r < batch; ++r) labels[r] = r % 10;
  row("softmax", logits, micros([&] { chainrule::softmax(2, x.data(), size_t(batch), 10, 1, p.data(), false); }));
  row("crossEntropy", logits, micros([&] { chainrule::crossEntropy(2, x.data(), size_t(batch), 10, labels.data(), p.data()); }));
  row("crossEntropyGrad", logits, micros([&] { chainrule::crossEntropyGrad(p.data(), size_t(batch), 10, labels.data(), 1.0 / batch, d.data()); }));
  std::printf("  total %.1f us per step; x938 steps = %.3f s per epoch\n", total, total * 938e-6);
  return 0;
}
