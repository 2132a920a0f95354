// nascent/nn/kernels/gemm.hpp - the matrix product every host training kernel is built on.
//
// A thin, typed front to OpenBLAS's cblas_sgemm / cblas_dgemm on row-major
// matrices: C = alpha * op(A) * op(B) + beta * C, where op(X) is X or its
// transpose. Leading dimensions are explicit, so sub-blocks (one group of a
// grouped convolution) are multiplied in place without copies.
#pragma once

#include <string_view>

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

/// The name of the kernel family OpenBLAS chose for this CPU ("Haswell", "SkylakeX", ...).
[[nodiscard]] inline const char* kernel_family() noexcept { return openblas_get_corename(); }

/// Empty when OpenBLAS runs kernels that fit the CPU; otherwise a hint. OpenBLAS picks its
/// kernels when it loads; on a CPU newer than its release it falls back to the SSE3
/// ("Prescott") kernels, about three times slower. The environment variable
/// OPENBLAS_CORETYPE (SkylakeX for AVX-512, Haswell for AVX2) overrides the choice.
[[nodiscard]] inline const char* kernel_warning() noexcept {
    const std::string_view family = kernel_family() != nullptr ? kernel_family() : "";
    const bool generic = family.empty() || family == "Prescott" || family == "Core2" || family == "Nehalem";
    if (generic && __builtin_cpu_supports("avx2"))
        return "OpenBLAS does not recognise this CPU and runs generic SSE3 kernels; set OPENBLAS_CORETYPE=SkylakeX "
               "(AVX-512) or OPENBLAS_CORETYPE=Haswell (AVX2) for about 3x faster training";
    return "";
}

} // namespace nascent::blas
