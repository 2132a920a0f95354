// nascent/ops/channel_shuffle.hpp - ShuffleNet's channel shuffle: y = transpose of the channels seen as [Groups][C / Groups].
//
// Input channel g * (C / Groups) + i goes to output channel i * Groups + g, so every group of
// the next grouped convolution reads channels from every group of the previous one. The
// shape is kept; no parameters, no MACs (the deploy kernel permutes each pixel's channels
// in place through one pixel of scratch).
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"

namespace nascent {

template <int Groups>
struct channel_shuffle final {
    static_assert(Groups > 1, "channel_shuffle<Groups> needs at least two groups");
    static constexpr int groups = Groups;

    /// The channels must split into the groups.
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid() && in.c % Groups == 0; }
    [[nodiscard]] static constexpr problem diagnose(shape in) noexcept {
        return in.valid() ? problem::channels_do_not_split : problem::op_rejects_input;
    }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape /*in*/) noexcept { return 0; }
};

} // namespace nascent
