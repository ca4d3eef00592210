// The Node-API bindings: each export checks its arguments (types, one dtype, every size against the
// arrays' lengths) before a kernel touches memory, then runs it on the arrays' own memory, no copies.
// A bad argument is a thrown TypeError or RangeError naming the kernel and the sizes. Large calls are
// split across pool.h's threads (after every check, on raw pointers) in chunks whose results do not
// depend on the split: see "Threads" below.
#include <napi.h>
#include <string>
#include <vector>
#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace {

using chainrule::Program;

// The best code path this CPU runs: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable.
int detectLevel() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
  return 0;
}

// Asked once: gemm and the exps check their level against it on every call.
int supportedLevel() {
  static const int level = detectLevel();
  return level;
}

// A call's arguments, read once into a stack array. Napi::CallbackInfo reads them twice and allocates on the
// heap for calls of more than 6 (gemm, binary, fused): ~0.05 us of a 0.25 us call.
class Args {
 public:
  Args(napi_env env, napi_callback_info cb) : env_(env) {
    if (napi_get_cb_info(env, cb, &argc_, argv_, nullptr, nullptr) != napi_ok) argc_ = 0;
    if (argc_ > kStack) {  // only fusedFlat of many arrays: read them all
      more_.resize(argc_);
      if (napi_get_cb_info(env, cb, &argc_, more_.data(), nullptr, nullptr) != napi_ok) argc_ = 0;
    }
  }
  Napi::Env Env() const { return Napi::Env(env_); }
  size_t Length() const { return argc_; }
  // Past the arguments given: undefined, as CallbackInfo does.
  Napi::Value operator[](size_t i) const {
    return i < argc_ ? Napi::Value(env_, argc_ > kStack ? more_[i] : argv_[i]) : Env().Undefined();
  }

 private:
  static constexpr size_t kStack = 16;
  napi_env env_;
  size_t argc_ = kStack;
  napi_value argv_[kStack];
  std::vector<napi_value> more_;
};

// An export as a plain Node-API callback over Args (a null result is undefined; a thrown error stays pending).
template <Napi::Value (*F)(const Args&)> napi_value call(napi_env env, napi_callback_info cb) {
  return F(Args(env, cb));
}

// A typed array's dtype, length and data; dtype 0 = float32, 1 = float64, 2 = int32, -1 = anything else.
struct Arr {
  int dtype = -1;
  size_t length = 0;
  void* data = nullptr;
};

bool fail(Napi::Env env, const std::string& kernel, const std::string& why) {
  Napi::RangeError::New(env, "chainrule native " + kernel + ": " + why).ThrowAsJavaScriptException();
  return false;
}

bool arrayArg(const Args& info, size_t i, const char* kernel, Arr& out) {
  napi_env env = info.Env();
  napi_typedarray_type type;
  // One call: napi_get_typedarray_info fails on anything but a typed array.
  if (i >= info.Length() || napi_get_typedarray_info(env, info[i], &type, &out.length, &out.data, nullptr, nullptr) != napi_ok) {
    return fail(info.Env(), kernel, "argument " + std::to_string(i) + " is not a typed array");
  }
  out.dtype = type == napi_float32_array ? 0 : type == napi_float64_array ? 1 : type == napi_int32_array ? 2 : -1;
  return true;
}

// A float array argument of the given dtype (-1: either float dtype, which is then stored in `dtype`).
bool floatArg(const Args& info, size_t i, const char* kernel, int& dtype, Arr& out) {
  if (!arrayArg(info, i, kernel, out)) return false;
  if (out.dtype != 0 && out.dtype != 1) return fail(info.Env(), kernel, "argument " + std::to_string(i) + " is not a Float32Array or Float64Array");
  if (dtype < 0) dtype = out.dtype;
  if (out.dtype != dtype) return fail(info.Env(), kernel, "argument " + std::to_string(i) + " has another dtype than the first array");
  return true;
}

bool sizeArg(const Args& info, size_t i, const char* kernel, size_t& out) {
  // One call: napi_get_value_double fails on anything but a number.
  double v;
  if (i >= info.Length() || napi_get_value_double(info.Env(), info[i], &v) != napi_ok) return fail(info.Env(), kernel, "argument " + std::to_string(i) + " is not a number");
  if (!(v >= 0 && v <= 9007199254740991.0 && v == static_cast<double>(static_cast<size_t>(v)))) {
    return fail(info.Env(), kernel, "argument " + std::to_string(i) + " = " + std::to_string(v) + " is not a size");
  }
  out = static_cast<size_t>(v);
  return true;
}

// A flag's truth as JavaScript sees it: one call for a boolean (ToBoolean makes two and a handle).
bool truthy(const Napi::Value& v) {
  bool b;
  return napi_get_value_bool(v.Env(), v, &b) == napi_ok ? b : v.ToBoolean().Value();
}

bool fits(Napi::Env env, const char* kernel, const char* what, size_t need, size_t have) {
  if (need <= have) return true;
  return fail(env, kernel, std::string(what) + " needs " + std::to_string(need) + " elements, has " + std::to_string(have));
}

// The last index a [rows, cols] walk with these strides reads, plus one (0 when empty).
size_t extent(size_t rows, size_t rowStride, size_t cols, size_t colStride) {
  return rows == 0 || cols == 0 ? 0 : (rows - 1) * rowStride + (cols - 1) * colStride + 1;
}


// A JS array of at most `max` sizes (a shape, strides, offsets) into out; its length into count.
bool sizesArg(const Args& info, size_t i, const char* kernel, const char* what, size_t max, size_t* out, size_t& count) {
  if (i >= info.Length() || !info[i].IsArray()) return fail(info.Env(), kernel, std::string(what) + " is not an array");
  Napi::Array list = info[i].As<Napi::Array>();
  count = list.Length();
  if (count > max) return fail(info.Env(), kernel, std::string(what) + " has " + std::to_string(count) + " entries, at most " + std::to_string(max));
  for (size_t d = 0; d < count; d++) {
    Napi::Value v = list.Get(uint32_t(d));
    const double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(x >= 0 && x <= 9007199254740991.0 && x == static_cast<double>(static_cast<size_t>(x)))) {
      return fail(info.Env(), kernel, std::string(what) + "[" + std::to_string(d) + "] is not a size");
    }
    out[d] = static_cast<size_t>(x);
  }
  return true;
}

// A shape argument, and the number of elements it holds (checked against overflow).
bool shapeArg(const Args& info, size_t i, const char* kernel, const char* what, chainrule::Shape& s, size_t& n) {
  if (!sizesArg(info, i, kernel, what, chainrule::kMaxRank, s.dims, s.rank)) return false;
  n = 1;
  for (size_t d = 0; d < s.rank; d++) {
    if (__builtin_mul_overflow(n, s.dims[d], &n)) return fail(info.Env(), kernel, std::string(what) + " is too large");
  }
  return true;
}

// Strides of the shape's rank.
bool stridesArg(const Args& info, size_t i, const char* kernel, const char* what, const chainrule::Shape& s, size_t* out) {
  size_t count;
  if (!sizesArg(info, i, kernel, what, chainrule::kMaxRank, out, count)) return false;
  if (count != s.rank) return fail(info.Env(), kernel, std::string(what) + " has " + std::to_string(count) + " entries for a shape of rank " + std::to_string(s.rank));
  return true;
}

