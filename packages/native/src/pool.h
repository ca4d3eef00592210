// A small persistent thread pool for the native kernels (pool.cc). A parallel call splits its work into
// chunks whose results do not depend on which thread runs them (each chunk writes its own outputs; no
// reduction is split across chunks), so results are bit-identical whatever the thread count. The caller's
// thread takes chunks too and the call returns when every chunk is done; chunks are claimed one at a time,
// so a worker that is slow to wake (the other core busy) leaves its chunks to the caller.
// Workers never touch Node-API: they get raw pointers only.
#pragma once
#include <cstddef>

namespace chainrule {

// Threads a parallel call uses, the caller's included (1: everything on the caller's thread, no pool).
int poolThreads();
// Sets it (clamped to 1..kMaxThreads) and forgets the back-off; on a change the workers stop, and start again
// lazily on the next parallel call.
void setPoolThreads(int n);
constexpr int kMaxThreads = 64;

using ChunkFn = void (*)(const void* ctx, size_t chunk);
// Runs fn(ctx, c) for every c in [0, chunks) on the caller's thread and the pool's; returns when all are done.
// On one thread, or while another thread (a Node worker) is using the pool, all run on the caller's thread.
void parallelRun(size_t chunks, ChunkFn fn, const void* ctx);
// How many calls have been split across the pool since the addon loaded (for tests: a gate was crossed).
double poolJobs();
// Whether a call that could split should: false while the pool backs off after splits that did not pay
// (each false counts down the back-off). Asked only when a call is about to split.
bool poolSplits();

template <typename F> void parallelFor(size_t chunks, const F& f) {
  if (chunks == 0) return;
  if (chunks == 1 || poolThreads() <= 1) {
    for (size_t c = 0; c < chunks; c++) f(c);
    return;
  }
  parallelRun(chunks, [](const void* ctx, size_t c) { (*static_cast<const F*>(ctx))(c); }, &f);
}

// Splits [0, n) into ranges that start at multiples of `align` and hold at least `minChunk` items, and
// calls f(begin, end) on each, in parallel: up to `perThread` ranges per thread, and a multiple of the
// thread count when that fits, so that threads finish together. Serial (one f(0, n)) when n is under two
// chunks' worth or there is one thread: `minChunk` is the size gate.
template <typename F> void parallelRanges(size_t n, size_t align, size_t minChunk, const F& f, size_t perThread = 4) {
  const size_t threads = size_t(poolThreads()), most = n / (minChunk < 1 ? 1 : minChunk);
  if (threads <= 1 || most < 2 || n < 2 * align || !poolSplits()) {
    f(size_t(0), n);
    return;
  }
  size_t chunks = perThread * threads;
  if (chunks > most) chunks = most >= threads ? most / threads * threads : most;
  size_t step = (n + chunks - 1) / chunks;
  step = (step + align - 1) / align * align;
  chunks = (n + step - 1) / step;
  parallelFor(chunks, [&](size_t c) {
    const size_t begin = c * step, end = begin + step < n ? begin + step : n;
    f(begin, end);
  });
}

}  // namespace chainrule
