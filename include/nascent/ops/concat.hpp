// nascent/ops/concat.hpp - channel concatenation of two activations, and channel slices.
//
// concat joins the two branches of channel_split / branches (space/channel_split.hpp,
// space/branches.hpp): y = [a, b] along channels, both of the same spatial extent.
// The kernels copy runs of channels between NHWC tensors with different channel
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

namespace kernels {

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

} // namespace kernels
} // namespace nascent