// An array read from `offset` through `strides` over a non-empty shape stays inside its `length` elements.
bool fitsStrided(Napi::Env env, const char* kernel, const char* what, size_t offset, const chainrule::Shape& s, const size_t* strides, size_t length) {
  size_t last = offset, step;
  for (size_t d = 0; d < s.rank; d++) {
    if (__builtin_mul_overflow(s.dims[d] - 1, strides[d], &step) || __builtin_add_overflow(last, step, &last)) {
      return fail(env, kernel, std::string(what) + "'s strides overflow");
    }
  }
  if (last < length) return true;
  return fail(env, kernel, std::string(what) + " is read up to element " + std::to_string(last) + ", has " + std::to_string(length));
}

bool int32Arg(const Args& info, size_t i, const char* kernel, Arr& out) {
  if (!arrayArg(info, i, kernel, out)) return false;
  if (out.dtype != 2) return fail(info.Env(), kernel, "argument " + std::to_string(i) + " is not an Int32Array");
  return true;
}

// Every index in [0, len), else the first that is not.
bool indicesIn(Napi::Env env, const char* kernel, const Arr& idx, size_t len) {
  const int32_t* p = static_cast<const int32_t*>(idx.data);
  for (size_t i = 0; i < idx.length; i++) {
    if (p[i] < 0 || size_t(p[i]) >= len) return fail(env, kernel, "index " + std::to_string(p[i]) + " at " + std::to_string(i) + " is outside [0, " + std::to_string(len) + ")");
  }
  return true;
}

// An optional code path argument (0..2, at most this CPU's; the CPU's best when absent or undefined).
bool levelArg(const Args& info, size_t i, const char* kernel, int& level) {
  level = supportedLevel();
  if (i >= info.Length() || info[i].IsUndefined()) return true;
  size_t v;
  if (!sizeArg(info, i, kernel, v)) return false;
  if (v > size_t(level)) return fail(info.Env(), kernel, "level " + std::to_string(v) + " is above this CPU's " + std::to_string(level));
  level = int(v);
  return true;
}

Napi::Value Level(const Args& info) { return Napi::Number::New(info.Env(), supportedLevel()); }

// ---- Threads ----
// Which calls are split, and how: every chunk computes whole outputs the way one call would, so the bits
// do not depend on the thread count. Elementwise ranges start at multiples of kAlign elements (a multiple
// of every vector width and of the fused kernel's block), so each element meets the same code path; the
// [outer, len, inner] reductions split by outer rows, never inside one output's sum; matmuls by rows of C.
// The gates (below them a call runs on the caller's thread alone), from a 2-core AMD EPYC VM: a matmul of
// 64×784×128 (m·n·k = 6.4M) ran 1.36× faster on two threads with the second core free; a relu or add of
// 64K elements takes ~5 µs, too little to split; an exp of 4K elements ~25 µs.
constexpr size_t kAlign = 256;
constexpr size_t kMinCheapChunk = 1 << 17;  // elements of an add, mul, relu, clip… per chunk (~10 µs)
constexpr size_t kMinCostlyChunk = 1 << 12; // elements of an exp, log, tanh, pow… per chunk (~20 µs)
constexpr double kMinGemmChunkFlops = 1 << 21;  // m·n·k per chunk of rows

bool costlyUnary(size_t op) {
  switch (op) {
    case chainrule::kExp: case chainrule::kLog: case chainrule::kLog1p: case chainrule::kSin: case chainrule::kCos:
    case chainrule::kTanh: case chainrule::kSigmoid: case chainrule::kSoftplus: return true;
    default: return false;
  }
}

// f(o0, o1) over chunks of `outer` rows, each row costing `rowCost` element-steps.
template <typename F> void splitRows(size_t outer, size_t rowCost, size_t minChunk, const F& f) {
  const size_t minRows = rowCost == 0 ? outer : (minChunk + rowCost - 1) / rowCost;
  chainrule::parallelRanges(outer, 1, minRows < 1 ? 1 : minRows, f);
}

// threads(n?) → the threads parallel kernels use, the caller's included (after setting it to n, if given).
Napi::Value Threads(const Args& info) {
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    size_t n;
    if (!sizeArg(info, 0, "threads", n)) return Napi::Value();
    if (n < 1 || n > size_t(chainrule::kMaxThreads)) return fail(info.Env(), "threads", std::to_string(n) + " is not in 1.." + std::to_string(chainrule::kMaxThreads)), Napi::Value();
    chainrule::setPoolThreads(int(n));
  }
  return Napi::Number::New(info.Env(), chainrule::poolThreads());
}

// parallelCalls() → how many calls have been split across threads since the addon loaded (tests use it).
Napi::Value ParallelCalls(const Args& info) { return Napi::Number::New(info.Env(), chainrule::poolJobs()); }

// unary(op, x, out, alpha)
Napi::Value Unary(const Args& info) {
  const char* k = "unary";
  int dt = -1; Arr x, out; size_t op;
  if (!sizeArg(info, 0, k, op) || !floatArg(info, 1, k, dt, x) || !floatArg(info, 2, k, dt, out)) return Napi::Value();
  if (op >= chainrule::kUnaryCount) return fail(info.Env(), k, "unknown op " + std::to_string(op)), Napi::Value();
  if (x.length != out.length) return fail(info.Env(), k, "x has " + std::to_string(x.length) + " elements, out " + std::to_string(out.length)), Napi::Value();
  const double alpha = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : 0;
  chainrule::parallelRanges(x.length, kAlign, costlyUnary(op) ? kMinCostlyChunk : kMinCheapChunk, [&](size_t i0, size_t i1) {
    if (dt == 0) chainrule::unary(int(op), static_cast<float*>(x.data) + i0, static_cast<float*>(out.data) + i0, i1 - i0, alpha);
    else chainrule::unary(int(op), static_cast<double*>(x.data) + i0, static_cast<double*>(out.data) + i0, i1 - i0, alpha);
  });
  return Napi::Value();
}

