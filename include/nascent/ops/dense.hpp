// nascent/ops/dense.hpp - fully connected layer (training kernels: nn/kernels/dense.hpp).
//
// Reads a feature vector (shape {1, 1, features}); a 3-D activation must be
// flattened first. Weights [units][features], bias [units] (always present).
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"

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

} // namespace nascent
