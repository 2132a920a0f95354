// nascent/ops/concat.hpp - channel concatenation of two activations, and channel slices.
//
// concat joins the two branches of channel_split / branches (space/channel_split.hpp,
// space/branches.hpp): y = [a, b] along channels, both of the same spatial extent.
// The training kernels (nn/kernels/concat.hpp) copy runs of channels between NHWC tensors with different channel
// counts: a slice [first, first + count) of every pixel of x, or a run written at an
// offset of every pixel of y.
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"

namespace nascent {

struct concat final {
    /// Both operands must have the same spatial extent.
    [[nodiscard]] static constexpr bool accepts(shape a, shape b) noexcept {
        return a.valid() && b.valid() && a.h == b.h && a.w == b.w;
    }
    [[nodiscard]] static constexpr problem diagnose(shape a, shape b) noexcept {
        return a.valid() && b.valid() ? problem::branch_extents_differ : problem::op_rejects_input;
    }
    [[nodiscard]] static constexpr shape output(shape a, shape b) noexcept { return shape{a.h, a.w, a.c + b.c}; }
    [[nodiscard]] static constexpr std::size_t params(shape /*a*/, shape /*b*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape /*a*/, shape /*b*/) noexcept { return 0; }
};

} // namespace nascent
