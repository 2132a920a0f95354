// nascent/nn/kernels/dense.hpp - host training kernels of dense (ops/dense.hpp):
// fully connected forward and backward on GEMM.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::dense_forward(batch, features, units, x, w, b, y);
#pragma once

#include <algorithm>
#include <cstddef>

#include "nascent/nn/kernels/gemm.hpp"
#include "nascent/ops/dense.hpp"

namespace nascent::kernels {

/// y[batch x units] = x[batch x features] * w^T + b.
template <class T>
void dense_forward(int batch, int features, int units, const T* x, const T* w, const T* b, T* y) noexcept {
    T* row = y;
    for (int n = 0; n < batch; ++n, row += units) std::copy(b, b + units, row);
    blas::gemm(blas::trans::no, blas::trans::yes, batch, units, features, T{1}, x, features, w, features, T{1}, y, units);
}

/// Accumulates dw += dy^T x, db += column sums of dy, and dx += dy w (when dx is not null).
template <class T>
void dense_backward(int batch, int features, int units, const T* x, const T* w, const T* dy, T* dx, T* dw,
                    T* db) noexcept {
    const T* row = dy;
    for (int n = 0; n < batch; ++n, row += units)
        for (int u = 0; u < units; ++u) db[u] += row[u];
    blas::gemm(blas::trans::yes, blas::trans::no, units, features, batch, T{1}, dy, units, x, features, T{1}, dw, features);
    if (dx != nullptr)
        blas::gemm(blas::trans::no, blas::trans::no, batch, features, units, T{1}, dy, units, w, features, T{1}, dx, features);
}

} // namespace nascent::kernels
