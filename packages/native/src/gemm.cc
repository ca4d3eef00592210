// BLIS-style packed GEMM (see gemm.h for the contract). The driver blocks C into NC columns, k into KC slices
// and the rows into MC blocks; it packs a KC×NC slice of op(B) into NR-wide panels (or reads it in place, when
// op(B) is row-major and NC whole panels) and an MC×KC block of op(A) into MR-tall panels (zero-padded, so
// the micro-kernel never branches; read in place when op(A) = Aᵀ), then a register-tiled micro-kernel
// computes each MR×NR tile. Packing reads through (row, column) strides, which is how every transpose is
// handled. Determinism: every element of C is the same sum in the same order (k slices in order, p in order
// within a slice) whichever row range or tile slot computes it, so splitting rows across threads is bit-exact.
#include "gemm.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define CHAINRULE_X86 1
#include <immintrin.h>
#endif

namespace chainrule {
namespace {

// A micro-kernel: the C tile (ROWS×cols, leading dimension ldc) = acc (+ C when accumulate, else
// + bias[j] when bias). Step p of A's panel is at pa + p·lda and of B's at pb + p·ldb: MR and NR apart when
// packed, the row length of A or B when read in place. Each family is instantiated for every ROWS ≤ MR and VECS ∈ {1, 2}, so edge tiles cost only the FMAs
// they need; a packed A panel is always MR tall, whatever ROWS reads of it.
// `cols` (1..VECS·lanes) is how many columns of the tile C holds: the last vector's loads and stores are
// masked past it, so an edge tile is written in place with the same arithmetic as a whole one.
template <typename T>
using MicroKernel = void (*)(int kc, const T* pa, long lda, const T* pb, long ldb, T* c, int ldc, bool accumulate,
                             const T* bias, int cols);

// Picks Family::run<rows, vecs, rowA> from a table built at compile time (rows in 1..MR, vecs in 1..2). With rowA
// the A panel is read in place from a row-major A: row i at pa + i·lda, step p at +p.
template <class Family, typename T, int... R>
MicroKernel<T> pickKernel(int rows, int vecs, bool rowA, std::integer_sequence<int, R...>) {
  static const MicroKernel<T> one[] = {&Family::template run<R + 1, 1, false>...};
  static const MicroKernel<T> two[] = {&Family::template run<R + 1, 2, false>...};
  static const MicroKernel<T> oneRow[] = {&Family::template run<R + 1, 1, true>...};
  static const MicroKernel<T> twoRow[] = {&Family::template run<R + 1, 2, true>...};
  return (rowA ? (vecs == 1 ? oneRow : twoRow) : (vecs == 1 ? one : two))[rows - 1];
}
template <class Family, typename T>
MicroKernel<T> pickKernel(int rows, int vecs, bool rowA) {
  return pickKernel<Family, T>(rows, vecs, rowA, std::make_integer_sequence<int, Family::MR>());
}

template <typename T>
struct KernelShape {
  int mr, nr, lanes;   // register tile MR×NR, NR = 2 vectors of `lanes`
  int mc, kc, nc;      // cache blocks: A block mc×kc stays in L2, B slice kc×nc in L3
  MicroKernel<T> (*pick)(int rows, int vecs, bool rowA);
  // Optional SIMD packing of one full NR-wide panel of op(B) = Bᵀ (column j of the panel at b + j·ld).
  void (*packTransposedPanel)(int kc, const T* b, long ld, T* out);
  // Optional SIMD packing of one MR-tall panel of op(A) = A (row i at a + i·ld, `rows` ≤ MR of them).
  void (*packRowPanel)(int kc, const T* a, long ld, int rows, T* out);
  // Optional SIMD packing of one MR-tall panel of op(A) = Aᵀ (step p's values contiguous at a + p·ld).
  void (*packColumnPanel)(int kc, const T* a, long ld, int rows, T* out);
  // Optional SIMD packing of a last, partial NR-wide panel of a row-major op(B): `cols` < NR values per step
  // (step p at b + p·ld), zero-padded to NR.
  void (*packPartialPanel)(int kc, const T* b, long ld, int cols, T* out);
};

// ---- packing: strides make every transpose the same portable code; a level's SIMD panel packers (further
// down) take the common cases ----

// op(A) element (i, p) is a[i * rs + p * cs]. Packs rows [0, mc) × cols [0, kc) into MR-tall panels.
template <typename T, class Shape>
void packA(int mc, int kc, const T* a, long rs, long cs, const Shape& s, T* out) {
  const int mr = s.mr;
  for (int i0 = 0; i0 < mc; i0 += mr) {
    const int rows = std::min(mr, mc - i0);
    if (cs == 1 && s.packRowPanel) {
      s.packRowPanel(kc, a + i0 * rs, rs, rows, out);
      out += long(kc) * mr;
    } else if (cs == 1) {  // each row of the panel is contiguous in p
      for (int p = 0; p < kc; ++p) {
        for (int i = 0; i < rows; ++i) out[i] = a[(i0 + i) * rs + p];
        for (int i = rows; i < mr; ++i) out[i] = T(0);
        out += mr;
      }
    } else if (rs == 1 && s.packColumnPanel) {
      s.packColumnPanel(kc, a + i0, cs, rows, out);
      out += long(kc) * mr;
    } else {
      for (int p = 0; p < kc; ++p) {
        const T* src = a + i0 * rs + p * cs;  // rs == 1 here: the MR values are contiguous
        for (int i = 0; i < rows; ++i) out[i] = src[i * rs];
        for (int i = rows; i < mr; ++i) out[i] = T(0);
        out += mr;
      }
    }
  }
}

// Copies kc rows of NR contiguous values (stride ld) into a packed panel; NR is a constant so the copy inlines.
template <int NR, typename T>
void copyPanelRows(int kc, const T* b, long ld, T* out) {
  for (int p = 0; p < kc; ++p, b += ld, out += NR) std::memcpy(out, b, sizeof(T) * NR);
}

// op(B) element (p, j) is b[p * rs + j * cs]. Packs rows [0, kc) × cols [0, nc) into NR-wide panels.
template <typename T, class Shape>
void packB(int kc, int nc, const T* b, long rs, long cs, const Shape& s, T* out) {
  const int nr = s.nr;
  const bool simdTransposed = s.packTransposedPanel && rs == 1;
  for (int j0 = 0; j0 < nc; j0 += nr) {
    const int cols = std::min(nr, nc - j0);
    if (simdTransposed && cols == nr) {
      s.packTransposedPanel(kc, b + j0 * cs, cs, out);
      out += long(kc) * nr;
      continue;
    }
    if (cs == 1 && cols == nr && (nr == 32 || nr == 16 || nr == 8 || nr == 4)) {
      const T* src = b + j0;
      if (nr == 32) copyPanelRows<32>(kc, src, rs, out);
      if (nr == 16) copyPanelRows<16>(kc, src, rs, out);
      if (nr == 8) copyPanelRows<8>(kc, src, rs, out);
      if (nr == 4) copyPanelRows<4>(kc, src, rs, out);
      out += long(kc) * nr;
      continue;
    }
    if (cs == 1 && s.packPartialPanel) {
      s.packPartialPanel(kc, b + j0, rs, cols, out);
      out += long(kc) * nr;
      continue;
    }
    for (int p = 0; p < kc; ++p) {
      const T* src = b + p * rs + j0 * cs;
      for (int j = 0; j < cols; ++j) out[j] = src[j * cs];
      for (int j = cols; j < nr; ++j) out[j] = T(0);
      out += nr;
    }
  }
}

// ---- thread-local, 64-byte-aligned scratch for the packed panels ----

class Scratch {
 public:
  ~Scratch() { std::free(raw_); }
  void* get(size_t bytes) {
    if (bytes > size_) {
      std::free(raw_);
      raw_ = std::malloc(bytes + 64);
      if (!raw_) std::abort();
      size_ = bytes;
    }
    return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(raw_) + 63) & ~uintptr_t(63));
  }

