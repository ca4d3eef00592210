// The sliding-window kernels over NCHW images (kernels.h's Window2d): im2col and its adjoint col2im for
// convolution, max and average pooling and average pooling's adjoint. The reference's loops
// (packages/core/src/backend/reference/window.ts) in its order, so sums give the same bits: float32 values
// add in float (the same as JavaScript's double then rounded), the average's sums in double. Max pooling by
// windows that tile the image (2×2, 3×3) runs many windows per vector at the caller's level, same bits.
#include <algorithm>
#include <limits>
#include <type_traits>
#include "kernels.h"
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace chainrule {

namespace {

// The outputs o in [0, count) whose tap o·stride + offset falls in [0, size): [lo, hi), possibly empty.
void inside(int64_t offset, int64_t stride, int64_t size, int64_t count, int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  lo = std::min(lo, count);
  hi = std::max(lo, std::min(hi, count));
}

}  // namespace

template <typename T> void im2col(const T* x, const Window2d& w, T* out, size_t r0, size_t r1) {
  const int64_t cols = w.batch * w.outH * w.outW, plane = w.height * w.width;
  for (int64_t r = int64_t(r0); r < int64_t(r1); r++) {
    const int64_t c = r / (w.kernelH * w.kernelW), ky = r / w.kernelW % w.kernelH, kx = r % w.kernelW;
    T* dst = out + r * cols;
    int64_t lo, hi;
    inside(kx * w.dilationW - w.padW, w.strideW, w.width, w.outW, lo, hi);
    for (int64_t n = 0; n < w.batch; n++) {
      const T* image = x + (n * w.channels + c) * plane;
      for (int64_t oy = 0; oy < w.outH; oy++, dst += w.outW) {
        const int64_t iy = oy * w.strideH - w.padH + ky * w.dilationH;
        if (iy < 0 || iy >= w.height) { std::fill(dst, dst + w.outW, T(0)); continue; }
        const int64_t row = iy * w.width + kx * w.dilationW - w.padW;
        std::fill(dst, dst + lo, T(0));
        for (int64_t ox = lo; ox < hi; ox++) dst[ox] = image[row + ox * w.strideW];
        std::fill(dst + hi, dst + w.outW, T(0));
      }
    }
  }
}

template <typename T> void col2im(const T* cols, const Window2d& w, T* out, size_t c0, size_t c1) {
  const int64_t n0 = w.batch * w.outH * w.outW, plane = w.height * w.width;
  for (int64_t c = int64_t(c0); c < int64_t(c1); c++) {
    for (int64_t n = 0; n < w.batch; n++) std::fill(out + (n * w.channels + c) * plane, out + (n * w.channels + c + 1) * plane, T(0));
    for (int64_t ky = 0; ky < w.kernelH; ky++) {
      for (int64_t kx = 0; kx < w.kernelW; kx++) {
        const T* src = cols + ((c * w.kernelH + ky) * w.kernelW + kx) * n0;
        int64_t lo, hi;
        inside(kx * w.dilationW - w.padW, w.strideW, w.width, w.outW, lo, hi);
        for (int64_t n = 0; n < w.batch; n++) {
          T* image = out + (n * w.channels + c) * plane;
          for (int64_t oy = 0; oy < w.outH; oy++, src += w.outW) {
            const int64_t iy = oy * w.strideH - w.padH + ky * w.dilationH;
            if (iy < 0 || iy >= w.height) continue;
            const int64_t row = iy * w.width + kx * w.dilationW - w.padW;
            for (int64_t ox = lo; ox < hi; ox++) image[row + ox * w.strideW] += src[ox];
          }
        }
      }
    }
  }
}

namespace {

// Calls pool(o, plane, y0, y1, x0, x1) for every window of planes [p0, p1), as the reference's eachWindow:
// rows y0..y1-1 and columns x0..x1-1 of the plane are its taps inside the image (pooling is not dilated).
template <typename F> void eachWindow(const Window2d& w, size_t p0, size_t p1, const F& pool) {
  int64_t o = int64_t(p0) * w.outH * w.outW;
  for (int64_t p = int64_t(p0); p < int64_t(p1); p++) {
    const int64_t plane = p * w.height * w.width;
    for (int64_t oy = 0; oy < w.outH; oy++) {
      const int64_t top = oy * w.strideH - w.padH;
      const int64_t y0 = std::max<int64_t>(top, 0), y1 = std::min(top + w.kernelH, w.height);
      for (int64_t ox = 0; ox < w.outW; ox++, o++) {
        const int64_t left = ox * w.strideW - w.padW;
        pool(o, plane, y0, y1, std::max<int64_t>(left, 0), std::min(left + w.kernelW, w.width));
      }
    }
  }
}

// Folds tap v (at plane index i) into a window's running max: the first NaN wins, as in PyTorch; otherwise the
// first of equal maxima, as the reference. Without branches: which tap wins is data-dependent, mispredicted
// branches cost more than a whole window, and selects let the compiler run many windows in one vector.
template <typename T> inline __attribute__((always_inline)) void fold(T v, int32_t i, T& best, int32_t& at) {
  const bool take = v > best || (v != v && best == best);
  best = take ? v : best;
  at = take ? i : at;
}

// fold for one window at a time. GCC compiles fold's selects on scalars into branches on the compares (which
// mispredict on data), so on x86 the compares are SSE masks and the selects bitwise, with the vector
// traits' two compares (`takes`, below).
inline void foldOne(float v, int32_t i, float& best, int32_t& at) {
#if defined(__SSE2__)
  const __m128 vv = _mm_set_ss(v), bb = _mm_set_ss(best);
  const __m128 take = _mm_and_ps(_mm_cmpord_ss(bb, bb), _mm_cmpnle_ss(vv, bb));
  best = _mm_cvtss_f32(_mm_or_ps(_mm_and_ps(take, vv), _mm_andnot_ps(take, bb)));
  const int32_t mask = _mm_cvtsi128_si32(_mm_castps_si128(take));
  at = (at & ~mask) | (i & mask);
#else
  fold(v, i, best, at);
#endif
}
inline void foldOne(double v, int32_t i, double& best, int32_t& at) {
#if defined(__SSE2__)
  const __m128d vv = _mm_set_sd(v), bb = _mm_set_sd(best);
  const __m128d take = _mm_and_pd(_mm_cmpord_sd(bb, bb), _mm_cmpnle_sd(vv, bb));
  best = _mm_cvtsd_f64(_mm_or_pd(_mm_and_pd(take, vv), _mm_andnot_pd(take, bb)));
  const int32_t mask = _mm_cvtsi128_si32(_mm_castpd_si128(take));
  at = (at & ~mask) | (i & mask);
#else
  fold(v, i, best, at);
#endif
}

// One window clipped to rows y0..y1-1 and columns x0..x1-1 of its plane (the reference's loop); at is -1 only
// for a window with no taps.
template <typename T>
inline void maxWindow(const T* plane, int64_t width, int64_t y0, int64_t y1, int64_t x0, int64_t x1, T& best, int32_t& at) {
  best = -std::numeric_limits<T>::infinity();
  at = -1;
  for (int64_t y = y0; y < y1; y++) {
    for (int64_t i = y * width + x0, end = y * width + x1; i < end; i++) {
      if (at < 0) { best = plane[i]; at = int32_t(i); }  // the first tap always wins
      else foldOne(plane[i], int32_t(i), best, at);
    }
  }
}

// K×K windows that tile the plane (stride K, no padding): `count` whole windows side by side whose top-left
// tap is top[0], at plane index `base`, each window's taps in the reference's order (row by row). The
// portable path; CHAINRULE_SIMD_ROW below is the same in vector registers.
template <typename T, int K>
inline __attribute__((always_inline)) void maxTileRow(const T* __restrict top, int32_t width, int32_t count, int32_t base,
                                                      T* __restrict out, int32_t* __restrict argmax) {
  const T* rows[K];
  for (int dy = 0; dy < K; dy++) rows[dy] = top + dy * width;
  for (int32_t ox = 0; ox < count; ox++) {
    T best = rows[0][K * ox];
    int32_t at = 0;
    for (int dy = 0; dy < K; dy++) {
      for (int dx = 0; dx < K; dx++) {
        if (dy | dx) fold(rows[dy][K * ox + dx], dy * width + dx, best, at);
      }
    }
    out[ox] = best;
    argmax[ox] = base + K * ox + at;
  }
}

// Planes [p0, p1) pooled by K×K tiles: each row of whole tiles by row(top, width, count, base, out, argmax)
// (maxTileRow or a vector version), then the clipped windows past them (an image whose size is no multiple
// of K, with outH or outW rounded up) one by one.
template <typename T, int K, class Row>
inline __attribute__((always_inline)) void maxTiles(const T* x, const Window2d& w, T* out, int32_t* argmax, size_t p0, size_t p1,
                                                    const Row& row) {
  const int64_t tilesH = std::min(w.outH, w.height / K), tilesW = std::min(w.outW, w.width / K);
  for (int64_t p = int64_t(p0); p < int64_t(p1); p++) {
    const T* plane = x + p * w.height * w.width;
    T* po = out + p * w.outH * w.outW;
    int32_t* pa = argmax + p * w.outH * w.outW;
    for (int64_t oy = 0; oy < w.outH; oy++, po += w.outW, pa += w.outW) {
      const int64_t y0 = oy * K, y1 = std::min<int64_t>(y0 + K, w.height), whole = oy < tilesH ? tilesW : 0;
      const int32_t base = int32_t(y0 * w.width);
      if (whole > 0) row(plane + base, int32_t(w.width), int32_t(whole), base, po, pa);
      for (int64_t ox = whole; ox < w.outW; ox++) maxWindow(plane, w.width, y0, y1, ox * K, std::min<int64_t>(ox * K + K, w.width), po[ox], pa[ox]);
    }
  }
}

template <typename T, int K> struct ScalarRow {
  void operator()(const T* top, int32_t width, int32_t count, int32_t base, T* out, int32_t* argmax) const {
    maxTileRow<T, K>(top, width, count, base, out, argmax);
  }
};

template <typename T> void maxTilesPortable(int k, const T* x, const Window2d& w, T* out, int32_t* argmax, size_t p0, size_t p1) {
  if (k == 2) maxTiles<T, 2>(x, w, out, argmax, p0, p1, ScalarRow<T, 2>());
  else maxTiles<T, 3>(x, w, out, argmax, p0, p1, ScalarRow<T, 3>());
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
// ---- maxTileRow in vector registers: N windows side by side, the last ones masked (no scalar tail, no
// branch on the data). A lane trait S (below) holds N lanes of T (V), a lane mask (M) and N int32 positions
// (P). The row loop over a trait is written once, in CHAINRULE_SIMD_ROW, and defined once per target: a
// target's vectors may only live in functions compiled for it (GCC will not inline its functions into
// others, Clang rejects vector arguments across the boundary), so the code between a row's pointers and
// its vectors carries the target. ----
// GCC 12 trips -Wmaybe-uninitialized on its own AVX-512 headers (see gemm.cc).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define CHAINRULE_AVX512 __attribute__((target("avx512f"))) inline
#define CHAINRULE_AVX2 __attribute__((target("avx2"))) inline

// maxTileRow's arguments and results with N windows per step: for each row of taps, the K·n values under the
// n windows (zero past them) are loaded in K vectors, and tap dx of every window is picked out of them.
#define CHAINRULE_SIMD_ROW(NAME, TARGET)                                                                             \
  template <class S, int K>                                                                                          \
  __attribute__((target(TARGET))) void NAME(const typename S::T* top, int32_t width, int32_t count, int32_t base,    \
                                            typename S::T* out, int32_t* argmax) {                                  \
    typename S::Pick pick[K];                                                                                        \
    for (int dx = 0; dx < K; dx++) pick[dx] = S::pick(K, dx);                                                        \
    const typename S::P columns = S::columns(K); /* K·i in lane i: each window's first column */                     \
    for (int32_t ox = 0; ox < count; ox += S::N) {                                                                   \
      const int n = count - ox < S::N ? count - ox : S::N;                                                           \
      typename S::V best = S::zero();                                                                                \
      typename S::P at = S::position(0);                                                                             \
      for (int dy = 0; dy < K; dy++) {                                                                               \
        typename S::V raw[K];                                                                                        \
        for (int j = 0; j < K; j++) raw[j] = S::load(top + dy * width + K * ox + j * S::N, K * n - j * S::N);        \
        for (int dx = 0; dx < K; dx++) {                                                                             \
          const typename S::V v = S::template tap<K>(pick[dx], raw);                                                 \
          if (dy == 0 && dx == 0) { best = v; continue; } /* the first tap always wins */                            \
          const typename S::M take = S::takes(v, best);                                                              \
          best = S::blend(take, best, v);                                                                            \
          at = S::blendPosition(take, at, S::position(dy * width + dx));                                             \
        }                                                                                                            \
      }                                                                                                              \
      S::store(out + ox, best, n);                                                                                   \
      S::storePositions(argmax + ox, at, columns, base + K * ox, n);                                                 \
    }                                                                                                                \
  }
CHAINRULE_SIMD_ROW(simdRowAvx512, "avx512f")
CHAINRULE_SIMD_ROW(simdRowAvx2, "avx2")
#undef CHAINRULE_SIMD_ROW

// Each trait's `takes` is fold's rule in two compares: not (v ≤ best) is v > best or v NaN, and it counts only
// while best is not NaN (an earlier NaN keeps winning). Loads and stores touch lanes [0, n) only.

struct Avx512Float {
  using T = float; using V = __m512; using M = __mmask16; using P = __m512i; using Pick = __m512i;
  static constexpr int N = 16;
  CHAINRULE_AVX512 static M head(int n) { return n <= 0 ? M(0) : n >= N ? M(0xffff) : M((1u << n) - 1); }
  CHAINRULE_AVX512 static V zero() { return _mm512_setzero_ps(); }
  CHAINRULE_AVX512 static V load(const T* p, int n) { return _mm512_maskz_loadu_ps(head(n), p); }
  CHAINRULE_AVX512 static P lanesTimes(int k, int plus) {
    return _mm512_add_epi32(_mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi32(k)), _mm512_set1_epi32(plus));
  }
  CHAINRULE_AVX512 static Pick pick(int k, int dx) { return lanesTimes(k, dx); }
  // Element K·i + dx of raw: a two-source permute over raw[0..1], then a masked one from raw[2] past 32.
  template <int K> CHAINRULE_AVX512 static V tap(Pick idx, const V (&raw)[K]) {
    const V low = _mm512_permutex2var_ps(raw[0], idx, raw[K > 1 ? 1 : 0]);
    if (K < 3) return low;
    return _mm512_mask_permutexvar_ps(low, _mm512_cmpge_epi32_mask(idx, _mm512_set1_epi32(32)), idx, raw[K - 1]);
  }
  CHAINRULE_AVX512 static M takes(V v, V best) { return _mm512_mask_cmp_ps_mask(_mm512_cmp_ps_mask(best, best, _CMP_ORD_Q), v, best, _CMP_NLE_UQ); }
  CHAINRULE_AVX512 static V blend(M take, V a, V b) { return _mm512_mask_blend_ps(take, a, b); }
  CHAINRULE_AVX512 static P columns(int k) { return lanesTimes(k, 0); }
  CHAINRULE_AVX512 static P position(int32_t i) { return _mm512_set1_epi32(i); }
  CHAINRULE_AVX512 static P blendPosition(M take, P a, P b) { return _mm512_mask_blend_epi32(take, a, b); }
  CHAINRULE_AVX512 static void store(T* p, V v, int n) { _mm512_mask_storeu_ps(p, head(n), v); }
  CHAINRULE_AVX512 static void storePositions(int32_t* p, P at, P columns, int32_t base, int n) {
    _mm512_mask_storeu_epi32(p, head(n), _mm512_add_epi32(_mm512_add_epi32(at, columns), _mm512_set1_epi32(base)));
  }
};

// Eight doubles; positions stay int32, in the low eight lanes of a 16-lane vector.
struct Avx512Double {
  using T = double; using V = __m512d; using M = __mmask8; using P = __m512i; using Pick = __m512i;
  static constexpr int N = 8;
  CHAINRULE_AVX512 static M head(int n) { return n <= 0 ? M(0) : n >= N ? M(0xff) : M((1u << n) - 1); }
  CHAINRULE_AVX512 static V zero() { return _mm512_setzero_pd(); }
  CHAINRULE_AVX512 static V load(const T* p, int n) { return _mm512_maskz_loadu_pd(head(n), p); }
  CHAINRULE_AVX512 static Pick pick(int k, int dx) { return _mm512_set_epi64(7 * k + dx, 6 * k + dx, 5 * k + dx, 4 * k + dx, 3 * k + dx, 2 * k + dx, k + dx, dx); }
  template <int K> CHAINRULE_AVX512 static V tap(Pick idx, const V (&raw)[K]) {
    const V low = _mm512_permutex2var_pd(raw[0], idx, raw[K > 1 ? 1 : 0]);
    if (K < 3) return low;
    return _mm512_mask_permutexvar_pd(low, _mm512_cmpge_epi64_mask(idx, _mm512_set1_epi64(16)), idx, raw[K - 1]);
  }
  CHAINRULE_AVX512 static M takes(V v, V best) { return _mm512_mask_cmp_pd_mask(_mm512_cmp_pd_mask(best, best, _CMP_ORD_Q), v, best, _CMP_NLE_UQ); }
  CHAINRULE_AVX512 static V blend(M take, V a, V b) { return _mm512_mask_blend_pd(take, a, b); }
  CHAINRULE_AVX512 static P columns(int k) { return _mm512_mullo_epi32(_mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi32(k)); }
  CHAINRULE_AVX512 static P position(int32_t i) { return _mm512_set1_epi32(i); }
  CHAINRULE_AVX512 static P blendPosition(M take, P a, P b) { return _mm512_mask_blend_epi32(__mmask16(take), a, b); }
  CHAINRULE_AVX512 static void store(T* p, V v, int n) { _mm512_mask_storeu_pd(p, head(n), v); }
  CHAINRULE_AVX512 static void storePositions(int32_t* p, P at, P columns, int32_t base, int n) {
    _mm512_mask_storeu_epi32(p, __mmask16(head(n)), _mm512_add_epi32(_mm512_add_epi32(at, columns), _mm512_set1_epi32(base)));
  }
};

// AVX2 has no two-source permute: tap dx permutes each of the K vectors within itself (lane i gets element
// (K·i + dx) mod 8 of the 32-bit view) and keeps, per lane, the one its element lies in.
struct Avx2Pick {
  __m256i within;   // 32-bit element indices for _mm256_permutevar8x32_ps
  __m256 from[2];   // lanes whose element lies in raw[1], raw[2] (all ones)
};

struct Avx2Float {
  using T = float; using V = __m256; using M = __m256; using P = __m256i; using Pick = Avx2Pick;
  static constexpr int N = 8;
  CHAINRULE_AVX2 static __m256i head(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0)); }
  CHAINRULE_AVX2 static V zero() { return _mm256_setzero_ps(); }
  CHAINRULE_AVX2 static V load(const T* p, int n) { return _mm256_maskload_ps(p, head(n)); }
  CHAINRULE_AVX2 static Pick pick(int k, int dx) {
    const __m256i element = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0), _mm256_set1_epi32(k)), _mm256_set1_epi32(dx));
    const __m256i source = _mm256_srli_epi32(element, 3);
    return {_mm256_and_si256(element, _mm256_set1_epi32(7)),
            {_mm256_castsi256_ps(_mm256_cmpeq_epi32(source, _mm256_set1_epi32(1))), _mm256_castsi256_ps(_mm256_cmpeq_epi32(source, _mm256_set1_epi32(2)))}};
  }
  template <int K> CHAINRULE_AVX2 static V tap(const Pick& pick, const V (&raw)[K]) {
    V v = _mm256_permutevar8x32_ps(raw[0], pick.within);
    for (int j = 1; j < K; j++) v = _mm256_blendv_ps(v, _mm256_permutevar8x32_ps(raw[j], pick.within), pick.from[j - 1]);
    return v;
  }
  CHAINRULE_AVX2 static M takes(V v, V best) { return _mm256_and_ps(_mm256_cmp_ps(best, best, _CMP_ORD_Q), _mm256_cmp_ps(v, best, _CMP_NLE_UQ)); }
  CHAINRULE_AVX2 static V blend(M take, V a, V b) { return _mm256_blendv_ps(a, b, take); }
  CHAINRULE_AVX2 static P columns(int k) { return _mm256_mullo_epi32(_mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0), _mm256_set1_epi32(k)); }
  CHAINRULE_AVX2 static P position(int32_t i) { return _mm256_set1_epi32(i); }
  CHAINRULE_AVX2 static P blendPosition(M take, P a, P b) { return _mm256_blendv_epi8(a, b, _mm256_castps_si256(take)); }
  CHAINRULE_AVX2 static void store(T* p, V v, int n) { _mm256_maskstore_ps(p, head(n), v); }
  CHAINRULE_AVX2 static void storePositions(int32_t* p, P at, P columns, int32_t base, int n) {
    _mm256_maskstore_epi32(p, head(n), _mm256_add_epi32(_mm256_add_epi32(at, columns), _mm256_set1_epi32(base)));
  }
};

