// Prints the core clock in GHz, measured: a chain of dependent integer adds retires one add per cycle on
// every x86-64 core, so adds per second is cycles per second. The best of many short trials, so that a
// trial the scheduler interrupted does not count. src/peak.ts compiles and runs it; exit 1 off x86-64.
#include <chrono>
#include <cstdio>

int main() {
#if defined(__x86_64__)
  double best = 0;
  for (int trial = 0; trial < 100; ++trial) {
    long x = 0;
    const long steps = 1000000;
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < steps; ++i) asm volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (4.0 * steps / seconds > best) best = 4.0 * steps / seconds;
  }
  std::printf("%.3f\n", best / 1e9);
  return 0;
#else
  return 1;
#endif
}