// binary(op, a, aRow, aInner, b, bRow, bInner, out, outer, inner)
Napi::Value Binary(const Args& info) {
  const char* k = "binary";
  int dt = -1; Arr a, b, out; size_t op, aRow, aInner, bRow, bInner, outer, inner;
  if (!sizeArg(info, 0, k, op) || !floatArg(info, 1, k, dt, a) || !sizeArg(info, 2, k, aRow) || !sizeArg(info, 3, k, aInner) ||
      !floatArg(info, 4, k, dt, b) || !sizeArg(info, 5, k, bRow) || !sizeArg(info, 6, k, bInner) || !floatArg(info, 7, k, dt, out) ||
      !sizeArg(info, 8, k, outer) || !sizeArg(info, 9, k, inner)) return Napi::Value();
  Napi::Env env = info.Env();
  if (op >= chainrule::kBinaryCount) return fail(env, k, "unknown op " + std::to_string(op)), Napi::Value();
  if (outer * inner != out.length) return fail(env, k, "outer·inner = " + std::to_string(outer * inner) + " but out has " + std::to_string(out.length)), Napi::Value();
  if (!fits(env, k, "a", extent(outer, aRow, inner, aInner), a.length) || !fits(env, k, "b", extent(outer, bRow, inner, bInner), b.length)) return Napi::Value();
  // Rows of out [o0, o1), columns [i0, i1) (a column range only when there is one row).
  auto run = [&](size_t o0, size_t o1, size_t i0, size_t i1) {
    const size_t ao = o0 * aRow + i0 * aInner, bo = o0 * bRow + i0 * bInner, oo = o0 * inner + i0;
    if (dt == 0) chainrule::binary(int(op), static_cast<float*>(a.data) + ao, aRow, aInner, static_cast<float*>(b.data) + bo, bRow, bInner, static_cast<float*>(out.data) + oo, o1 - o0, i1 - i0);
    else chainrule::binary(int(op), static_cast<double*>(a.data) + ao, aRow, aInner, static_cast<double*>(b.data) + bo, bRow, bInner, static_cast<double*>(out.data) + oo, o1 - o0, i1 - i0);
  };
  const size_t minChunk = op == chainrule::kPow ? kMinCostlyChunk : kMinCheapChunk;
  if (outer == 1) chainrule::parallelRanges(inner, kAlign, minChunk, [&](size_t i0, size_t i1) { run(0, 1, i0, i1); });
  else splitRows(outer, inner, minChunk, [&](size_t o0, size_t o1) { run(o0, o1, 0, inner); });
  return Napi::Value();
}

// The [outer, len, inner] kernels: sum3(x, outer, len, inner, out), logsumexp(same, level?), softmax(same, log, level?).
enum class Rows { kSum, kLogsumexp, kSoftmax };
template <Rows kind> Napi::Value RowKernel(const Args& info) {
  const char* k = kind == Rows::kSum ? "sum3" : kind == Rows::kLogsumexp ? "logsumexp" : "softmax";
  int dt = -1; Arr x, out; size_t outer, len, inner;
  if (!floatArg(info, 0, k, dt, x) || !sizeArg(info, 1, k, outer) || !sizeArg(info, 2, k, len) || !sizeArg(info, 3, k, inner) ||
      !floatArg(info, 4, k, dt, out)) return Napi::Value();
  Napi::Env env = info.Env();
  const size_t n = outer * len * inner;
  if (n != x.length) return fail(env, k, "outer·len·inner = " + std::to_string(n) + " but x has " + std::to_string(x.length)), Napi::Value();
  const size_t need = kind == Rows::kSoftmax ? n : outer * inner;
  if (need != out.length) return fail(env, k, "out needs " + std::to_string(need) + " elements, has " + std::to_string(out.length)), Napi::Value();
  const bool log = kind == Rows::kSoftmax && info.Length() > 5 && truthy(info[5]);
  int level;
  if (kind != Rows::kSum && !levelArg(info, kind == Rows::kSoftmax ? 6 : 5, k, level)) return Napi::Value();
  // By outer rows: each output's sum stays in one chunk, in its order.
  const size_t outRow = kind == Rows::kSoftmax ? len * inner : inner;
  splitRows(outer, len * inner, kind == Rows::kSum ? kMinCheapChunk : kMinCostlyChunk, [&](size_t o0, size_t o1) {
    if (dt == 0) {
      auto px = static_cast<const float*>(x.data) + o0 * len * inner; auto po = static_cast<float*>(out.data) + o0 * outRow;
      if (kind == Rows::kSum) chainrule::sum3(px, o1 - o0, len, inner, po);
      else if (kind == Rows::kLogsumexp) chainrule::logsumexp(level, px, o1 - o0, len, inner, po);
      else chainrule::softmax(level, px, o1 - o0, len, inner, po, log);
    } else {
      auto px = static_cast<const double*>(x.data) + o0 * len * inner; auto po = static_cast<double*>(out.data) + o0 * outRow;
      if (kind == Rows::kSum) chainrule::sum3(px, o1 - o0, len, inner, po);
      else if (kind == Rows::kLogsumexp) chainrule::logsumexp(level, px, o1 - o0, len, inner, po);
      else chainrule::softmax(level, px, o1 - o0, len, inner, po, log);
    }
  });
  return Napi::Value();
}

// sumSquares(x) → number
Napi::Value SumSquares(const Args& info) {
  int dt = -1; Arr x;
  if (!floatArg(info, 0, "sumSquares", dt, x)) return Napi::Value();
  const double s = dt == 0 ? chainrule::sumSquares(static_cast<float*>(x.data), x.length) : chainrule::sumSquares(static_cast<double*>(x.data), x.length);
  return Napi::Number::New(info.Env(), s);
}

// fused(code, inputs, scalars, temps, outputs, inputArrays, scalarValues, outputArrays) and
// fusedFlat(code, inputs, scalars, temps, outputs, scalarValues, ...inputArrays, ...outputArrays): one kernel.
// fusedFlat takes the arrays as arguments: reading a JS array's element costs Node-API a property lookup and
// a TryCatch (~0.1 us an array, more than the kernel on a small tensor).
template <bool flat> Napi::Value Fused(const Args& info) {
  const char* k = flat ? "fusedFlat" : "fused";
  Napi::Env env = info.Env();
  Arr code, scalarValues; size_t inputs, scalars, temps, outputs;
  if (!arrayArg(info, 0, k, code) || !sizeArg(info, 1, k, inputs) || !sizeArg(info, 2, k, scalars) || !sizeArg(info, 3, k, temps) ||
      !sizeArg(info, 4, k, outputs) || !arrayArg(info, flat ? 5 : 6, k, scalarValues)) return Napi::Value();
  if (code.dtype != 2) return fail(env, k, "code is not an Int32Array"), Napi::Value();
  if (scalarValues.dtype != 1 || scalarValues.length != scalars) return fail(env, k, "scalars is not a Float64Array of " + std::to_string(scalars)), Napi::Value();
  napi_value lists[2] = {info[5], info[7]};
  if (flat) {
    const size_t given = info.Length() < 6 ? 0 : info.Length() - 6;
    if (given != inputs + outputs) return fail(env, k, "the program takes " + std::to_string(inputs) + " inputs and " + std::to_string(outputs) + " outputs, got " + std::to_string(given) + " arrays"), Napi::Value();
  } else {
    uint32_t counts[2] = {0, 0};
    for (int l = 0; l < 2; l++) {
      bool is = false;
      if (napi_is_array(env, lists[l], &is) != napi_ok || !is) return fail(env, k, "inputs and outputs must be arrays of typed arrays"), Napi::Value();
      napi_get_array_length(env, lists[l], &counts[l]);
    }
    if (counts[0] != inputs || counts[1] != outputs) return fail(env, k, "the program takes " + std::to_string(inputs) + " inputs and " + std::to_string(outputs) + " outputs, got " + std::to_string(counts[0]) + " and " + std::to_string(counts[1])), Napi::Value();
  }
  const Program p{static_cast<const int32_t*>(code.data), code.length, int(inputs), int(scalars), int(temps), int(outputs)};
  if (const char* why = chainrule::programError(p); *why) return fail(env, k, why), Napi::Value();
  int dt = -1; size_t n = 0;
  // The arrays' data: on the stack for the usual few, else in a vector reused by this thread.
  constexpr size_t kStackArrays = 16;
  void* stackData[kStackArrays];
  thread_local std::vector<void*> heapData;
  const size_t arrays = inputs + outputs;
  if (arrays > kStackArrays) heapData.resize(arrays);
  void** data = arrays > kStackArrays ? heapData.data() : stackData;
  for (size_t i = 0; i < arrays; i++) {
    napi_value v = flat ? static_cast<napi_value>(info[6 + i]) : nullptr;
    napi_typedarray_type type; size_t length;
    // napi_get_typedarray_info fails on anything but a typed array.
    if ((!flat && napi_get_element(env, lists[i < inputs ? 0 : 1], uint32_t(i < inputs ? i : i - inputs), &v) != napi_ok) ||
        napi_get_typedarray_info(env, v, &type, &length, &data[i], nullptr, nullptr) != napi_ok) {
      return fail(env, k, "array " + std::to_string(i) + " is not a typed array"), Napi::Value();
    }
    const int d = type == napi_float32_array ? 0 : type == napi_float64_array ? 1 : -1;
    if (d < 0 || (dt >= 0 && d != dt)) return fail(env, k, "array " + std::to_string(i) + " is not of the first array's float dtype"), Napi::Value();
    if (i > 0 && length != n) return fail(env, k, "array " + std::to_string(i) + " has " + std::to_string(length) + " elements, the first " + std::to_string(n)), Napi::Value();
    dt = d; n = length;
  }
  const double* sc = static_cast<const double*>(scalarValues.data);
  if (dt < 0) return Napi::Value();
  const size_t elem = dt == 0 ? sizeof(float) : sizeof(double);
  // Each instruction is about one cheap elementwise op per element; chunks start at multiples of the kernel's block.
  const size_t steps = code.length / 5 < 1 ? 1 : code.length / 5;
  auto run = [&](char* const* arrays, size_t count) {
    if (dt == 0) chainrule::fused(p, reinterpret_cast<const float* const*>(arrays), sc, reinterpret_cast<float* const*>(arrays + inputs), count);
    else chainrule::fused(p, reinterpret_cast<const double* const*>(arrays), sc, reinterpret_cast<double* const*>(arrays + inputs), count);
  };
  chainrule::parallelRanges(n, kAlign, kMinCheapChunk / steps < kAlign ? kAlign : kMinCheapChunk / steps, [&](size_t i0, size_t i1) {
    if (i0 == 0) return run(reinterpret_cast<char* const*>(data), i1);
    // A later chunk: the arrays advanced to i0 (one vector per worker thread, reused).
    thread_local std::vector<char*> moved;
    moved.resize(arrays);
    for (size_t i = 0; i < arrays; i++) moved[i] = static_cast<char*>(data[i]) + i0 * elem;
    run(moved.data(), i1 - i0);
  });
  return Napi::Value();
}