 private:
  void* raw_ = nullptr;
  size_t size_ = 0;
};

thread_local Scratch scratchA, scratchB;

// ---- portable micro-kernel (level 0): plain loops, simply correct ----

template <typename T, int MR_, int LANES>
struct Portable {
  static constexpr int MR = MR_;
  template <int ROWS, int VECS, bool ROW_A>
  static void run(int kc, const T* pa, long lda, const T* pb, long ldb, T* c, int ldc, bool accumulate, const T* bias,
                  int cols) {
    constexpr int COLS = VECS * LANES;
    T acc[ROWS][COLS] = {};
    for (int p = 0; p < kc; ++p, pa += ROW_A ? 1 : lda, pb += ldb)
      for (int i = 0; i < ROWS; ++i)
        for (int j = 0; j < COLS; ++j) acc[i][j] += pa[ROW_A ? i * lda : i] * pb[j];
    for (int i = 0; i < ROWS; ++i)
      for (int j = 0; j < cols; ++j) {
        T* out = c + i * ldc + j;
        *out = accumulate ? *out + acc[i][j] : bias ? acc[i][j] + bias[j] : acc[i][j];
      }
  }
};

#ifdef CHAINRULE_X86
// One SIMD family: MR rows × 2 vectors, one broadcast of A and two loads of B per step of k.
// MASK(n) makes the mask of the first n lanes for MLOAD(p, mask) (zero past it) and MSTORE(p, mask, v).
#define CHAINRULE_SIMD_FAMILY(NAME, TARGET, MR_, T, VEC, SET1, LOADU, STOREU, FMADD, ADD, ZERO, LANES, MASK, MLOAD,  \
                              MSTORE)                                                                            \
  struct NAME {                                                                                                  \
    static constexpr int MR = MR_;                                                                               \
    template <int ROWS, int VECS, bool ROW_A>                                                                    \
    __attribute__((target(TARGET))) static void run(int kc, const T* pa, long lda, const T* pb, long ldb, T* c,   \
                                                    int ldc, bool accumulate, const T* bias, int cols) {         \
      VEC acc[ROWS][VECS];                                                                                       \
      _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i)                                                    \
        _Pragma("GCC unroll 2") for (int v = 0; v < VECS; ++v) acc[i][v] = ZERO();                               \
      for (int p = 0; p < kc; ++p, pa += ROW_A ? 1 : lda, pb += ldb) {                                           \
        VEC b[VECS];                                                                                             \
        _Pragma("GCC unroll 2") for (int v = 0; v < VECS; ++v) b[v] = LOADU(pb + v * LANES);                     \
        _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) {                                                \
          const VEC ai = SET1(pa[ROW_A ? i * lda : i]);                                                          \
          _Pragma("GCC unroll 2") for (int v = 0; v < VECS; ++v) acc[i][v] = FMADD(ai, b[v], acc[i][v]);         \
        }                                                                                                        \
      }                                                                                                          \
      if (cols == VECS * LANES) {                                                                                \
        _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i)                                                  \
          _Pragma("GCC unroll 2") for (int v = 0; v < VECS; ++v) {                                               \
            T* out = c + i * ldc + v * LANES;                                                                    \
            VEC r = acc[i][v];                                                                                   \
            if (accumulate) r = ADD(LOADU(out), r);                                                              \
            else if (bias) r = ADD(r, LOADU(bias + v * LANES));                                                  \
            STOREU(out, r);                                                                                      \
          }                                                                                                      \
        return;                                                                                                  \
      }                                                                                                          \
      const auto mask = MASK(cols - (VECS - 1) * LANES); /* the last vector's valid lanes */                     \
      _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i)                                                    \
        _Pragma("GCC unroll 2") for (int v = 0; v < VECS; ++v) {                                                 \
          T* out = c + i * ldc + v * LANES;                                                                      \
          const bool last = v == VECS - 1;                                                                       \
          VEC r = acc[i][v];                                                                                     \
          if (accumulate) r = ADD(last ? MLOAD(out, mask) : LOADU(out), r);                                      \
          else if (bias) r = ADD(r, last ? MLOAD(bias + v * LANES, mask) : LOADU(bias + v * LANES));             \
          if (last) MSTORE(out, mask, r);                                                                        \
          else STOREU(out, r);                                                                                   \
        }                                                                                                        \
    }                                                                                                            \
  };

