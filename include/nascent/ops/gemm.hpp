// nascent/ops/gemm.hpp - the matrix product every host training kernel is built on.
//
// A thin, typed front to OpenBLAS's cblas_sgemm / cblas_dgemm on row-major
// matrices: C = alpha * op(A) * op(B) + beta * C, where op(X) is X or its
// transpose. Leading dimensions are explicit, so sub-blocks (one group of a
// grouped convolution) are multiplied in place without copies.
#pragma once

#include <cblas.h>

namespace nascent::blas {

enum class trans : bool { no = false, yes = true };

/// Row-major GEMM on float. m x n result, inner dimension k.
inline void gemm(trans ta, trans tb, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc) noexcept {
    cblas_sgemm(CblasRowMajor, ta == trans::yes ? CblasTrans : CblasNoTrans,
                tb == trans::yes ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/// Row-major GEMM on double (used by the gradient checker).
inline void gemm(trans ta, trans tb, int m, int n, int k, double alpha, const double* a, int lda,
                 const double* b, int ldb, double beta, double* c, int ldc) noexcept {
    cblas_dgemm(CblasRowMajor, ta == trans::yes ? CblasTrans : CblasNoTrans,
                tb == trans::yes ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/// Sets the number of threads OpenBLAS uses for every later product (1 = deterministic, single core).
inline void set_threads(int threads) noexcept { openblas_set_num_threads(threads); }

} // namespace nascent::blas