// Four doubles, permuted as pairs of 32-bit elements; positions in 64-bit lanes (blended by the same masks),
// narrowed to int32 when stored.
struct Avx2Double {
  using T = double; using V = __m256d; using M = __m256d; using P = __m256i; using Pick = Avx2Pick;
  static constexpr int N = 4;
  CHAINRULE_AVX2 static __m256i head(int n) { return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_set_epi64x(3, 2, 1, 0)); }
  CHAINRULE_AVX2 static V zero() { return _mm256_setzero_pd(); }
  CHAINRULE_AVX2 static V load(const T* p, int n) { return _mm256_maskload_pd(p, head(n)); }
  CHAINRULE_AVX2 static Pick pick(int k, int dx) {
    const __m256i element = _mm256_add_epi64(_mm256_set_epi64x(3 * k, 2 * k, k, 0), _mm256_set1_epi64x(dx));
    const __m256i source = _mm256_srli_epi64(element, 2), at = _mm256_and_si256(element, _mm256_set1_epi64x(3));
    // Double e is 32-bit elements 2e, 2e + 1.
    const __m256i within = _mm256_or_si256(_mm256_slli_epi64(at, 1), _mm256_slli_epi64(_mm256_add_epi64(_mm256_slli_epi64(at, 1), _mm256_set1_epi64x(1)), 32));
    return {within, {_mm256_castsi256_ps(_mm256_cmpeq_epi64(source, _mm256_set1_epi64x(1))), _mm256_castsi256_ps(_mm256_cmpeq_epi64(source, _mm256_set1_epi64x(2)))}};
  }
  template <int K> CHAINRULE_AVX2 static V tap(const Pick& pick, const V (&raw)[K]) {
    __m256 v = _mm256_permutevar8x32_ps(_mm256_castpd_ps(raw[0]), pick.within);
    for (int j = 1; j < K; j++) v = _mm256_blendv_ps(v, _mm256_permutevar8x32_ps(_mm256_castpd_ps(raw[j]), pick.within), pick.from[j - 1]);
    return _mm256_castps_pd(v);
  }
  CHAINRULE_AVX2 static M takes(V v, V best) { return _mm256_and_pd(_mm256_cmp_pd(best, best, _CMP_ORD_Q), _mm256_cmp_pd(v, best, _CMP_NLE_UQ)); }
  CHAINRULE_AVX2 static V blend(M take, V a, V b) { return _mm256_blendv_pd(a, b, take); }
  CHAINRULE_AVX2 static P columns(int k) { return _mm256_set_epi64x(3 * k, 2 * k, k, 0); }
  CHAINRULE_AVX2 static P position(int32_t i) { return _mm256_set1_epi64x(i); }
  CHAINRULE_AVX2 static P blendPosition(M take, P a, P b) { return _mm256_blendv_epi8(a, b, _mm256_castpd_si256(take)); }
  CHAINRULE_AVX2 static void store(T* p, V v, int n) { _mm256_maskstore_pd(p, head(n), v); }
  CHAINRULE_AVX2 static void storePositions(int32_t* p, P at, P columns, int32_t base, int n) {
    const __m256i wide = _mm256_add_epi64(_mm256_add_epi64(at, columns), _mm256_set1_epi64x(base));
    const __m128i narrow = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(wide, _mm256_set_epi32(0, 0, 0, 0, 6, 4, 2, 0)));
    _mm_maskstore_epi32(p, _mm_cmpgt_epi32(_mm_set1_epi32(n), _mm_set_epi32(3, 2, 1, 0)), narrow);
  }
};

