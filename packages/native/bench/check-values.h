// What the vector-width checks (elementwise-check.cc, fused-check.cc) share: which CPUs have the wider paths,
// and random test values that often hit the edge cases every path must treat as the portable one does.
#pragma once
#include <cmath>
#include <limits>
#include <random>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define CHAINRULE_X86 1
#endif

namespace check_values {

// One time in `every`, an edge case: NaN, ±0, ±∞, subnormals, the largest finite value, or one of the caller's
// four `more`; otherwise uniform in [−range, range).
template <typename T> T anyValue(std::mt19937& rng, unsigned every, double range, const T (&more)[4]) {
  const T special[] = {T(NAN), T(0), T(-0.0), T(INFINITY), T(-INFINITY), std::numeric_limits<T>::denorm_min(),
                       -std::numeric_limits<T>::denorm_min() * 3, std::numeric_limits<T>::max(), more[0], more[1], more[2], more[3]};
  const unsigned u = rng();
  return u % every == 0 ? special[(u / every) % 12] : T(std::uniform_real_distribution<double>(-range, range)(rng));
}

}  // namespace check_values
