// The thread pool behind parallelRun (pool.h). One job at a time: its chunks are claimed from one atomic
// ticket that packs (job number, chunk count, next chunk), so a worker that wakes late can only claim a
// chunk of a job that is still running, and reads the job's function only after a claim succeeded (the
// job cannot finish, and be replaced, before that chunk is done). Workers and a waiting caller spin
// briefly, then sleep on a condition variable: no core is held busy between calls for longer than kSpin.
// When a split call ends later than running all its chunks on the caller would have (the other core was
// busy, so the worker's chunk waited), the next calls run on the caller alone, more of them each time
// this repeats, until a split pays again: the pool backs off while the machine is busy.
#include "pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace chainrule {
namespace {

// How long a worker keeps looking for the next job after one ends, and the caller for the last chunk,
// before sleeping: a training step's kernels come microseconds apart, and waking a sleeping thread costs
// tens of microseconds on these VMs; longer spins would take the core from whoever else needs it.
constexpr auto kSpin = std::chrono::microseconds(50);

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// ticket = job << 40 | count << 20 | next.
constexpr int kCountBits = 20;
constexpr uint64_t kMask = (uint64_t(1) << kCountBits) - 1;
constexpr size_t kMaxChunks = size_t(kMask);
inline uint64_t countOf(uint64_t t) { return (t >> kCountBits) & kMask; }
inline uint64_t nextOf(uint64_t t) { return t & kMask; }

struct Pool {
  std::mutex jobLock;  // held by the one caller whose job runs (and by setThreads)
  std::atomic<int> threads{1};

  std::atomic<uint64_t> ticket{0};
  std::atomic<size_t> done{0};
  ChunkFn fn = nullptr;
  const void* ctx = nullptr;
  uint64_t jobs = 0;
  std::atomic<double> jobsRun{0};
  int unpaidStreak = 0;              // split calls in a row that were slower than serial
  std::atomic<int> serialLeft{0};    // calls to run whole on the caller before trying a split again

  std::mutex sleepLock;
  std::condition_variable wake, finished;
  std::atomic<int> sleepers{0};
  bool callerSleeping = false;
  std::atomic<bool> stopping{false};
  std::vector<std::thread> workers;

  bool claimable() const { const uint64_t t = ticket.load(); return nextOf(t) < countOf(t); }

  // Claims and runs one chunk of the current job; false when there is none left.
  bool runOne() {
    uint64_t t = ticket.load(std::memory_order_acquire);
    while (nextOf(t) < countOf(t)) {
      if (!ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      fn(ctx, size_t(nextOf(t)));
      if (done.fetch_add(1, std::memory_order_acq_rel) + 1 == countOf(t)) {
        std::lock_guard<std::mutex> hold(sleepLock);
        if (callerSleeping) finished.notify_one();
      }
      return true;
    }
    return false;
  }

  void work() {
    for (;;) {
      while (runOne()) {}
      const auto until = std::chrono::steady_clock::now() + kSpin;
      bool found = false;
      while (!found && !stopping.load(std::memory_order_relaxed) && std::chrono::steady_clock::now() < until) {
        for (int i = 0; i < 64 && !(found = claimable()); i++) relax();
      }
      if (stopping.load()) return;
      if (found) continue;
      std::unique_lock<std::mutex> hold(sleepLock);
      sleepers.fetch_add(1);
      wake.wait(hold, [this] { return stopping.load() || claimable(); });
      sleepers.fetch_sub(1);
      if (stopping.load()) return;
    }
  }

  void stopWorkers() {
    {
      std::lock_guard<std::mutex> hold(sleepLock);
      stopping.store(true);
      wake.notify_all();
    }
    for (std::thread& w : workers) w.join();
    workers.clear();
    stopping.store(false);
  }

  void run(size_t chunks, ChunkFn f, const void* c) {
    std::unique_lock<std::mutex> mine(jobLock, std::try_to_lock);
    const int n = threads.load();
    if (!mine.owns_lock() || n <= 1 || chunks > kMaxChunks) {  // busy (another JS thread's job), or one thread
      for (size_t i = 0; i < chunks; i++) f(c, i);
      return;
    }
    // A worker just started is slow to its first chunk: that call does not judge whether splits pay.
    const bool judge = int(workers.size()) >= n - 1;
    while (int(workers.size()) < n - 1) workers.emplace_back([this] { work(); });
    const auto start = std::chrono::steady_clock::now();
    jobsRun.store(jobsRun.load() + 1);
    fn = f;
    ctx = c;
    done.store(0, std::memory_order_relaxed);
    jobs = (jobs + 1) & ((uint64_t(1) << (64 - 2 * kCountBits)) - 1);
    ticket.store(jobs << (2 * kCountBits) | uint64_t(chunks) << kCountBits);  // seq_cst: ordered before the sleepers read
    if (sleepers.load() > 0) {
      std::lock_guard<std::mutex> hold(sleepLock);
      wake.notify_all();
    }
    size_t ranHere = 0;
    while (runOne()) ranHere++;
    const auto ownDone = std::chrono::steady_clock::now();
    const auto until = ownDone + kSpin;
    while (done.load(std::memory_order_acquire) != chunks && std::chrono::steady_clock::now() < until) {
      for (int i = 0; i < 64 && done.load(std::memory_order_acquire) != chunks; i++) relax();
    }
    if (done.load(std::memory_order_acquire) != chunks) {
      std::unique_lock<std::mutex> hold(sleepLock);
      callerSleeping = true;
      finished.wait(hold, [&] { return done.load(std::memory_order_acquire) == chunks; });
      callerSleeping = false;
    }
    // Paid: done sooner than our own pace over every chunk (all chunks are of about one size).
    const auto own = ownDone - start, all = std::chrono::steady_clock::now() - start;
    if (!judge) return;
    if (ranHere == 0 || all * ranHere <= own * chunks) {
      unpaidStreak = 0;
    } else {
      unpaidStreak = unpaidStreak < 5 ? unpaidStreak + 1 : 5;
      serialLeft.store(4 << unpaidStreak);  // 8 to 128 calls
    }
  }

  // Also forgets the back-off; the workers stop only when the count changes.
  void setThreads(int n) {
    n = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n;
    std::lock_guard<std::mutex> mine(jobLock);
    unpaidStreak = 0;
    serialLeft.store(0);
    if (n == threads.load()) return;
    stopWorkers();
    threads.store(n);
  }
};

// Never destroyed: at process exit the workers may still be asleep on its condition variable.
Pool& pool() {
  static Pool* const p = new Pool();
  return *p;
}

}  // namespace

int poolThreads() { return pool().threads.load(std::memory_order_relaxed); }
void setPoolThreads(int n) { pool().setThreads(n); }
void parallelRun(size_t chunks, ChunkFn fn, const void* ctx) { pool().run(chunks, fn, ctx); }
double poolJobs() { return pool().jobsRun.load(); }
bool poolSplits() {
  std::atomic<int>& left = pool().serialLeft;
  if (left.load(std::memory_order_relaxed) <= 0) return true;
  left.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

}  // namespace chainrule
