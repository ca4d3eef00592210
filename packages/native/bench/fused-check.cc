// Checks the fused kernel's code paths at every vector width this CPU runs (the addon always takes the widest, so
// core's tests see only that one): the one-pass chains (fused-chain.h) and the block interpreter, each at
// AVX-512, AVX2 and portable, against a plain per-element evaluation of the program, bit for bit. Programs: the
// known chain shapes and random programs (every opcode, no temporary read before it is written), over NaN, ±0,
// ±∞, subnormals, on lengths around the vector widths and blocks, in place and not, float and double.
// Build and run (from packages/native):
//   g++ -O2 -std=c++17 -ffp-contract=off -fno-math-errno -o /tmp/fused-check bench/fused-check.cc && /tmp/fused-check
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "check-values.h"
#include "../src/fused.cc"  // the whole file: its per-width functions are in an anonymous namespace

namespace {

using namespace chainrule;
std::mt19937 rng(20261130);

template <typename T> T anyValue() { return check_values::anyValue<T>(rng, 4, 4, {T(1e-31), T(-1e-31), T(1), T(-1)}); }

// The program element by element, each instruction rounded to T: what the reference computes. Arrays are read
// and written in memory (an output may be an input), temporaries and scalars are values.
template <typename T> void oracle(const Program& p, const T* const* in, const double* scalars, T* const* out, size_t n) {
  const int firstScalar = p.inputs, firstTemp = firstScalar + p.scalars, firstOutput = firstTemp + p.temps;
  std::vector<T> temps(p.temps);
  for (size_t i = 0; i < n; i++) {
    auto at = [&](int r) -> T* {
      if (r < firstScalar) return const_cast<T*>(in[r]) + i;
      if (r < firstTemp) return nullptr;
      if (r < firstOutput) return &temps[r - firstTemp];
      return out[r - firstOutput] + i;
    };
    auto read = [&](int r) { return r >= firstScalar && r < firstTemp ? T(scalars[r - firstScalar]) : *at(r); };
    for (size_t pc = 0; pc < p.words; pc += 5) {
      const int32_t* w = p.code + pc;
      const T a = read(w[2]), b = w[3] >= 0 ? read(w[3]) : a, c = w[4] >= 0 ? read(w[4]) : a;
      step<T>(w[0], 1, at(w[1]), &a, &b, &c, T(1e-30));
    }
  }
}

// The code paths: chain (when the program is one of a known shape) or interpreter, at a width.
enum class Path { kChain, kBlocks };
template <typename T> bool runPath(Path path, int level, const Program& p, const T* const* in, const double* scalars, T* const* out, size_t n) {
  std::vector<T> scratch(size_t(p.scalars + p.temps) * kLongBlock);
  T* constants = scratch.data();
  T* temps = constants + size_t(p.scalars) * kLongBlock;
  for (int s = 0; s < p.scalars; s++) std::fill(constants + s * kLongBlock, constants + (s + 1) * kLongBlock, T(scalars[s]));
  if (path == Path::kChain) {
    chain::Chain<T> c;
    if (!chain::chainOf(p, in, out, constants, kLongBlock, c)) return false;
    const int shape = chain::shapeOf(c);
    if (shape < 0) return false;
#ifdef CHAINRULE_X86
    if (level == 2) return chainAvx512(shape, c, n), true;
    if (level == 1) return chainAvx2(shape, c, n), true;
#endif
    chainPortable(shape, c, n);
    return true;
  }
#ifdef CHAINRULE_X86
  if (level == 2) return runAvx512(p, in, out, n, kLongBlock, constants, temps), true;
  if (level == 1) return runAvx2(p, in, out, n, kLongBlock, constants, temps), true;
#endif
  runPortable(p, in, out, n, kLongBlock, constants, temps);
  return true;
}

int failures = 0, checks = 0;

template <typename T> void check(const char* what, const Program& p, size_t n, bool inPlace, int levels) {
  std::vector<std::vector<T>> in(p.inputs, std::vector<T>(n)), start(p.outputs, std::vector<T>(n));
  for (auto& v : in) for (T& x : v) x = anyValue<T>();
  for (auto& v : start) for (T& x : v) x = anyValue<T>();
  std::vector<double> scalars(p.scalars);
  for (double& s : scalars) s = double(anyValue<T>());
  // Each run on fresh copies; in place, the last output is input 0.
  auto run = [&](auto&& kernel) {
    std::vector<std::vector<T>> ins = in, outs = start;
    std::vector<const T*> pin;
    std::vector<T*> pout;
    for (auto& v : ins) pin.push_back(v.data());
    for (auto& v : outs) pout.push_back(v.data());
    if (inPlace) pout.back() = ins[0].data();
    const bool ran = kernel(pin.data(), pout.data());
    std::vector<std::vector<T>> result;
    for (T* o : pout) result.emplace_back(o, o + n);
    return std::make_pair(ran, result);
  };
  const auto want = run([&](const T* const* i, T* const* o) { oracle(p, i, scalars.data(), o, n); return true; });
  for (int level = 0; level <= levels; level++) {
    for (Path path : {Path::kChain, Path::kBlocks}) {
      const auto got = run([&](const T* const* i, T* const* o) { return runPath(path, level, p, i, scalars.data(), o, n); });
      if (!got.first) continue;
      checks++;
      for (size_t o = 0; o < got.second.size(); o++) {
        for (size_t i = 0; i < n; i++) {
          const T g = got.second[o][i], w = want.second[o][i];
          if (std::memcmp(&g, &w, sizeof(T)) != 0 && !(std::isnan(g) && std::isnan(w))) {
            std::printf("FAIL %s (%s, %zu elements, %s, level %d, %s): output %zu element %zu is %a, not %a\n", what,
                        sizeof(T) == 4 ? "float" : "double", n, inPlace ? "in place" : "separate", level,
                        path == Path::kChain ? "chain" : "blocks", o, i, double(g), double(w));
            failures++;
            goto next;
          }
        }
      }
    next:;
    }
  }
}

// A random program over 2 inputs, 2 scalars, 2 temporaries and 1 output that reads no temporary before writing it.
std::vector<int32_t> randomProgram() {
  const int length = 1 + int(rng() % 8);
  std::vector<int32_t> code;
  bool written[2] = {false, false};
  for (int k = 0; k < length; k++) {
    const int op = int(rng() % 13), arity = op < 6 ? 1 : op < 12 ? 2 : 3;
    auto operand = [&] {
      for (;;) {
        const int r = int(rng() % 7);  // inputs 0-1, scalars 2-3, temporaries 4-5, the output 6
        if (r < 4 || r == 6 || written[r - 4]) return r;
      }
    };
    const int dst = k == length - 1 || rng() % 4 == 0 ? 6 : 4 + int(rng() % 2);
    code.push_back(op);
    code.push_back(dst);
    for (int j = 0; j < 3; j++) code.push_back(j < arity ? operand() : -1);
    if (dst != 6) written[dst - 4] = true;
  }
  return code;
}

}  // namespace