// gemm(level, m, n, k, a, transA, b, transB, bias | null, c): c = op(a)·op(b) (+ bias)
Napi::Value Gemm(const Args& info) {
  const char* kn = "gemm";
  Napi::Env env = info.Env();
  int dt = -1; Arr a, b, bias, c; size_t level, m, n, k;
  if (!sizeArg(info, 0, kn, level) || !sizeArg(info, 1, kn, m) || !sizeArg(info, 2, kn, n) || !sizeArg(info, 3, kn, k) ||
      !floatArg(info, 4, kn, dt, a) || !floatArg(info, 6, kn, dt, b) || !floatArg(info, 9, kn, dt, c)) return Napi::Value();
  const bool hasBias = info.Length() > 8 && !info[8].IsNull() && !info[8].IsUndefined();
  if (hasBias && !floatArg(info, 8, kn, dt, bias)) return Napi::Value();
  if (level > size_t(supportedLevel())) return fail(env, kn, "level " + std::to_string(level) + " is above this CPU's " + std::to_string(supportedLevel())), Napi::Value();
  if (m > 0x7fffffff || n > 0x7fffffff || k > 0x7fffffff) return fail(env, kn, "a dimension is over 2^31"), Napi::Value();
  if (a.length != m * k || b.length != k * n || c.length != m * n || (hasBias && bias.length != n)) {
    return fail(env, kn, "for m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) + " the arrays have " +
      std::to_string(a.length) + ", " + std::to_string(b.length) + ", " + std::to_string(c.length) + " elements (bias " +
      std::to_string(hasBias ? bias.length : 0) + ")"), Napi::Value();
  }
  const bool tA = truthy(info[5]), tB = truthy(info[7]);
  // By rows of C; each chunk packs B for itself. Tall chunks are multiples of the micro-kernel's height
  // at this level (gemm.cc's MR) so that only the last has a short panel; short ones split evenly instead.
  const size_t mr = level == 2 ? 14 : level == 1 ? 6 : 4;
  const double rowFlops = double(n) * double(k);
  const size_t minRows = rowFlops <= 0 ? m : size_t(kMinGemmChunkFlops / rowFlops) + 1;
  const size_t align = m >= 4 * mr * size_t(chainrule::poolThreads()) ? mr : 1;
  chainrule::parallelRanges(m, align, minRows, [&](size_t r0, size_t r1) {
    if (dt == 0) chainrule::sgemmRows(int(level), int(m), int(n), int(k), static_cast<float*>(a.data), tA, static_cast<float*>(b.data), tB,
                                      hasBias ? static_cast<float*>(bias.data) : nullptr, static_cast<float*>(c.data), int(r0), int(r1));
    else chainrule::dgemmRows(int(level), int(m), int(n), int(k), static_cast<double*>(a.data), tA, static_cast<double*>(b.data), tB,
                              hasBias ? static_cast<double*>(bias.data) : nullptr, static_cast<double*>(c.data), int(r0), int(r1));
  }, 2);
  return Napi::Value();
}

// copyStrided(x, offset, strides, outShape, out)
Napi::Value CopyStrided(const Args& info) {
  const char* k = "copyStrided";
  Napi::Env env = info.Env();
  int dt = -1; Arr x, out; size_t offset, n, strides[chainrule::kMaxRank]; chainrule::Shape s;
  if (!floatArg(info, 0, k, dt, x) || !sizeArg(info, 1, k, offset) || !shapeArg(info, 3, k, "outShape", s, n) ||
      !stridesArg(info, 2, k, "strides", s, strides) || !floatArg(info, 4, k, dt, out)) return Napi::Value();
  if (n != out.length) return fail(env, k, "outShape holds " + std::to_string(n) + " elements, out has " + std::to_string(out.length)), Napi::Value();
  if (n == 0) return Napi::Value();
  if (!fitsStrided(env, k, "x", offset, s, strides, x.length)) return Napi::Value();
  if (dt == 0) chainrule::copyStrided(static_cast<const float*>(x.data) + offset, strides, s, static_cast<float*>(out.data));
  else chainrule::copyStrided(static_cast<const double*>(x.data) + offset, strides, s, static_cast<double*>(out.data));
  return Napi::Value();
}

