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

} // namespace nascent
