// The packed GEMM behind the native kernel set's matmul and linear (gemm.cc): C = op(A) · op(B) (+ bias),
// row-major, op transposes when asked. A is [m,k] (or [k,m] when transA), B is [k,n] (or [n,k] when transB),
// C is [m,n] and is overwritten. bias (may be null) is added to every row of C. `level` picks the code path:
// 2 = AVX-512, 1 = AVX2+FMA, 0 = portable C++; the caller passes the best the CPU supports (or a lower one
// to test it). Single-threaded; the caller splits work across threads by output rows.
#pragma once
#include <cstddef>

namespace chainrule {

void sgemm(int level, int m, int n, int k, const float* a, bool transA, const float* b, bool transB,
           const float* bias, float* c);
void dgemm(int level, int m, int n, int k, const double* a, bool transA, const double* b, bool transB,
           const double* bias, double* c);

// Rows [row0, row1) of C only (for threads splitting by output rows); same arguments otherwise.
void sgemmRows(int level, int m, int n, int k, const float* a, bool transA, const float* b, bool transB,
               const float* bias, float* c, int row0, int row1);
void dgemmRows(int level, int m, int n, int k, const double* a, bool transA, const double* b, bool transB,
               const double* bias, double* c, int row0, int row1);

}  // namespace chainrule
