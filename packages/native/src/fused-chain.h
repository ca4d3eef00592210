// Short fused programs that are a chain (each instruction reads only inputs, scalars and the previous
// instruction's result, and only the last writes an output, like SGD's p − lr·fma(wd, p, g) or ReLU's
// backward g·sign(y)) run in one pass: each vector of elements goes through every instruction in
// registers, then is stored once. The block interpreter instead makes a pass over a block per
// instruction, through scratch memory, which on a 100K-element update took twice as long.
// Every element meets the same operations in the same order, each rounded to T, as in the reference
// (core's backend/reference/fused.ts): fma is a rounded product then a sum (built with -ffp-contract=off).
#pragma once
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>
#include "kernels.h"

// Vectors pass only between inlined functions here: their ABI never matters.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace chainrule {
namespace chain {

// Programs of up to this many instructions are checked for a chain.
constexpr int kMaxLength = 6;

// Where an operand reads (its kind): 'a' an array (ptr, element i), 's' a scalar (ptr, its value), 't' the chain's
// value (the previous instruction's result), '-' nothing (an operand the opcode does not have).
template <typename T> struct Operand {
  const T* ptr = nullptr;
  char kind = '-';
};
template <typename T> struct Link {
  int op = 0;
  Operand<T> a, b, c;
};
template <typename T> struct Chain {
  int length = 0;
  Link<T> links[kMaxLength];
  T* out = nullptr;
};

// The program as a chain, or false when it is not one. Scalar s's value is at constants[s·stride].
template <typename T>
bool chainOf(const Program& p, const T* const* in, T* const* out, const T* constants, size_t stride, Chain<T>& chain) {
  constexpr int kWords = 5, kUnaryOps = 6, kBinaryOps = 6;
  const size_t length = p.words / kWords;
  if (length < 1 || length > size_t(kMaxLength)) return false;
  const int firstScalar = p.inputs, firstTemp = firstScalar + p.scalars, firstOutput = firstTemp + p.temps;
  int previous = -1;  // the register the previous instruction wrote
  for (size_t k = 0; k < length; k++) {
    const int32_t* w = p.code + k * kWords;
    const bool last = k + 1 == length;
    // Results go through temporaries, and only the last goes to an output.
    if (last ? w[1] < firstOutput : (w[1] < firstTemp || w[1] >= firstOutput)) return false;
    Link<T>& link = chain.links[k];
    link.op = w[0];
    const int arity = w[0] < kUnaryOps ? 1 : w[0] < kUnaryOps + kBinaryOps ? 2 : 3;
    Operand<T>* operands[3] = {&link.a, &link.b, &link.c};
    for (int j = 0; j < 3; j++) {
      Operand<T>& o = *operands[j];
      const int r = j < arity ? w[2 + j] : -1;
      if (r < 0) o = Operand<T>{nullptr, '-'};
      else if (r < firstScalar) o = Operand<T>{in[r], 'a'};
      else if (r < firstTemp) o = Operand<T>{constants + size_t(r - firstScalar) * stride, 's'};
      else if (r == previous) o = Operand<T>{nullptr, 't'};
      else return false;  // an older temporary, one never written, or an output
    }
    previous = w[1];
  }
  chain.length = int(length);
  chain.out = out[previous - firstOutput];
  return true;
}

// Vectors of kLanes T, and of integers as wide (comparisons' masks, bit operations).
template <typename T, int kLanes> struct Vectors {
  typedef T V __attribute__((vector_size(sizeof(T) * kLanes)));
  typedef std::conditional_t<sizeof(T) == 4, int32_t, int64_t> I;
  typedef I IV __attribute__((vector_size(sizeof(T) * kLanes)));
};

#define CHAIN_INLINE inline __attribute__((always_inline))

// One instruction of a chain shape: its opcode and where each operand reads: 'a' an array, 's' a scalar,
// 't' the chain's value (the previous result), '-' nothing (an unused operand).
template <int kOp, char kA, char kB = '-', char kC = '-'> struct Step {
  static constexpr int op = kOp;
  static constexpr char kinds[3] = {kA, kB, kC};
};

// An array's kLanes values from element i; count < kLanes only for the last, partial vector (lanes past it
// read nothing).
template <typename T, int kLanes, typename V = typename Vectors<T, kLanes>::V>
CHAIN_INLINE V load(const T* array, size_t i, size_t count) {
  typedef T U __attribute__((vector_size(sizeof(V)), aligned(sizeof(T))));
  if (count == size_t(kLanes)) return *reinterpret_cast<const U*>(array + i);
  V v = V{};
  for (size_t l = 0; l < count; l++) v[l] = array[i + l];
  return v;
}

// A vector of x in every lane, through its bits (V{} + x would make -0 into +0).
template <typename V, typename T> CHAIN_INLINE V splat(T x) {
  typedef std::conditional_t<sizeof(T) == 4, int32_t, int64_t> I;
  typedef I IV __attribute__((vector_size(sizeof(V))));
  I bits;
  std::memcpy(&bits, &x, sizeof bits);
  return (V)(IV{} + bits);
}

template <typename V> CHAIN_INLINE V sqrtLanes(V a) {
  V r;
  for (size_t l = 0; l < sizeof(V) / sizeof(a[0]); l++) r[l] = std::sqrt(a[l]);
  return r;
}

// Instruction kOp on vectors, as fused.cc's step does it per element.
template <int kOp, typename T, typename V, typename IV>
CHAIN_INLINE V apply(V x, V y, V z) {
  typedef decltype(IV{}[0]) I0;
  typedef std::remove_cv_t<std::remove_reference_t<I0>> I;
  if constexpr (kOp == 0) return x;
  if constexpr (kOp == 1) return -x;
  if constexpr (kOp == 2) return (V)((IV)x & ~(IV{} + (I(1) << (sizeof(T) * 8 - 1))));
  if constexpr (kOp == 3) return sqrtLanes(x);
  // Math.sign: keeps -0 and NaN.
  if constexpr (kOp == 4) return x > 0 ? splat<V>(T(1)) : x < 0 ? splat<V>(T(-1)) : x;
  if constexpr (kOp == 5) return ((x < T(1e-30)) & (x > -T(1e-30))) ? V{} : x;
  if constexpr (kOp == 6) return x + y;
  if constexpr (kOp == 7) return x - y;
  if constexpr (kOp == 8) return x * y;
  if constexpr (kOp == 9) return x / y;
  // Math.min and Math.max: NaN wins, and -0 is below +0 (kernels.h's jsMin, jsMax).
  const V nan = splat<V>(std::numeric_limits<T>::quiet_NaN());
  if constexpr (kOp == 10) return ((x != x) | (y != y)) ? nan : x < y ? x : y < x ? y : ((IV)x < 0) ? x : y;
  if constexpr (kOp == 11) return ((x != x) | (y != y)) ? nan : x > y ? x : y > x ? y : ((IV)x < 0) ? y : x;
  // fma: the product rounded, then the sum.
  if constexpr (kOp == 12) {
    const V product = x * y;
    return product + z;
  }
}

// Whether the chain's instructions are kSteps: the same opcodes, reading the same kinds of operands.
template <typename T, typename... kSteps> bool matches(const Chain<T>& chain) {
  if (chain.length != int(sizeof...(kSteps))) return false;
  int k = 0;
  auto same = [&](auto s) {
    typedef decltype(s) S;
    const Link<T>& link = chain.links[k++];
    const Operand<T>* o[3] = {&link.a, &link.b, &link.c};
    bool ok = link.op == S::op;
    for (int j = 0; j < 3; j++) ok = ok && o[j]->kind == S::kinds[j];
    return ok;
  };
  return (same(kSteps{}) && ...);
}

// The chain, whose shape is kSteps, over [0, n): a vector of kLanes elements at a time, the last one lane by lane.
template <typename T, int kLanes, typename... kSteps> CHAIN_INLINE void runChain(const Chain<T>& chain, size_t n) {
  typedef typename Vectors<T, kLanes>::V V;
  typedef typename Vectors<T, kLanes>::IV IV;
  constexpr int length = sizeof...(kSteps);
  // The operands as locals, so they stay in registers: arrays' pointers, scalars as vectors of their value.
  const T* arrays[length][3];
  V scalars[length][3];
  for (int k = 0; k < length; k++) {
    const Operand<T>* o[3] = {&chain.links[k].a, &chain.links[k].b, &chain.links[k].c};
    for (int j = 0; j < 3; j++) {
      arrays[k][j] = o[j]->ptr;
      scalars[k][j] = splat<V>(o[j]->kind == 's' ? o[j]->ptr[0] : T(0));
    }
  }
  T* const out = chain.out;
  auto vector = [&](size_t i, size_t count) __attribute__((always_inline)) {
    V t = V{};
    int k = 0;
    auto step = [&](auto s) __attribute__((always_inline)) {
      typedef decltype(s) S;
      V v[3];
      for (int j = 0; j < 3; j++) {
        v[j] = S::kinds[j] == 't' ? t : S::kinds[j] == 's' ? scalars[k][j] : S::kinds[j] == 'a' ? load<T, kLanes>(arrays[k][j], i, count) : V{};
      }
      t = apply<S::op, T, V, IV>(v[0], v[1], v[2]);
      k++;
    };
    (step(kSteps{}), ...);
    typedef T U __attribute__((vector_size(sizeof(V)), aligned(sizeof(T))));
    if (count == size_t(kLanes)) *reinterpret_cast<U*>(out + i) = t;
    else for (size_t l = 0; l < count; l++) out[i + l] = t[l];
  };
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) vector(i, kLanes);
  if (i < n) vector(i, n - i);
}

