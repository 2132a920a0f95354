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

namespace kernels {

/// y = shuffle(x) over `pixels` pixels of `channels` channels each (NHWC).
template <class T>
void channel_shuffle_forward(std::size_t pixels, int channels, int groups, const T* x, T* y) noexcept {
    const auto c = static_cast<std::size_t>(channels);
    const auto g = static_cast<std::size_t>(groups);
    const std::size_t per_group = c / g;
    for (std::size_t p = 0; p < pixels; ++p, x += c, y += c)
        for (std::size_t grp = 0; grp < g; ++grp)
            for (std::size_t i = 0; i < per_group; ++i) y[i * g + grp] = x[grp * per_group + i];
}

/// dx += shuffle^-1(dy).
template <class T>
void channel_shuffle_backward(std::size_t pixels, int channels, int groups, const T* dy, T* dx) noexcept {
    const auto c = static_cast<std::size_t>(channels);
    const auto g = static_cast<std::size_t>(groups);
    const std::size_t per_group = c / g;
    for (std::size_t p = 0; p < pixels; ++p, dx += c, dy += c)
        for (std::size_t grp = 0; grp < g; ++grp)
            for (std::size_t i = 0; i < per_group; ++i) dx[grp * per_group + i] += dy[i * g + grp];
}

} // namespace kernels
} // namespace nascent