template <typename T> using Avx512Lanes = std::conditional_t<std::is_same_v<T, float>, Avx512Float, Avx512Double>;
template <typename T> using Avx2Lanes = std::conditional_t<std::is_same_v<T, float>, Avx2Float, Avx2Double>;

// Each level's entry point: maxTiles with that level's rows. `flatten` inlines the loops over planes and
// rows and the clipped windows into it (measured: half the time of [64,16,24,24] without it).
template <typename T> __attribute__((target("avx512f"), flatten))
void maxTilesAvx512(int k, const T* x, const Window2d& w, T* out, int32_t* argmax, size_t p0, size_t p1) {
  const auto row2 = [](auto... args) { simdRowAvx512<Avx512Lanes<T>, 2>(args...); };
  const auto row3 = [](auto... args) { simdRowAvx512<Avx512Lanes<T>, 3>(args...); };
  if (k == 2) maxTiles<T, 2>(x, w, out, argmax, p0, p1, row2);
  else maxTiles<T, 3>(x, w, out, argmax, p0, p1, row3);
}
template <typename T> __attribute__((target("avx2"), flatten))
void maxTilesAvx2(int k, const T* x, const Window2d& w, T* out, int32_t* argmax, size_t p0, size_t p1) {
  const auto row2 = [](auto... args) { simdRowAvx2<Avx2Lanes<T>, 2>(args...); };
  const auto row3 = [](auto... args) { simdRowAvx2<Avx2Lanes<T>, 3>(args...); };
  if (k == 2) maxTiles<T, 2>(x, w, out, argmax, p0, p1, row2);
  else maxTiles<T, 3>(x, w, out, argmax, p0, p1, row3);
}
#undef CHAINRULE_AVX512
#undef CHAINRULE_AVX2
#pragma GCC diagnostic pop
#endif

}  // namespace

