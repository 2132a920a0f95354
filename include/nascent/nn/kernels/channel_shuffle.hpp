// nascent/nn/kernels/channel_shuffle.hpp - host training kernels of channel_shuffle (ops/channel_shuffle.hpp):
// channel shuffle forward and backward.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::channel_shuffle_forward(pixels, channels, groups, x, y);
#pragma once

#include <cstddef>

#include "nascent/ops/channel_shuffle.hpp"

namespace nascent::kernels {

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

} // namespace nascent::kernels