// select(cond, cStrides, a, aStrides, b, bStrides, outShape, out): cond of either float dtype.
Napi::Value Select(const Args& info) {
  const char* k = "select";
  Napi::Env env = info.Env();
  int dt = -1, ct = -1; Arr c, a, b, out; size_t n, cS[chainrule::kMaxRank], aS[chainrule::kMaxRank], bS[chainrule::kMaxRank]; chainrule::Shape s;
  if (!floatArg(info, 0, k, ct, c) || !floatArg(info, 2, k, dt, a) || !floatArg(info, 4, k, dt, b) || !shapeArg(info, 6, k, "outShape", s, n) ||
      !floatArg(info, 7, k, dt, out) || !stridesArg(info, 1, k, "cStrides", s, cS) || !stridesArg(info, 3, k, "aStrides", s, aS) ||
      !stridesArg(info, 5, k, "bStrides", s, bS)) return Napi::Value();
  if (n != out.length) return fail(env, k, "outShape holds " + std::to_string(n) + " elements, out has " + std::to_string(out.length)), Napi::Value();
  if (n == 0) return Napi::Value();
  if (!fitsStrided(env, k, "cond", 0, s, cS, c.length) || !fitsStrided(env, k, "a", 0, s, aS, a.length) || !fitsStrided(env, k, "b", 0, s, bS, b.length)) return Napi::Value();
  if (dt == 0 && ct == 0) chainrule::select(static_cast<const float*>(c.data), cS, static_cast<const float*>(a.data), aS, static_cast<const float*>(b.data), bS, s, static_cast<float*>(out.data));
  else if (dt == 0) chainrule::select(static_cast<const double*>(c.data), cS, static_cast<const float*>(a.data), aS, static_cast<const float*>(b.data), bS, s, static_cast<float*>(out.data));
  else if (ct == 0) chainrule::select(static_cast<const float*>(c.data), cS, static_cast<const double*>(a.data), aS, static_cast<const double*>(b.data), bS, s, static_cast<double*>(out.data));
  else chainrule::select(static_cast<const double*>(c.data), cS, static_cast<const double*>(a.data), aS, static_cast<const double*>(b.data), bS, s, static_cast<double*>(out.data));
  return Napi::Value();
}

// binaryNd(op, a, aStrides, b, bStrides, outShape, out)
Napi::Value BinaryNd(const Args& info) {
  const char* k = "binaryNd";
  Napi::Env env = info.Env();
  int dt = -1; Arr a, b, out; size_t op, n, aS[chainrule::kMaxRank], bS[chainrule::kMaxRank]; chainrule::Shape s;
  if (!sizeArg(info, 0, k, op) || !floatArg(info, 1, k, dt, a) || !floatArg(info, 3, k, dt, b) || !shapeArg(info, 5, k, "outShape", s, n) ||
      !floatArg(info, 6, k, dt, out) || !stridesArg(info, 2, k, "aStrides", s, aS) || !stridesArg(info, 4, k, "bStrides", s, bS)) return Napi::Value();
  if (op >= chainrule::kBinaryCount) return fail(env, k, "unknown op " + std::to_string(op)), Napi::Value();
  if (n != out.length) return fail(env, k, "outShape holds " + std::to_string(n) + " elements, out has " + std::to_string(out.length)), Napi::Value();
  if (n == 0) return Napi::Value();
  if (!fitsStrided(env, k, "a", 0, s, aS, a.length) || !fitsStrided(env, k, "b", 0, s, bS, b.length)) return Napi::Value();
  if (dt == 0) chainrule::binaryNd(int(op), static_cast<const float*>(a.data), aS, static_cast<const float*>(b.data), bS, s, static_cast<float*>(out.data));
  else chainrule::binaryNd(int(op), static_cast<const double*>(a.data), aS, static_cast<const double*>(b.data), bS, s, static_cast<double*>(out.data));
  return Napi::Value();
}

// pad(x, shape, before, outShape, out)
Napi::Value Pad(const Args& info) {
  const char* k = "pad";
  Napi::Env env = info.Env();
  int dt = -1; Arr x, out; size_t n, outN, before[chainrule::kMaxRank]; chainrule::Shape s, os;
  if (!floatArg(info, 0, k, dt, x) || !shapeArg(info, 1, k, "shape", s, n) || !shapeArg(info, 3, k, "outShape", os, outN) ||
      !stridesArg(info, 2, k, "before", s, before) || !floatArg(info, 4, k, dt, out)) return Napi::Value();
  if (n != x.length || outN != out.length) return fail(env, k, "shape holds " + std::to_string(n) + " and outShape " + std::to_string(outN) + " elements, x has " + std::to_string(x.length) + " and out " + std::to_string(out.length)), Napi::Value();
  if (os.rank != s.rank) return fail(env, k, "shape has rank " + std::to_string(s.rank) + ", outShape " + std::to_string(os.rank)), Napi::Value();
  for (size_t d = 0; d < s.rank; d++) {
    if (before[d] > os.dims[d] || s.dims[d] > os.dims[d] - before[d]) return fail(env, k, "dim " + std::to_string(d) + ": " + std::to_string(s.dims[d]) + " after " + std::to_string(before[d]) + " does not fit in " + std::to_string(os.dims[d])), Napi::Value();
  }
  if (dt == 0) chainrule::pad(static_cast<const float*>(x.data), s, before, os, static_cast<float*>(out.data));
  else chainrule::pad(static_cast<const double*>(x.data), s, before, os, static_cast<double*>(out.data));
  return Napi::Value();
}

// gather(x, outer, len, inner, indices, out) and scatterAdd(g, outer, len, inner, indices, out)
template <bool scatter> Napi::Value GatherScatter(const Args& info) {
  const char* k = scatter ? "scatterAdd" : "gather";
  Napi::Env env = info.Env();
  int dt = -1; Arr x, idx, out; size_t outer, len, inner;
  if (!floatArg(info, 0, k, dt, x) || !sizeArg(info, 1, k, outer) || !sizeArg(info, 2, k, len) || !sizeArg(info, 3, k, inner) ||
      !int32Arg(info, 4, k, idx) || !floatArg(info, 5, k, dt, out)) return Napi::Value();
  size_t rowsN, full;
  if (__builtin_mul_overflow(outer, inner, &rowsN) || __builtin_mul_overflow(rowsN, len, &full)) return fail(env, k, "outer·len·inner overflows"), Napi::Value();
  const size_t m = rowsN == 0 ? 0 : idx.length / rowsN;
  const Arr& wide = scatter ? out : x;   // [outer, len, inner]
  const Arr& narrow = scatter ? x : out; // [outer, m, inner], like the indices
  if ((rowsN == 0 ? idx.length != 0 : idx.length % rowsN != 0) || narrow.length != idx.length || wide.length != full) {
    return fail(env, k, "for outer=" + std::to_string(outer) + " len=" + std::to_string(len) + " inner=" + std::to_string(inner) + " the arrays have " +
      std::to_string(x.length) + ", " + std::to_string(idx.length) + " (indices), " + std::to_string(out.length) + " elements"), Napi::Value();
  }
  if (!indicesIn(env, k, idx, len)) return Napi::Value();
  const int32_t* pi = static_cast<const int32_t*>(idx.data);
  if (dt == 0) (scatter ? chainrule::scatterAdd<float> : chainrule::gather<float>)(static_cast<const float*>(x.data), outer, len, inner, pi, m, static_cast<float*>(out.data));
  else (scatter ? chainrule::scatterAdd<double> : chainrule::gather<double>)(static_cast<const double*>(x.data), outer, len, inner, pi, m, static_cast<double*>(out.data));
  return Napi::Value();
}