// Lane masks of the first n lanes and masked loads/stores, for the families above and the packers below (AVX2
// has no mask registers: its masks are lanes of -1).
__attribute__((target("avx512f"))) inline __mmask16 lanes16(int n) { return __mmask16((1u << n) - 1); }
__attribute__((target("avx512f"))) inline __mmask8 lanes8(int n) { return __mmask8((1u << n) - 1); }
__attribute__((target("avx2,fma"))) inline __m256i lanes32x8(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
__attribute__((target("avx2,fma"))) inline __m256i lanes64x4(int n) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
}
#define CHAINRULE_AVX2_MLOAD_PS(p, mask) _mm256_maskload_ps(p, mask)
#define CHAINRULE_AVX2_MSTORE_PS(p, mask, v) _mm256_maskstore_ps(p, mask, v)
#define CHAINRULE_AVX2_MLOAD_PD(p, mask) _mm256_maskload_pd(p, mask)
#define CHAINRULE_AVX2_MSTORE_PD(p, mask, v) _mm256_maskstore_pd(p, mask, v)
#define CHAINRULE_AVX512_MLOAD_PS(p, mask) _mm512_maskz_loadu_ps(mask, p)
#define CHAINRULE_AVX512_MSTORE_PS(p, mask, v) _mm512_mask_storeu_ps(p, mask, v)
#define CHAINRULE_AVX512_MLOAD_PD(p, mask) _mm512_maskz_loadu_pd(mask, p)
#define CHAINRULE_AVX512_MSTORE_PD(p, mask, v) _mm512_mask_storeu_pd(p, mask, v)

// AVX2 + FMA: 6×16 floats / 6×8 doubles, 12 ymm accumulators.
CHAINRULE_SIMD_FAMILY(Avx2F, "avx2,fma", 6, float, __m256, _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps,
                      _mm256_fmadd_ps, _mm256_add_ps, _mm256_setzero_ps, 8, lanes32x8,
                      CHAINRULE_AVX2_MLOAD_PS, CHAINRULE_AVX2_MSTORE_PS)
CHAINRULE_SIMD_FAMILY(Avx2D, "avx2,fma", 6, double, __m256d, _mm256_set1_pd, _mm256_loadu_pd, _mm256_storeu_pd,
                      _mm256_fmadd_pd, _mm256_add_pd, _mm256_setzero_pd, 4, lanes64x4,
                      CHAINRULE_AVX2_MLOAD_PD, CHAINRULE_AVX2_MSTORE_PD)
// AVX-512: 14×32 floats / 14×16 doubles, 28 zmm accumulators.
CHAINRULE_SIMD_FAMILY(Avx512F, "avx512f", 14, float, __m512, _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps,
                      _mm512_fmadd_ps, _mm512_add_ps, _mm512_setzero_ps, 16, lanes16,
                      CHAINRULE_AVX512_MLOAD_PS, CHAINRULE_AVX512_MSTORE_PS)
