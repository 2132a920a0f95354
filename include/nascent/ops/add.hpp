// nascent/ops/add.hpp - element-wise sum of two activations of the same shape (residual joins).
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

struct add final {
    /// Both operands must have the same shape.
    [[nodiscard]] static constexpr bool accepts(shape a, shape b) noexcept { return a.valid() && a == b; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return in.size(); }
};

namespace kernels {

template <class T>
void add_forward(std::size_t count, const T* a, const T* b, T* y) noexcept {
    for (std::size_t i = 0; i < count; ++i) y[i] = a[i] + b[i];
}

/// The gradient of a sum flows unchanged to each operand: d += dy.
template <class T>
void accumulate(std::size_t count, const T* dy, T* d) noexcept {
    for (std::size_t i = 0; i < count; ++i) d[i] += dy[i];
}

} // namespace kernels
} // namespace nascent