template <typename T>
void maxPool2d(int level, const T* x, const Window2d& w, T* out, int32_t* argmax, size_t p0, size_t p1) {
  // 2×2 and 3×3 windows that tile the image, as most CNNs pool, take the vector path (its positions are
  // int32, as argmax is).
  const bool tiles = w.kernelH == w.kernelW && w.strideH == w.kernelH && w.strideW == w.kernelW && w.padH == 0 && w.padW == 0 &&
                     (w.kernelH == 2 || w.kernelH == 3) && w.height * w.width <= std::numeric_limits<int32_t>::max();
  if (tiles) {
    const int k = int(w.kernelH);
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    if (level >= 2) return maxTilesAvx512(k, x, w, out, argmax, p0, p1);
    if (level == 1) return maxTilesAvx2(k, x, w, out, argmax, p0, p1);
#endif
    return maxTilesPortable(k, x, w, out, argmax, p0, p1);
  }
  (void)level;
  eachWindow(w, p0, p1, [&](int64_t o, int64_t plane, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
    maxWindow(x + plane, w.width, y0, y1, x0, x1, out[o], argmax[o]);
  });
}

template <typename T> void avgPool2d(const T* x, const Window2d& w, T* out, size_t p0, size_t p1) {
  const double area = double(w.kernelH * w.kernelW);
  eachWindow(w, p0, p1, [&](int64_t o, int64_t plane, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
    double total = 0;
    for (int64_t y = y0; y < y1; y++) {
      for (const T *p = x + plane + y * w.width + x0, *end = x + plane + y * w.width + x1; p < end; p++) total += *p;
    }
    out[o] = T(total / area);
  });
}