// takeRows(x, rowLength, rows, out)
Napi::Value TakeRows(const Args& info) {
  const char* k = "takeRows";
  Napi::Env env = info.Env();
  int dt = -1; Arr x, rows, out; size_t rowLength, need;
  if (!floatArg(info, 0, k, dt, x) || !sizeArg(info, 1, k, rowLength) || !int32Arg(info, 2, k, rows) || !floatArg(info, 3, k, dt, out)) return Napi::Value();
  if (__builtin_mul_overflow(rows.length, rowLength, &need) || out.length != need || (rowLength == 0 ? x.length != 0 : x.length % rowLength != 0)) {
    return fail(env, k, "for rowLength=" + std::to_string(rowLength) + " the arrays have " + std::to_string(x.length) + ", " +
      std::to_string(rows.length) + " (rows), " + std::to_string(out.length) + " elements"), Napi::Value();
  }
  if (rowLength == 0) return Napi::Value();  // nothing to copy (and x's row count is unknown)
  if (!indicesIn(env, k, rows, x.length / rowLength)) return Napi::Value();
  const int32_t* pr = static_cast<const int32_t*>(rows.data);
  if (dt == 0) chainrule::takeRows(static_cast<const float*>(x.data), rowLength, pr, rows.length, static_cast<float*>(out.data));
  else chainrule::takeRows(static_cast<const double*>(x.data), rowLength, pr, rows.length, static_cast<double*>(out.data));
  return Napi::Value();
}

// concat(parts, blocks, outer, out)
Napi::Value Concat(const Args& info) {
  const char* k = "concat";
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsArray()) return fail(env, k, "parts is not an array"), Napi::Value();
  Napi::Array list = info[0].As<Napi::Array>();
  const size_t count = list.Length();
  thread_local std::vector<size_t> blocks;
  thread_local std::vector<const void*> parts;
  blocks.resize(count); parts.resize(count);
  int dt = -1; Arr out; size_t outer, blockCount;
  if (!sizesArg(info, 1, k, "blocks", count, blocks.data(), blockCount) || !sizeArg(info, 2, k, outer) || !floatArg(info, 3, k, dt, out)) return Napi::Value();
  if (blockCount != count) return fail(env, k, std::to_string(count) + " parts but " + std::to_string(blockCount) + " blocks"), Napi::Value();
  size_t row = 0, part;
  for (size_t p = 0; p < count; p++) {
    napi_value v = list.Get(uint32_t(p));
    bool is = false; napi_typedarray_type type; size_t length; void* data;
    if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return fail(env, k, "part " + std::to_string(p) + " is not a typed array"), Napi::Value();
    napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr);
    if (type != (dt == 0 ? napi_float32_array : napi_float64_array)) return fail(env, k, "part " + std::to_string(p) + " is not of out's dtype"), Napi::Value();
    if (__builtin_mul_overflow(outer, blocks[p], &part) || part != length) return fail(env, k, "part " + std::to_string(p) + " has " + std::to_string(length) + " elements, outer·block = " + std::to_string(outer) + "·" + std::to_string(blocks[p])), Napi::Value();
    if (__builtin_add_overflow(row, blocks[p], &row)) return fail(env, k, "the blocks overflow"), Napi::Value();
    parts[p] = data;
  }
  size_t total;
  if (__builtin_mul_overflow(outer, row, &total) || total != out.length) return fail(env, k, "out has " + std::to_string(out.length) + " elements, outer·Σblocks = " + std::to_string(outer) + "·" + std::to_string(row)), Napi::Value();
  if (dt == 0) chainrule::concat(reinterpret_cast<const float* const*>(parts.data()), blocks.data(), count, outer, static_cast<float*>(out.data));
  else chainrule::concat(reinterpret_cast<const double* const*>(parts.data()), blocks.data(), count, outer, static_cast<double*>(out.data));
  return Napi::Value();
}

// clip(x, lo, hi, out)
Napi::Value Clip(const Args& info) {
  const char* k = "clip";
  int dt = -1; Arr x, out;
  if (!floatArg(info, 0, k, dt, x) || !floatArg(info, 3, k, dt, out)) return Napi::Value();
  if (!info[1].IsNumber() || !info[2].IsNumber()) return fail(info.Env(), k, "lo and hi must be numbers"), Napi::Value();
  if (x.length != out.length) return fail(info.Env(), k, "x has " + std::to_string(x.length) + " elements, out " + std::to_string(out.length)), Napi::Value();
  const double lo = info[1].As<Napi::Number>().DoubleValue(), hi = info[2].As<Napi::Number>().DoubleValue();
  chainrule::parallelRanges(x.length, kAlign, kMinCheapChunk, [&](size_t i0, size_t i1) {
    if (dt == 0) chainrule::clip(static_cast<const float*>(x.data) + i0, lo, hi, static_cast<float*>(out.data) + i0, i1 - i0);
    else chainrule::clip(static_cast<const double*>(x.data) + i0, lo, hi, static_cast<double*>(out.data) + i0, i1 - i0);
  });
  return Napi::Value();
}

// extreme3(max, x, outer, len, inner, out)
Napi::Value Extreme3(const Args& info) {
  const char* k = "extreme3";
  int dt = -1; Arr x, out; size_t outer, len, inner;
  if (!floatArg(info, 1, k, dt, x) || !sizeArg(info, 2, k, outer) || !sizeArg(info, 3, k, len) || !sizeArg(info, 4, k, inner) ||
      !floatArg(info, 5, k, dt, out)) return Napi::Value();
  size_t kept, n;
  if (__builtin_mul_overflow(outer, inner, &kept) || __builtin_mul_overflow(kept, len, &n) || n != x.length || kept != out.length) {
    return fail(info.Env(), k, "for outer=" + std::to_string(outer) + " len=" + std::to_string(len) + " inner=" + std::to_string(inner) + " x has " + std::to_string(x.length) + " and out " + std::to_string(out.length) + " elements"), Napi::Value();
  }
  const bool max = truthy(info[0]);
  splitRows(outer, len * inner, kMinCheapChunk, [&](size_t o0, size_t o1) {
    if (dt == 0) chainrule::extreme3(max, static_cast<const float*>(x.data) + o0 * len * inner, o1 - o0, len, inner, static_cast<float*>(out.data) + o0 * inner);
    else chainrule::extreme3(max, static_cast<const double*>(x.data) + o0 * len * inner, o1 - o0, len, inner, static_cast<double*>(out.data) + o0 * inner);
  });
  return Napi::Value();
}

// reduceNd(op, x, shape, outStrides, out): op 0 sum, 1 max, 2 min.
Napi::Value ReduceNd(const Args& info) {
  const char* k = "reduceNd";
  Napi::Env env = info.Env();
  int dt = -1; Arr x, out; size_t op, n, oS[chainrule::kMaxRank]; chainrule::Shape s;
  if (!sizeArg(info, 0, k, op) || !floatArg(info, 1, k, dt, x) || !shapeArg(info, 2, k, "shape", s, n) ||
      !stridesArg(info, 3, k, "outStrides", s, oS) || !floatArg(info, 4, k, dt, out)) return Napi::Value();
  if (op > 2) return fail(env, k, "unknown op " + std::to_string(op)), Napi::Value();
  if (n != x.length) return fail(env, k, "shape holds " + std::to_string(n) + " elements, x has " + std::to_string(x.length)), Napi::Value();
  if (n > 0 && !fitsStrided(env, k, "out", 0, s, oS, out.length)) return Napi::Value();
  if (dt == 0) chainrule::reduceStrided(int(op), static_cast<const float*>(x.data), s, oS, static_cast<float*>(out.data), out.length);
  else chainrule::reduceStrided(int(op), static_cast<const double*>(x.data), s, oS, static_cast<double*>(out.data), out.length);
  return Napi::Value();
}

