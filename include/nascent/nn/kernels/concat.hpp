// nascent/nn/kernels/concat.hpp - host training kernels of concat (ops/concat.hpp):
// copies and sums of channel runs between NHWC tensors (concatenation and channel slices).
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::copy_channels(pixels, a, a_c, 0, y, a_c + b_c, 0, a_c);
#pragma once

#include <cstddef>

#include "nascent/ops/concat.hpp"

namespace nascent::kernels {

/// For every pixel: dst[dst_first .. + count) = src[src_first .. + count), where pixels of src
/// hold src_c channels and pixels of dst hold dst_c channels.
template <class T>
void copy_channels(std::size_t pixels, const T* src, int src_c, int src_first, T* dst, int dst_c, int dst_first,
                   int count) noexcept {
    const auto sc = static_cast<std::size_t>(src_c);
    const auto dc = static_cast<std::size_t>(dst_c);
    const auto n = static_cast<std::size_t>(count);
    src += src_first;
    dst += dst_first;
    for (std::size_t p = 0; p < pixels; ++p, src += sc, dst += dc)
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

/// The same with dst += src.
template <class T>
void add_channels(std::size_t pixels, const T* src, int src_c, int src_first, T* dst, int dst_c, int dst_first,
                  int count) noexcept {
    const auto sc = static_cast<std::size_t>(src_c);
    const auto dc = static_cast<std::size_t>(dst_c);
    const auto n = static_cast<std::size_t>(count);
    src += src_first;
    dst += dst_first;
    for (std::size_t p = 0; p < pixels; ++p, src += sc, dst += dc)
        for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
}

} // namespace nascent::kernels
