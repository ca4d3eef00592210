// Whether a software prefetch of the NEXT batch's rows, issued right after this batch's gather, makes a
// shuffled epoch cheaper: a fit-like loop over MNIST's shape (60 000 rows of 784 floats, 188 MB; batches of
// 64 random rows) where each step gathers its batch (core's takeRows kernel), hints the next batch's rows in
// one of several styles, then "computes" over a 2 MB working set (more than L2, as the MLP's step):
// `stream` (default) is 8 read-write passes, `dense` one pass with 4 multiply-adds per value (~90 µs).
// Each style runs one epoch in turn (its place in the round rotates), many rounds, in one process; it
// prints each style's median gather, hint-and-compute and whole-step times. `huge` puts the data set on
// 2 MB pages (madvise before it is written), to tell TLB misses from DRAM latency.
//
// Result on the project's VM (AMD EPYC Zen 5, `taskset -c 0`, 8 rounds x 300 steps, dense): no style pays.
// The hint makes the next gather faster (16.6 µs unhinted; 11.7 first+last line; 8.3 every line) but
// issuing it costs as much or more (the prefetches wait for miss buffers): whole step 110.7 µs unhinted,
// 110.0 first+last, 109.5 first line only, 115.1 every line, 112.2 every 2nd line; T1, T2 and NTA as T0.
// 2 MB pages change nothing (gather 16.4 µs), so it is DRAM latency, not the TLB. A per-step paired A/B in
// the real fit loop (a hinted step, then an unhinted one) agreed: the next copy 17.3 µs instead of 22.3
// (first+last) or 15.3 (every line), the hint 6.4 and 14.7 µs, net -2.2 and -8.5 µs per step.
//
// GCC 12 drops __builtin_prefetch and _mm_prefetch in some inlined loops (a lambda's in takeRows at -O2,
// this file's prefetchLines at -O2 and -O3), hence the asm prefetches below; check a build with
// `objdump -d /tmp/take-rows-prefetch | grep -c prefetch`.
//
// Build and run (from packages/native):
//   g++ -O3 -std=c++17 -o /tmp/take-rows-prefetch bench/take-rows-prefetch.cc src/layout.cc src/elementwise.cc src/exp.cc
//   taskset -c 1 /tmp/take-rows-prefetch [rounds=6] [steps per epoch=400] [dense|stream] [huge|small]
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../src/kernels.h"