template <typename T> void avgPool2dBackward(const T* g, const Window2d& w, T* out, size_t p0, size_t p1) {
  const double area = double(w.kernelH * w.kernelW);
  const int64_t plane = w.height * w.width;
  std::fill(out + int64_t(p0) * plane, out + int64_t(p1) * plane, T(0));
  eachWindow(w, p0, p1, [&](int64_t o, int64_t base, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
    const double share = double(g[o]) / area;
    for (int64_t y = y0; y < y1; y++) {
      for (T *p = out + base + y * w.width + x0, *end = out + base + y * w.width + x1; p < end; p++) *p = T(double(*p) + share);
    }
  });
}

#define CHAINRULE_WINDOW(T)                                                                   \
  template void im2col<T>(const T*, const Window2d&, T*, size_t, size_t);                   \
  template void col2im<T>(const T*, const Window2d&, T*, size_t, size_t);                   \
  template void maxPool2d<T>(int, const T*, const Window2d&, T*, int32_t*, size_t, size_t); \
  template void avgPool2d<T>(const T*, const Window2d&, T*, size_t, size_t);                \
  template void avgPool2dBackward<T>(const T*, const Window2d&, T*, size_t, size_t);
CHAINRULE_WINDOW(float)
CHAINRULE_WINDOW(double)

}  // namespace chainrule