CHAINRULE_SIMD_FAMILY(Avx512D, "avx512f", 14, double, __m512d, _mm512_set1_pd, _mm512_loadu_pd, _mm512_storeu_pd,
                      _mm512_fmadd_pd, _mm512_add_pd, _mm512_setzero_pd, 8, lanes8,
                      CHAINRULE_AVX512_MLOAD_PD, CHAINRULE_AVX512_MSTORE_PD)
#endif

#ifdef CHAINRULE_X86
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own _mm512_undefined_ps (a known false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Transposes 16 rows of 16 floats in registers (unpack, 128-bit-lane shuffles, then two 4-lane shuffles).
__attribute__((target("avx512f"))) inline void transpose16x16(__m512 r[16]) {
  __m512 t[16];
  _Pragma("GCC unroll 16") for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  _Pragma("GCC unroll 16") for (int g = 0; g < 16; g += 4) {
    r[g] = _mm512_shuffle_ps(t[g], t[g + 2], 0x44);
    r[g + 1] = _mm512_shuffle_ps(t[g], t[g + 2], 0xEE);
    r[g + 2] = _mm512_shuffle_ps(t[g + 1], t[g + 3], 0x44);
    r[g + 3] = _mm512_shuffle_ps(t[g + 1], t[g + 3], 0xEE);
  }
  _Pragma("GCC unroll 16") for (int h = 0; h < 16; h += 8)
    _Pragma("GCC unroll 16") for (int i = 0; i < 4; ++i) {
      t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xDD);
    }
  _Pragma("GCC unroll 16") for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  }
}

// Packs `count` (≤ 16) rows that are contiguous in p (row j at src + j·ld) into kc steps of `width` (≤ 16)
// values, out[p·outStride + j], zero past `count`: 16×16 blocks transposed in registers instead of scalar
// loads with a stride per value.
__attribute__((target("avx512f"))) void packRowsTransposedAvx512F(int kc, const float* src, long ld, int count,
                                                                   int width, float* out, int outStride) {
  const __mmask16 lanes = __mmask16((1u << width) - 1);
  int p0 = 0;
  for (; p0 + 16 <= kc; p0 += 16) {
    __m512 r[16];
    _Pragma("GCC unroll 16") for (int j = 0; j < 16; ++j) r[j] =
        j < count ? _mm512_loadu_ps(src + j * ld + p0) : _mm512_setzero_ps();
    transpose16x16(r);
    _Pragma("GCC unroll 16") for (int p = 0; p < 16; ++p) _mm512_mask_storeu_ps(out + (p0 + p) * outStride, lanes, r[p]);
  }
  if (p0 < kc) {  // the last steps: one more block, loaded masked (nothing read past the rows), stored in part
    const int steps = kc - p0;
    const __mmask16 valid = lanes16(steps);
    __m512 r[16];
    _Pragma("GCC unroll 16") for (int j = 0; j < 16; ++j) r[j] =
        j < count ? _mm512_maskz_loadu_ps(valid, src + j * ld + p0) : _mm512_setzero_ps();
    transpose16x16(r);
    for (int p = 0; p < steps; ++p) _mm512_mask_storeu_ps(out + (p0 + p) * outStride, lanes, r[p]);
  }
}

// A full 32-wide panel of Bᵀ (column j at b + j·ld) for the AVX-512 float kernel.
__attribute__((target("avx512f"))) void packTransposedPanelAvx512F(int kc, const float* b, long ld, float* out) {
  packRowsTransposedAvx512F(kc, b, ld, 16, 16, out, 32);
  packRowsTransposedAvx512F(kc, b + 16 * ld, ld, 16, 16, out + 16, 32);
}

// One 14-tall panel of A (row i at a + i·ld, `rows` of them) for the AVX-512 float kernel.
__attribute__((target("avx512f"))) void packRowPanelAvx512F(int kc, const float* a, long ld, int rows, float* out) {
  packRowsTransposedAvx512F(kc, a, ld, rows, 14, out, 14);
}
// One 14-tall panel of Aᵀ's columns (the panel's 14 values for step p are contiguous at a + p·ld).
__attribute__((target("avx512f"))) void packColumnPanelAvx512F(int kc, const float* a, long ld, int rows, float* out) {
  const __mmask16 valid = __mmask16((1u << rows) - 1), panel = __mmask16((1u << 14) - 1);
  for (int p = 0; p < kc; ++p) _mm512_mask_storeu_ps(out + p * 14, panel, _mm512_maskz_loadu_ps(valid, a + p * ld));
}