namespace {

constexpr size_t kRows = 60000, kRowLength = 784, kBatch = 64, kWork = (2 << 20) / sizeof(float);
constexpr int kPasses = 8;

struct Style {
  const char* name;
  int hint;          // -1: none; else _MM_HINT_T0 / T1 / T2 / NTA
  size_t lineStep;   // prefetch every lineStep-th 64-byte line of each row (0: first and last line only)
  size_t lines = 0;  // at most this many lines from each row's start (0: the whole row), to wake the hardware prefetcher
};

// An asm prefetch, which the compiler keeps (see the header).
template <int hint> inline void fetch(const char* p) {
  if constexpr (hint == _MM_HINT_T0) asm volatile("prefetcht0 %0" ::"m"(*p));
  else if constexpr (hint == _MM_HINT_T1) asm volatile("prefetcht1 %0" ::"m"(*p));
  else if constexpr (hint == _MM_HINT_T2) asm volatile("prefetcht2 %0" ::"m"(*p));
  else asm volatile("prefetchnta %0" ::"m"(*p));
}

template <int hint> void prefetchLines(const float* x, const int32_t* rows, size_t count, size_t lineStep, size_t lines) {
  const size_t bytes = lines == 0 ? kRowLength * sizeof(float) : std::min(kRowLength * sizeof(float), 64 * lines);
  for (size_t i = 0; i < count; i++) {
    const char* row = reinterpret_cast<const char*>(x + size_t(rows[i]) * kRowLength);
    if (lineStep == 0) {
      fetch<hint>(row);
      fetch<hint>(row + bytes - 1);
    } else {
      for (size_t at = 0; at < bytes; at += 64 * lineStep) fetch<hint>(row + at);
      if (lines == 0) fetch<hint>(row + bytes - 1);
    }
  }
}

void prefetch(const Style& s, const float* x, const int32_t* rows, size_t count) {
  switch (s.hint) {
    case _MM_HINT_T0: prefetchLines<_MM_HINT_T0>(x, rows, count, s.lineStep, s.lines); break;
    case _MM_HINT_T1: prefetchLines<_MM_HINT_T1>(x, rows, count, s.lineStep, s.lines); break;
    case _MM_HINT_T2: prefetchLines<_MM_HINT_T2>(x, rows, count, s.lineStep, s.lines); break;
    case _MM_HINT_NTA: prefetchLines<_MM_HINT_NTA>(x, rows, count, s.lineStep, s.lines); break;
    default: break;
  }
}

// Stands for a step's compute: passes over a 2 MB buffer (reads and writes), ~200 µs; `dense` does 4
// multiply-adds per value read (a matmul's intensity: bound by arithmetic, not by the caches).
float compute(std::vector<float>& work, float a, bool dense) {
  for (int pass = 0; pass < (dense ? 1 : kPasses); pass++) {
    for (size_t i = 0; i < work.size(); i++) {
      float v = work[i];
      if (dense) for (int k = 0; k < 3; k++) v = v * a + 0.5f;
      work[i] = v * a + 0.5f;
    }
  }
  return work[work.size() / 3];
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 6;
  const size_t stepsPerEpoch = argc > 2 ? size_t(std::atoi(argv[2])) : 400;
  const bool dense = argc > 3 && std::string(argv[3]) == "dense";
  // `huge`: the data set on 2 MB pages (no TLB miss per row), as an madvise(MADV_HUGEPAGE) before it is written gives.
  const bool huge = argc > 4 && std::string(argv[4]) == "huge";
  const size_t xBytes = (kRows * kRowLength * sizeof(float) + (2 << 20) - 1) / (2 << 20) * (2 << 20);
  float* x = static_cast<float*>(std::aligned_alloc(2 << 20, xBytes));
  if (huge && madvise(x, xBytes, MADV_HUGEPAGE) != 0) std::perror("madvise");
  for (size_t i = 0; i < kRows * kRowLength; i++) x[i] = float(i % 1000);
  if (FILE* f = std::fopen("/proc/self/smaps_rollup", "r")) {  // how much of the data set the kernel gave 2 MB pages
    char line[256];
    while (std::fgets(line, sizeof line, f)) if (std::strncmp(line, "AnonHugePages", 13) == 0) std::fputs(line, stdout);
    std::fclose(f);
  }
  std::vector<float> work(kWork, 1.0f), out(kBatch * kRowLength);
  const std::vector<Style> styles = {
    {"none", -1, 0},
    {"T0 first+last", _MM_HINT_T0, 0},
    {"T0 every line", _MM_HINT_T0, 1},
    {"T0 every 2nd line", _MM_HINT_T0, 2},
    {"T0 every 4th line", _MM_HINT_T0, 4},
    {"T1 every line", _MM_HINT_T1, 1},
    {"T2 every line", _MM_HINT_T2, 1},
    {"NTA every line", _MM_HINT_NTA, 1},
    {"T2 first+last", _MM_HINT_T2, 0},
    {"T0 first line", _MM_HINT_T0, 1, 1},
    {"T0 first 2 lines", _MM_HINT_T0, 1, 2},
    {"T0 first 4 lines", _MM_HINT_T0, 1, 4},
  };
  std::vector<std::vector<double>> gather(styles.size()), rest(styles.size()), whole(styles.size());
  std::mt19937 rng(1);
  std::vector<int32_t> order(kRows);
  std::iota(order.begin(), order.end(), 0);
  float sink = 0;
  for (int round = 0; round < rounds; round++) {
    for (size_t turn = 0; turn < styles.size(); turn++) {
      const size_t s = (turn + size_t(round)) % styles.size();  // each style's place in the round rotates
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t step = 0; step < stepsPerEpoch; step++) {
        const int32_t* rows = order.data() + step * kBatch;
        const double t0 = now();
        chainrule::takeRows(x, kRowLength, rows, kBatch, out.data());
        const double t1 = now();
        prefetch(styles[s], x, rows + kBatch, kBatch);
        // No clock read here: it would wait for the prefetches to issue, which the compute may overlap.
        sink += compute(work, 0.999f, dense) + out[step % out.size()];
        const double t2 = now();
        if (step > 0) gather[s].push_back(t1 - t0);  // the first gather had no hint
        rest[s].push_back(t2 - t1);
        whole[s].push_back(t2 - t0);
      }
    }
  }
  std::printf("%-20s %10s %18s %10s   (medians over %d rounds x %zu steps)\n", "hint", "gather us", "hint+compute us", "step us",
    rounds, stepsPerEpoch);
  for (size_t s = 0; s < styles.size(); s++) {
    std::printf("%-20s %10.2f %18.2f %10.2f\n", styles[s].name, median(gather[s]) * 1e6, median(rest[s]) * 1e6, median(whole[s]) * 1e6);
  }
  std::fprintf(stderr, "(sink %g)\n", double(sink));
}