// The [rows, len] and labels checks both cross-entropy kernels share.
bool crossEntropyArgs(Napi::Env env, const char* k, size_t rows, size_t len, const Arr& in, const Arr& labels, const Arr& out) {
  size_t n;
  if (__builtin_mul_overflow(rows, len, &n) || in.length != n || out.length != n || labels.length != rows) {
    return fail(env, k, "for rows=" + std::to_string(rows) + " len=" + std::to_string(len) + " the arrays have " + std::to_string(in.length) + ", " +
      std::to_string(labels.length) + " (labels), " + std::to_string(out.length) + " elements");
  }
  return indicesIn(env, k, labels, len);
}

// crossEntropy(x, rows, len, labels, probs, level?) → the mean loss
Napi::Value CrossEntropy(const Args& info) {
  const char* k = "crossEntropy";
  int dt = -1; Arr x, labels, probs; size_t rows, len;
  if (!floatArg(info, 0, k, dt, x) || !sizeArg(info, 1, k, rows) || !sizeArg(info, 2, k, len) || !int32Arg(info, 3, k, labels) ||
      !floatArg(info, 4, k, dt, probs) || !crossEntropyArgs(info.Env(), k, rows, len, x, labels, probs)) return Napi::Value();
  int level;
  if (!levelArg(info, 5, k, level)) return Napi::Value();
  const int32_t* pl = static_cast<const int32_t*>(labels.data);
  const double loss = dt == 0 ? chainrule::crossEntropy(level, static_cast<const float*>(x.data), rows, len, pl, static_cast<float*>(probs.data))
                              : chainrule::crossEntropy(level, static_cast<const double*>(x.data), rows, len, pl, static_cast<double*>(probs.data));
  return Napi::Number::New(info.Env(), loss);
}

// crossEntropyGrad(probs, rows, len, labels, scale, out)
Napi::Value CrossEntropyGrad(const Args& info) {
  const char* k = "crossEntropyGrad";
  int dt = -1; Arr probs, labels, out; size_t rows, len;
  if (!floatArg(info, 0, k, dt, probs) || !sizeArg(info, 1, k, rows) || !sizeArg(info, 2, k, len) || !int32Arg(info, 3, k, labels) ||
      !floatArg(info, 5, k, dt, out)) return Napi::Value();
  if (!info[4].IsNumber()) return fail(info.Env(), k, "scale is not a number"), Napi::Value();
  if (!crossEntropyArgs(info.Env(), k, rows, len, probs, labels, out)) return Napi::Value();
  const double scale = info[4].As<Napi::Number>().DoubleValue();
  const int32_t* pl = static_cast<const int32_t*>(labels.data);
  if (dt == 0) chainrule::crossEntropyGrad(static_cast<const float*>(probs.data), rows, len, pl, scale, static_cast<float*>(out.data));
  else chainrule::crossEntropyGrad(static_cast<const double*>(probs.data), rows, len, pl, scale, static_cast<double*>(out.data));
  return Napi::Value();
}

// ---- Window kernels ----
// The window comes as an array of its 14 sizes in core's Window2d order (batch, channels, height, width,
// kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW), each at most 2^31 - 1
// (so window.cc's int64 positions cannot overflow), kernel, stride and dilation at least 1.
// Sizes of the arrays a window kernel touches: the image, im2col's columns, the pooled planes.
struct WindowSizes {
  chainrule::Window2d w;
  size_t image, cols, pooled;
};

bool windowArg(const Args& info, size_t i, const char* kernel, WindowSizes& out) {
  size_t v[14], count;
  if (!sizesArg(info, i, kernel, "window", 14, v, count)) return false;
  if (count != 14) return fail(info.Env(), kernel, "window has " + std::to_string(count) + " sizes, needs 14");
  static const char* names[14] = {"batch", "channels", "height", "width", "kernelH", "kernelW", "strideH", "strideW",
                                  "padH", "padW", "dilationH", "dilationW", "outH", "outW"};
  for (size_t d = 0; d < 14; d++) {
    if (v[d] > 0x7fffffff) return fail(info.Env(), kernel, std::string("window.") + names[d] + " = " + std::to_string(v[d]) + " is over 2^31 - 1");
    const bool atLeastOne = (d >= 4 && d <= 7) || d == 10 || d == 11;
    if (atLeastOne && v[d] < 1) return fail(info.Env(), kernel, std::string("window.") + names[d] + " must be at least 1, got 0");
  }
  out.w = {int64_t(v[0]), int64_t(v[1]), int64_t(v[2]), int64_t(v[3]), int64_t(v[4]), int64_t(v[5]), int64_t(v[6]),
           int64_t(v[7]), int64_t(v[8]), int64_t(v[9]), int64_t(v[10]), int64_t(v[11]), int64_t(v[12]), int64_t(v[13])};
  size_t planes, windows, batchWindows, taps, rows;
  if (__builtin_mul_overflow(v[0], v[1], &planes) || __builtin_mul_overflow(v[2], v[3], &out.image) ||
      __builtin_mul_overflow(planes, out.image, &out.image) || __builtin_mul_overflow(v[12], v[13], &windows) ||
      __builtin_mul_overflow(planes, windows, &out.pooled) || __builtin_mul_overflow(v[0], windows, &batchWindows) ||
      __builtin_mul_overflow(v[4], v[5], &taps) || __builtin_mul_overflow(v[1], taps, &rows) ||
      __builtin_mul_overflow(rows, batchWindows, &out.cols) || __builtin_mul_overflow(out.pooled, taps, &taps)) {
    return fail(info.Env(), kernel, "the window's sizes overflow");
  }
  return true;
}

bool sizeIs(Napi::Env env, const char* kernel, const char* what, size_t length, size_t need, const char* as) {
  if (length == need) return true;
  return fail(env, kernel, std::string(what) + " has " + std::to_string(length) + " elements, " + as + " = " + std::to_string(need));
}