__attribute__((target("avx512f"))) void packPartialPanelAvx512F(int kc, const float* b, long ld, int cols, float* out) {
  const __mmask16 low = lanes16(std::min(cols, 16)), high = lanes16(std::max(cols - 16, 0));
  for (int p = 0; p < kc; ++p, b += ld, out += 32) {
    _mm512_storeu_ps(out, _mm512_maskz_loadu_ps(low, b));
    _mm512_storeu_ps(out + 16, _mm512_maskz_loadu_ps(high, b + 16));
  }
}
// Transposes 8 rows of 8 doubles in registers.
__attribute__((target("avx512f"))) inline void transpose8x8(__m512d r[8]) {
  __m512d t[8], u[8];
  _Pragma("GCC unroll 8") for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
  }
  _Pragma("GCC unroll 8") for (int h = 0; h < 8; h += 4) {
    u[h] = _mm512_shuffle_f64x2(t[h], t[h + 2], 0x88);      // columns 0, 4
    u[h + 1] = _mm512_shuffle_f64x2(t[h], t[h + 2], 0xDD);  // columns 2, 6
    u[h + 2] = _mm512_shuffle_f64x2(t[h + 1], t[h + 3], 0x88);  // columns 1, 5
    u[h + 3] = _mm512_shuffle_f64x2(t[h + 1], t[h + 3], 0xDD);  // columns 3, 7
  }
  r[0] = _mm512_shuffle_f64x2(u[0], u[4], 0x88);
  r[4] = _mm512_shuffle_f64x2(u[0], u[4], 0xDD);
  r[2] = _mm512_shuffle_f64x2(u[1], u[5], 0x88);
  r[6] = _mm512_shuffle_f64x2(u[1], u[5], 0xDD);
  r[1] = _mm512_shuffle_f64x2(u[2], u[6], 0x88);
  r[5] = _mm512_shuffle_f64x2(u[2], u[6], 0xDD);
  r[3] = _mm512_shuffle_f64x2(u[3], u[7], 0x88);
  r[7] = _mm512_shuffle_f64x2(u[3], u[7], 0xDD);
}

// The double version of packRowsTransposedAvx512F: count ≤ 8 rows, width ≤ 8 values per step.
__attribute__((target("avx512f"))) void packRowsTransposedAvx512D(int kc, const double* src, long ld, int count,
                                                                   int width, double* out, int outStride) {
  const __mmask8 lanes = __mmask8((1u << width) - 1);
  int p0 = 0;
  for (; p0 + 8 <= kc; p0 += 8) {
    __m512d r[8];
    _Pragma("GCC unroll 8") for (int j = 0; j < 8; ++j) r[j] =
        j < count ? _mm512_loadu_pd(src + j * ld + p0) : _mm512_setzero_pd();
    transpose8x8(r);
    _Pragma("GCC unroll 8") for (int p = 0; p < 8; ++p) _mm512_mask_storeu_pd(out + (p0 + p) * outStride, lanes, r[p]);
  }
  if (p0 < kc) {  // the last steps: one more block, loaded masked (nothing read past the rows), stored in part
    const int steps = kc - p0;
    const __mmask8 valid = lanes8(steps);
    __m512d r[8];
    _Pragma("GCC unroll 8") for (int j = 0; j < 8; ++j) r[j] =
        j < count ? _mm512_maskz_loadu_pd(valid, src + j * ld + p0) : _mm512_setzero_pd();
    transpose8x8(r);
    for (int p = 0; p < steps; ++p) _mm512_mask_storeu_pd(out + (p0 + p) * outStride, lanes, r[p]);
  }
}

__attribute__((target("avx512f"))) void packTransposedPanelAvx512D(int kc, const double* b, long ld, double* out) {
  packRowsTransposedAvx512D(kc, b, ld, 8, 8, out, 16);
  packRowsTransposedAvx512D(kc, b + 8 * ld, ld, 8, 8, out + 8, 16);
}

__attribute__((target("avx512f"))) void packRowPanelAvx512D(int kc, const double* a, long ld, int rows, double* out) {
  packRowsTransposedAvx512D(kc, a, ld, std::min(rows, 8), 8, out, 14);
  packRowsTransposedAvx512D(kc, a + 8 * ld, ld, std::max(rows - 8, 0), 6, out + 8, 14);
}

__attribute__((target("avx512f"))) void packColumnPanelAvx512D(int kc, const double* a, long ld, int rows,
                                                                double* out) {
  const __mmask8 low = __mmask8((1u << std::min(rows, 8)) - 1), high = __mmask8((1u << std::max(rows - 8, 0)) - 1);
  for (int p = 0; p < kc; ++p) {
    _mm512_storeu_pd(out + p * 14, _mm512_maskz_loadu_pd(low, a + p * ld));
    _mm512_mask_storeu_pd(out + p * 14 + 8, 0x3F, _mm512_maskz_loadu_pd(high, a + p * ld + 8));
  }
}

__attribute__((target("avx512f"))) void packPartialPanelAvx512D(int kc, const double* b, long ld, int cols,
                                                                 double* out) {
  const __mmask8 low = lanes8(std::min(cols, 8)), high = lanes8(std::max(cols - 8, 0));
  for (int p = 0; p < kc; ++p, b += ld, out += 16) {
    _mm512_storeu_pd(out, _mm512_maskz_loadu_pd(low, b));
    _mm512_storeu_pd(out + 8, _mm512_maskz_loadu_pd(high, b + 8));
  }
}
// ---- AVX2 float packing: the same ideas with 8×8 transposes and maskload/maskstore ----

