// nascent/ops/dense.hpp - fully connected layer: descriptor and host training kernels.
//
// Reads a feature vector (shape {1, 1, features}); a 3-D activation must be
// flattened first. Weights [units][features], bias [units] (always present).
#pragma once

#include <algorithm>
#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/ops/gemm.hpp"

namespace nascent {

template <int Units>
struct dense final {
    static_assert(Units > 0, "dense<Units> needs at least one unit");
    static constexpr int units = Units;

    /// A dense layer reads vectors only: put `flatten` or `global_avg_pool` before it.
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid() && in.is_vector(); }
    [[nodiscard]] static constexpr problem diagnose(shape in) noexcept {
        return in.valid() ? problem::dense_needs_vector : problem::op_rejects_input;
    }
    [[nodiscard]] static constexpr shape output(shape /*in*/) noexcept { return shape{1, 1, Units}; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        return static_cast<std::size_t>(Units) * (in.size() + 1U);
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return static_cast<std::size_t>(Units) * in.size(); }
};

namespace kernels {

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

} // namespace kernels
} // namespace nascent