// im2col(x, window, out) and col2im(cols, window, out): out is overwritten.
template <bool adjoint> Napi::Value Im2col(const Args& info) {
  const char* k = adjoint ? "col2im" : "im2col";
  Napi::Env env = info.Env();
  int dt = -1; Arr in, out; WindowSizes s;
  if (!floatArg(info, 0, k, dt, in) || !windowArg(info, 1, k, s) || !floatArg(info, 2, k, dt, out)) return Napi::Value();
  const char* image = "batch·channels·height·width";
  const char* cols = "channels·kernelH·kernelW·batch·outH·outW";
  if (!sizeIs(env, k, adjoint ? "cols" : "x", in.length, adjoint ? s.cols : s.image, adjoint ? cols : image) ||
      !sizeIs(env, k, "out", out.length, adjoint ? s.image : s.cols, adjoint ? image : cols)) return Napi::Value();
  const chainrule::Window2d& w = s.w;
  const size_t windows = size_t(w.batch * w.outH * w.outW);
  // im2col by rows (channel, ky, kx) of its columns; col2im by channels, never splitting one pixel's sum.
  const size_t units = adjoint ? size_t(w.channels) : size_t(w.channels * w.kernelH * w.kernelW);
  const size_t unitCost = adjoint ? size_t(w.kernelH * w.kernelW) * windows : windows;
  splitRows(units, unitCost, kMinCheapChunk, [&](size_t u0, size_t u1) {
    if (adjoint && dt == 0) chainrule::col2im(static_cast<const float*>(in.data), w, static_cast<float*>(out.data), u0, u1);
    else if (adjoint) chainrule::col2im(static_cast<const double*>(in.data), w, static_cast<double*>(out.data), u0, u1);
    else if (dt == 0) chainrule::im2col(static_cast<const float*>(in.data), w, static_cast<float*>(out.data), u0, u1);
    else chainrule::im2col(static_cast<const double*>(in.data), w, static_cast<double*>(out.data), u0, u1);
  });
  return Napi::Value();
}

// maxPool2d(x, window, out, argmax, level), avgPool2d(x, window, out) and avgPool2dBackward(g, window, out): split by
// image planes. maxPool2d's level (0..2, at most this CPU's) picks its vector code path, as gemm's does.
enum class Pool { kMax, kAvg, kAvgBackward };
template <Pool kind> Napi::Value Pool2d(const Args& info) {
  const char* k = kind == Pool::kMax ? "maxPool2d" : kind == Pool::kAvg ? "avgPool2d" : "avgPool2dBackward";
  Napi::Env env = info.Env();
  int dt = -1; Arr in, out, argmax; WindowSizes s;
  if (!floatArg(info, 0, k, dt, in) || !windowArg(info, 1, k, s) || !floatArg(info, 2, k, dt, out)) return Napi::Value();
  size_t level = 0;
  if (kind == Pool::kMax && (!int32Arg(info, 3, k, argmax) || !sizeArg(info, 4, k, level))) return Napi::Value();
  if (level > size_t(supportedLevel())) return fail(env, k, "level " + std::to_string(level) + " is above this CPU's " + std::to_string(supportedLevel())), Napi::Value();
  const char* image = "batch·channels·height·width";
  const char* pooled = "batch·channels·outH·outW";
  const bool back = kind == Pool::kAvgBackward;
  if (!sizeIs(env, k, back ? "g" : "x", in.length, back ? s.pooled : s.image, back ? pooled : image) ||
      !sizeIs(env, k, "out", out.length, back ? s.image : s.pooled, back ? image : pooled) ||
      (kind == Pool::kMax && !sizeIs(env, k, "argmax", argmax.length, s.pooled, pooled))) return Napi::Value();
  const chainrule::Window2d& w = s.w;
  splitRows(size_t(w.batch * w.channels), size_t(w.outH * w.outW * w.kernelH * w.kernelW), kMinCheapChunk, [&](size_t p0, size_t p1) {
    if (kind == Pool::kMax) {
      int32_t* at = static_cast<int32_t*>(argmax.data);
      if (dt == 0) chainrule::maxPool2d(int(level), static_cast<const float*>(in.data), w, static_cast<float*>(out.data), at, p0, p1);
      else chainrule::maxPool2d(int(level), static_cast<const double*>(in.data), w, static_cast<double*>(out.data), at, p0, p1);
    } else if (kind == Pool::kAvg) {
      if (dt == 0) chainrule::avgPool2d(static_cast<const float*>(in.data), w, static_cast<float*>(out.data), p0, p1);
      else chainrule::avgPool2d(static_cast<const double*>(in.data), w, static_cast<double*>(out.data), p0, p1);
    } else {
      if (dt == 0) chainrule::avgPool2dBackward(static_cast<const float*>(in.data), w, static_cast<float*>(out.data), p0, p1);
      else chainrule::avgPool2dBackward(static_cast<const double*>(in.data), w, static_cast<double*>(out.data), p0, p1);
    }
  });
  return Napi::Value();
}

template <Napi::Value (*F)(const Args&)> Napi::Value jsFunction(Napi::Env env, const char* name) {
  napi_value f = nullptr;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, call<F>, nullptr, &f);
  return Napi::Value(env, f);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("level", jsFunction<Level>(env, "level"));
  exports.Set("threads", jsFunction<Threads>(env, "threads"));
  exports.Set("parallelCalls", jsFunction<ParallelCalls>(env, "parallelCalls"));
  exports.Set("unary", jsFunction<Unary>(env, "unary"));
  exports.Set("binary", jsFunction<Binary>(env, "binary"));
  exports.Set("sum3", jsFunction<RowKernel<Rows::kSum>>(env, "sum3"));
  exports.Set("logsumexp", jsFunction<RowKernel<Rows::kLogsumexp>>(env, "logsumexp"));
  exports.Set("softmax", jsFunction<RowKernel<Rows::kSoftmax>>(env, "softmax"));
  exports.Set("sumSquares", jsFunction<SumSquares>(env, "sumSquares"));
  exports.Set("fused", jsFunction<Fused<false>>(env, "fused"));
  exports.Set("fusedFlat", jsFunction<Fused<true>>(env, "fusedFlat"));
  exports.Set("gemm", jsFunction<Gemm>(env, "gemm"));
  exports.Set("copyStrided", jsFunction<CopyStrided>(env, "copyStrided"));
  exports.Set("select", jsFunction<Select>(env, "select"));
  exports.Set("binaryNd", jsFunction<BinaryNd>(env, "binaryNd"));
  exports.Set("pad", jsFunction<Pad>(env, "pad"));
  exports.Set("gather", jsFunction<GatherScatter<false>>(env, "gather"));
  exports.Set("scatterAdd", jsFunction<GatherScatter<true>>(env, "scatterAdd"));
  exports.Set("takeRows", jsFunction<TakeRows>(env, "takeRows"));
  exports.Set("concat", jsFunction<Concat>(env, "concat"));
  exports.Set("clip", jsFunction<Clip>(env, "clip"));
  exports.Set("extreme3", jsFunction<Extreme3>(env, "extreme3"));
  exports.Set("reduceNd", jsFunction<ReduceNd>(env, "reduceNd"));
  exports.Set("crossEntropy", jsFunction<CrossEntropy>(env, "crossEntropy"));
  exports.Set("crossEntropyGrad", jsFunction<CrossEntropyGrad>(env, "crossEntropyGrad"));
  exports.Set("im2col", jsFunction<Im2col<false>>(env, "im2col"));
  exports.Set("col2im", jsFunction<Im2col<true>>(env, "col2im"));
  exports.Set("maxPool2d", jsFunction<Pool2d<Pool::kMax>>(env, "maxPool2d"));
  exports.Set("avgPool2d", jsFunction<Pool2d<Pool::kAvg>>(env, "avgPool2d"));
  exports.Set("avgPool2dBackward", jsFunction<Pool2d<Pool::kAvgBackward>>(env, "avgPool2dBackward"));
  return exports;
}

}  // namespace

NODE_API_MODULE(chainrule_native, Init)