__attribute__((target("avx2,fma"))) inline void transpose8x8(__m256 r[8]) {
  __m256 t[8], u[8];
  _Pragma("GCC unroll 8") for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  _Pragma("GCC unroll 8") for (int h = 0; h < 8; h += 4) {
    u[h] = _mm256_shuffle_ps(t[h], t[h + 2], 0x44);
    u[h + 1] = _mm256_shuffle_ps(t[h], t[h + 2], 0xEE);
    u[h + 2] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44);
    u[h + 3] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xEE);
  }
  _Pragma("GCC unroll 8") for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}

// count ≤ 8 rows contiguous in p (row j at src + j·ld) into kc steps of `width` ≤ 8 values, zero past count.
__attribute__((target("avx2,fma"))) void packRowsTransposedAvx2F(int kc, const float* src, long ld, int count,
                                                                  int width, float* out, int outStride) {
  const __m256i lanes = lanes32x8(width);
  int p0 = 0;
  for (; p0 + 8 <= kc; p0 += 8) {
    __m256 r[8];
    _Pragma("GCC unroll 8") for (int j = 0; j < 8; ++j) r[j] =
        j < count ? _mm256_loadu_ps(src + j * ld + p0) : _mm256_setzero_ps();
    transpose8x8(r);
    if (width == 8) {
      _Pragma("GCC unroll 8") for (int p = 0; p < 8; ++p) _mm256_storeu_ps(out + (p0 + p) * outStride, r[p]);
    } else {
      _Pragma("GCC unroll 8") for (int p = 0; p < 8; ++p) _mm256_maskstore_ps(out + (p0 + p) * outStride, lanes, r[p]);
    }
  }
  if (p0 < kc) {  // the last steps: one more block, loaded masked (nothing read past the rows), stored in part
    const int steps = kc - p0;
    const __m256i valid = lanes32x8(steps);
    __m256 r[8];
    _Pragma("GCC unroll 8") for (int j = 0; j < 8; ++j) r[j] =
        j < count ? _mm256_maskload_ps(src + j * ld + p0, valid) : _mm256_setzero_ps();
    transpose8x8(r);
    for (int p = 0; p < steps; ++p) _mm256_maskstore_ps(out + (p0 + p) * outStride, lanes, r[p]);
  }
}

__attribute__((target("avx2,fma"))) void packTransposedPanelAvx2F(int kc, const float* b, long ld, float* out) {
  packRowsTransposedAvx2F(kc, b, ld, 8, 8, out, 16);
  packRowsTransposedAvx2F(kc, b + 8 * ld, ld, 8, 8, out + 8, 16);
}

__attribute__((target("avx2,fma"))) void packRowPanelAvx2F(int kc, const float* a, long ld, int rows, float* out) {
  packRowsTransposedAvx2F(kc, a, ld, rows, 6, out, 6);
}

__attribute__((target("avx2,fma"))) void packColumnPanelAvx2F(int kc, const float* a, long ld, int rows, float* out) {
  const __m256i valid = lanes32x8(rows), panel = lanes32x8(6);
  for (int p = 0; p < kc; ++p) _mm256_maskstore_ps(out + p * 6, panel, _mm256_maskload_ps(a + p * ld, valid));
}