template <typename... kSteps> struct Shape {};

// The shapes that run in one pass: the programs chainrule's ops and optimisers make that are chains. Any
// other chain (or non-chain) runs through the block interpreter, with the same results.
using Shapes = std::tuple<
  Shape<Step<12, 's', 'a', 'a'>, Step<8, 's', 't'>, Step<7, 'a', 't'>>,  // sgd: p − lr·fma(wd, p, g)
  Shape<Step<4, 'a'>, Step<8, 'a', 't'>>,                                 // relu's backward: g·sign(y)
  Shape<Step<8, 's', 'a'>, Step<7, 'a', 't'>>,                            // p − lr·g
  Shape<Step<8, 'a', 's'>, Step<7, 'a', 't'>>,                            // p − g·lr
  Shape<Step<8, 'a', 's'>, Step<6, 't', 'a'>>>;                           // x·a + y

template <typename T, typename... kSteps> bool matchesShape(const Chain<T>& c, Shape<kSteps...>) { return matches<T, kSteps...>(c); }

// The index in Shapes of the chain's shape (kIndex or after), or -1.
template <typename T, size_t kIndex = 0> int shapeOf(const Chain<T>& chain) {
  if constexpr (kIndex < std::tuple_size_v<Shapes>) {
    return matchesShape(chain, std::tuple_element_t<kIndex, Shapes>{}) ? int(kIndex) : shapeOf<T, kIndex + 1>(chain);
  } else {
    return -1;
  }
}

template <typename T, int kLanes, typename... kSteps> CHAIN_INLINE void runShape(const Chain<T>& c, size_t n, Shape<kSteps...>) {
  runChain<T, kLanes, kSteps...>(c, n);
}

// The chain, of shape Shapes[shape] (one of kIndex and after), over [0, n) with vectors of kLanes elements.
template <typename T, int kLanes, size_t kIndex = 0> CHAIN_INLINE void run(int shape, const Chain<T>& c, size_t n) {
  if constexpr (kIndex < std::tuple_size_v<Shapes>) {
    if (shape == int(kIndex)) return runShape<T, kLanes>(c, n, std::tuple_element_t<kIndex, Shapes>{});
    run<T, kLanes, kIndex + 1>(shape, c, n);
  }
}

}  // namespace chain
}  // namespace chainrule
