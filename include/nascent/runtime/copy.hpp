// nascent/runtime/copy.hpp - kernels that only move elements, shared by both precisions.
//
// fill_output(step, value, arena) writes one value over the output (zero); shuffle_channels<T>()
// is ShuffleNet's channel shuffle (in place through one pixel of scratch). Freestanding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy {

namespace detail {

/// Writes `value` to every output element.
template <class T>
inline void fill_output(const step& s, T value, std::byte* arena) noexcept {
    T* y = element_at<T>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto stride = static_cast<std::size_t>(stride_of(s.out));
    const int n = pixels(s.out.extent);
    if (stride == c) {
        std::fill(y, y + static_cast<std::size_t>(n) * c, value);
        return;
    }
    for (int p = 0; p < n; ++p, y += stride) std::fill(y, y + c, value);
}

/// channel_shuffle of either precision (no arithmetic): pixel by pixel; in place through one
/// pixel of scratch.
template <class T>
inline void shuffle_channels(const step& s, std::byte* arena) noexcept {
    const T* x = element_at<T>(arena, s.in[0].offset);
    T* y = element_at<T>(arena, s.out.offset);
    T* tmp = element_at<T>(arena, s.scratch_offset);
    const int c = s.out.extent.c;
    const int groups = s.window.groups;
    const int per_group = c / groups;
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const int n = pixels(s.out.extent);
    for (int p = 0; p < n; ++p, x += in_stride, y += out_stride) {
        const T* src = x;
        if (s.in_place) {
            std::memcpy(tmp, x, static_cast<std::size_t>(c) * sizeof(T));
            src = tmp;
        }
        for (int grp = 0; grp < groups; ++grp)
            for (int i = 0; i < per_group; ++i) y[i * groups + grp] = src[grp * per_group + i];
    }
}

} // namespace detail

} // namespace nascent::deploy