__attribute__((target("avx2,fma"))) void packPartialPanelAvx2F(int kc, const float* b, long ld, int cols, float* out) {
  const __m256i low = lanes32x8(std::min(cols, 8)), high = lanes32x8(std::max(cols - 8, 0));
  for (int p = 0; p < kc; ++p, b += ld, out += 16) {
    _mm256_storeu_ps(out, _mm256_maskload_ps(b, low));
    _mm256_storeu_ps(out + 8, _mm256_maskload_ps(b + 8, high));
  }
}
__attribute__((target("avx2,fma"))) inline void transpose4x4(__m256d r[4]) {
  const __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
  const __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
  r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
  r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
  r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
  r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// count ≤ 4 rows contiguous in p into kc steps of `width` ≤ 4 values, zero past count.
__attribute__((target("avx2,fma"))) void packRowsTransposedAvx2D(int kc, const double* src, long ld, int count,
                                                                  int width, double* out, int outStride) {
  const __m256i lanes = lanes64x4(width);
  int p0 = 0;
  for (; p0 + 4 <= kc; p0 += 4) {
    __m256d r[4];
    _Pragma("GCC unroll 4") for (int j = 0; j < 4; ++j) r[j] =
        j < count ? _mm256_loadu_pd(src + j * ld + p0) : _mm256_setzero_pd();
    transpose4x4(r);
    _Pragma("GCC unroll 4") for (int p = 0; p < 4; ++p) _mm256_maskstore_pd(out + (p0 + p) * outStride, lanes, r[p]);
  }
  if (p0 < kc) {  // the last steps: one more block, loaded masked (nothing read past the rows), stored in part
    const int steps = kc - p0;
    const __m256i valid = lanes64x4(steps);
    __m256d r[4];
    _Pragma("GCC unroll 4") for (int j = 0; j < 4; ++j) r[j] =
        j < count ? _mm256_maskload_pd(src + j * ld + p0, valid) : _mm256_setzero_pd();
    transpose4x4(r);
    for (int p = 0; p < steps; ++p) _mm256_maskstore_pd(out + (p0 + p) * outStride, lanes, r[p]);
  }
}

__attribute__((target("avx2,fma"))) void packTransposedPanelAvx2D(int kc, const double* b, long ld, double* out) {
  packRowsTransposedAvx2D(kc, b, ld, 4, 4, out, 8);
  packRowsTransposedAvx2D(kc, b + 4 * ld, ld, 4, 4, out + 4, 8);
}

__attribute__((target("avx2,fma"))) void packRowPanelAvx2D(int kc, const double* a, long ld, int rows, double* out) {
  packRowsTransposedAvx2D(kc, a, ld, std::min(rows, 4), 4, out, 6);
  packRowsTransposedAvx2D(kc, a + 4 * ld, ld, std::max(rows - 4, 0), 2, out + 4, 6);
}

__attribute__((target("avx2,fma"))) void packColumnPanelAvx2D(int kc, const double* a, long ld, int rows,
                                                               double* out) {
  const __m256i low = lanes64x4(std::min(rows, 4)), high = lanes64x4(std::max(rows - 4, 0));
  const __m256i highPanel = lanes64x4(2);
  for (int p = 0; p < kc; ++p) {
    _mm256_storeu_pd(out + p * 6, _mm256_maskload_pd(a + p * ld, low));
    _mm256_maskstore_pd(out + p * 6 + 4, highPanel, _mm256_maskload_pd(a + p * ld + 4, high));
  }
}

__attribute__((target("avx2,fma"))) void packPartialPanelAvx2D(int kc, const double* b, long ld, int cols, double* out) {
  const __m256i low = lanes64x4(std::min(cols, 4)), high = lanes64x4(std::max(cols - 4, 0));
  for (int p = 0; p < kc; ++p, b += ld, out += 8) {
    _mm256_storeu_pd(out, _mm256_maskload_pd(b, low));
    _mm256_storeu_pd(out + 4, _mm256_maskload_pd(b + 4, high));
  }
}
#pragma GCC diagnostic pop
#endif

// ---- the shapes per level ----

template <typename T>
KernelShape<T> shapeFor(int level);

template <>
KernelShape<float> shapeFor<float>(int level) {
#ifdef CHAINRULE_X86
  if (level >= 2) return {14, 32, 16, 14 * 12, 384, 4096, pickKernel<Avx512F, float>, packTransposedPanelAvx512F,
                             packRowPanelAvx512F, packColumnPanelAvx512F, packPartialPanelAvx512F};
  if (level == 1) return {6, 16, 8, 6 * 24, 256, 4096, pickKernel<Avx2F, float>, packTransposedPanelAvx2F,
                             packRowPanelAvx2F, packColumnPanelAvx2F, packPartialPanelAvx2F};
#endif
  (void)level;
  return {4, 8, 4, 64, 256, 2048, pickKernel<Portable<float, 4, 4>, float>, nullptr, nullptr, nullptr, nullptr};
}

template <>
KernelShape<double> shapeFor<double>(int level) {
#ifdef CHAINRULE_X86
  if (level >= 2) return {14, 16, 8, 14 * 8, 256, 2048, pickKernel<Avx512D, double>, packTransposedPanelAvx512D,
                             packRowPanelAvx512D, packColumnPanelAvx512D, packPartialPanelAvx512D};
  if (level == 1) return {6, 8, 4, 6 * 16, 256, 2048, pickKernel<Avx2D, double>, packTransposedPanelAvx2D,
                             packRowPanelAvx2D, packColumnPanelAvx2D, packPartialPanelAvx2D};
#endif
  (void)level;
  return {4, 4, 2, 64, 256, 2048, pickKernel<Portable<double, 4, 2>, double>, nullptr, nullptr, nullptr, nullptr};
}

// The best level this CPU (and OS) can run: a caller asking for more gets this instead of an illegal instruction.
int supportedLevel() {
#ifdef CHAINRULE_X86
  static const int level = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
  }();
  return level;
#else
  return 0;
#endif
}

// ---- the driver ----

// The most column panels that may read an A block in place (see gemmRows).
constexpr int kMaxInPlaceReuse = 8;