int main() {
#ifdef CHAINRULE_X86
  const int levels = vectorLevel();
#else
  const int levels = 0;
#endif
  const size_t lengths[] = {1, 2, 3, 5, 8, 15, 16, 17, 31, 33, 97, 1023, 1024, 1025, 4099, 100352};
  // The known shapes, as fuse makes them (see fused-chain.h's Shapes), and one over spare registers.
  const std::vector<std::pair<const char*, std::vector<int32_t>>> shapes = {
    {"sgd", {12, 4, 3, 0, 1, 8, 4, 2, 4, -1, 7, 5, 0, 4, -1}},
    {"relu backward", {4, 2, 1, -1, -1, 8, 3, 0, 2, -1}},
    {"p - lr*g", {8, 3, 2, 1, -1, 7, 4, 0, 3, -1}},
    {"p - g*lr", {8, 3, 1, 2, -1, 7, 4, 0, 3, -1}},
    {"x*a + y", {8, 3, 0, 2, -1, 6, 4, 3, 1, -1}},
  };
  const int registers[][4] = {{2, 2, 1, 1}, {2, 0, 1, 1}, {2, 1, 1, 1}, {2, 1, 1, 1}, {2, 1, 1, 1}};
  for (size_t s = 0; s < shapes.size(); s++) {
    const Program p{shapes[s].second.data(), shapes[s].second.size(), registers[s][0], registers[s][1], registers[s][2], registers[s][3]};
    for (size_t n : lengths) for (bool inPlace : {false, true}) {
      check<float>(shapes[s].first, p, n, inPlace, levels);
      check<double>(shapes[s].first, p, n, inPlace, levels);
    }
  }
  for (int k = 0; k < 400; k++) {
    const std::vector<int32_t> code = randomProgram();
    const Program p{code.data(), code.size(), 2, 2, 2, 1};
    const size_t n = lengths[rng() % (sizeof lengths / sizeof lengths[0] - 1)];  // all but the longest
    check<float>("random program", p, n, k % 2 == 1, levels);
    check<double>("random program", p, n, k % 2 == 1, levels);
  }
  std::printf("fused-check: %d of %d runs differ from the per-element evaluation (levels 0..%d)\n", failures, checks, levels);
  return failures == 0 ? 0 : 1;
}