template <typename T>
void gemmRows(int level, int m, int n, int k, const T* a, bool transA, const T* b, bool transB, const T* bias, T* c,
              int row0, int row1) {
  row0 = std::max(row0, 0);
  row1 = std::min(row1, m);
  if (row0 >= row1 || n <= 0) return;
  if (k <= 0) {  // empty sum: C is the bias (or zero)
    for (int i = row0; i < row1; ++i)
      for (int j = 0; j < n; ++j) c[long(i) * n + j] = bias ? bias[j] : T(0);
    return;
  }
  const KernelShape<T> s = shapeFor<T>(std::min(level, supportedLevel()));
  // op(A)(i, p) = a[i * rsA + p * csA]; op(B)(p, j) = b[p * rsB + j * csB].
  const long rsA = transA ? 1 : k, csA = transA ? m : 1;
  const long rsB = transB ? 1 : n, csB = transB ? k : 1;
  const int kcMax = std::min(s.kc, k);
  const int ncMax = std::min(s.nc, (n + s.nr - 1) / s.nr * s.nr);
  const int mcMax = std::min(s.mc, (row1 - row0 + s.mr - 1) / s.mr * s.mr);
  // Both operands read in place (see below) and k in several slices: each tile runs its k slices back to back,
  // so the tile stays in L1 between them and a panel of B streams once per tile instead of once per slice.
  // The same sums in the same order (slice by slice, C + slice), so the same bits as the slice-outer order.
  const bool wholeInPlace = k > s.kc && csB == 1 && n % s.nr == 0 && n <= s.nc && row1 - row0 <= s.mc &&
                            (n + s.nr - 1) / s.nr <= kMaxInPlaceReuse;
  if (wholeInPlace) {
    const bool aRows = csA == 1;
    const long lda = aRows ? rsA : csA;
    for (int jr = 0; jr < n; jr += s.nr)
      for (int ir = row0; ir < row1; ir += s.mr) {
        const int rows = std::min(s.mr, row1 - ir);
        const MicroKernel<T> micro = s.pick(rows, 2, aRows);
        T* tile = c + long(ir) * n + jr;
        for (int pc = 0; pc < k; pc += s.kc)
          micro(std::min(s.kc, k - pc), a + ir * rsA + pc * csA, lda, b + pc * rsB + jr, rsB, tile, n, pc > 0,
                bias && pc == 0 ? bias + jr : nullptr, s.nr);
      }
    return;
  }
  T* packedA = static_cast<T*>(scratchA.get(sizeof(T) * size_t(mcMax + s.mr) * kcMax));
  T* packedB = static_cast<T*>(scratchB.get(sizeof(T) * size_t(ncMax + s.nr) * kcMax));

  for (int jc = 0; jc < n; jc += s.nc) {
    const int nc = std::min(s.nc, n - jc);
    for (int pc = 0; pc < k; pc += s.kc) {
      const int kc = std::min(s.kc, k - pc);
      const bool accumulate = pc > 0;
      // op(B) row-major in whole panels, used by one block of rows: the micro-kernel reads B's rows in place.
      // For the MLP's products (64 rows) the copy it saves cost more than the strided reads; a panel used by
      // many blocks of rows (1024³) is worth its copy, which keeps it contiguous in cache.
      const bool inPlace = csB == 1 && nc % s.nr == 0 && row1 - row0 <= s.mc;
      if (!inPlace) packB(kc, nc, b + pc * rsB + jc * csB, rsB, csB, s, packedB);
      const long ldb = inPlace ? rsB : s.nr;
      for (int ic = row0; ic < row1; ic += s.mc) {
        const int mc = std::min(s.mc, row1 - ic);
        // Read in place when few column panels use the A block (its copy is then not paid back): from a row-major
        // A (rowA), or from Aᵀ, where a panel's values for step p lie together in A's row p. The MLP's products
        // ran 5-15 % faster without the copy (interleaved A/B); 1024³ keeps it.
        const bool fewPanels = (n + s.nr - 1) / s.nr <= kMaxInPlaceReuse;
        const bool aRows = csA == 1 && fewPanels;
        const bool aInPlace = aRows || (rsA == 1 && fewPanels);
        if (!aInPlace) packA(mc, kc, a + ic * rsA + pc * csA, rsA, csA, s, packedA);
        const long lda = aRows ? rsA : aInPlace ? csA : s.mr;
        for (int jr = 0; jr < nc; jr += s.nr) {
          const int cols = std::min(s.nr, nc - jr);
          const T* pb = inPlace ? b + pc * rsB + jc + jr : packedB + long(jr) * kc;
          const T* tileBias = bias && !accumulate ? bias + jc + jr : nullptr;
          for (int ir = 0; ir < mc; ir += s.mr) {
            const int rows = std::min(s.mr, mc - ir);
            const T* pa = aInPlace ? a + (ic + ir) * rsA + pc * csA : packedA + long(ir) * kc;
            T* tile = c + long(ic + ir) * n + jc + jr;
            const int vecs = (cols + s.lanes - 1) / s.lanes;
            s.pick(rows, vecs, aRows)(kc, pa, lda, pb, ldb, tile, n, accumulate, tileBias, cols);
          }
        }
      }
    }
  }
}

}  // namespace

void sgemm(int level, int m, int n, int k, const float* a, bool transA, const float* b, bool transB,
           const float* bias, float* c) {
  gemmRows<float>(level, m, n, k, a, transA, b, transB, bias, c, 0, m);
}
void dgemm(int level, int m, int n, int k, const double* a, bool transA, const double* b, bool transB,
           const double* bias, double* c) {
  gemmRows<double>(level, m, n, k, a, transA, b, transB, bias, c, 0, m);
}
void sgemmRows(int level, int m, int n, int k, const float* a, bool transA, const float* b, bool transB,
               const float* bias, float* c, int row0, int row1) {
  gemmRows<float>(level, m, n, k, a, transA, b, transB, bias, c, row0, row1);
}
void dgemmRows(int level, int m, int n, int k, const double* a, bool transA, const double* b, bool transB,
               const double* bias, double* c, int row0, int row1) {
  gemmRows<double>(level, m, n, k, a, transA, b, transB, bias, c, row0, row1);
}

}  // namespace chainrule
