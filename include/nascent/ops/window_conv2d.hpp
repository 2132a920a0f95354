// nascent/ops/window_conv2d.hpp - convolutions with a rectangular or dilated window: their
// geometry (training kernels: nn/kernels/window_conv2d.hpp).
//
// The square conv2d / depthwise_conv2d (ops/conv2d.hpp) cover kernels k x k without
// dilation. DARTS-style spaces also need a 1 x k followed by a k x 1 convolution and a
// dilated depthwise convolution: the ops asymmetric_conv2d (ops/asymmetric_conv2d.hpp)
// and dilated_depthwise_conv2d (ops/dilated_depthwise_conv2d.hpp) share this geometry.
//
// Window: kernel_h x kernel_w taps, tap (i, j) reads input pixel
// (oh * stride - pad_top + i * dilation, ow * stride - pad_left + j * dilation).
// Padding is TensorFlow's "same" on the dilated extent (kernel - 1) * dilation + 1.
// Layouts as conv2d: activations NHWC, weights [out_c][kernel_h][kernel_w][in_c / groups].
// Two groupings: groups == 1 (im2col + one GEMM over the batch) and depthwise
// (groups == in_c == out_c, a direct kernel that vectorises over channels).
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

struct window_geometry {
    shape in{};
    shape out{};
    int kernel_h = 1;
    int kernel_w = 1;
    int stride = 1;
    int dilation = 1;
    int groups = 1;
    int pad_top = 0;
    int pad_left = 0;

    [[nodiscard]] constexpr int taps() const noexcept { return kernel_h * kernel_w; }
    [[nodiscard]] constexpr int in_per_group() const noexcept { return in.c / groups; }
    /// Length of one filter: kernel_h * kernel_w * in_per_group.
    [[nodiscard]] constexpr int filter_size() const noexcept { return taps() * in_per_group(); }
    [[nodiscard]] constexpr std::size_t weight_count() const noexcept {
        return static_cast<std::size_t>(out.c) * static_cast<std::size_t>(filter_size());
    }
    /// Multiply-accumulates for one sample.
    [[nodiscard]] constexpr std::size_t macs() const noexcept { return out.size() * static_cast<std::size_t>(filter_size()); }
    [[nodiscard]] constexpr bool depthwise() const noexcept { return groups > 1 && groups == in.c && out.c == in.c; }
    /// Scalars of the im2col matrix for one sample (0 for the direct depthwise kernel).
    [[nodiscard]] constexpr std::size_t col_size() const noexcept {
        return depthwise() ? 0 : static_cast<std::size_t>(out.h) * static_cast<std::size_t>(out.w) * static_cast<std::size_t>(filter_size());
    }
    [[nodiscard]] constexpr bool valid() const noexcept {
        return in.valid() && out.valid() && kernel_h > 0 && kernel_w > 0 && stride > 0 && dilation > 0 &&
               (groups == 1 || depthwise());
    }
};

/// Geometry of a "same"-padded window convolution of `in` with `filters` outputs.
[[nodiscard]] constexpr window_geometry window_geometry_for(shape in, int filters, int kernel_h, int kernel_w, int stride,
                                                            int dilation, int groups) noexcept {
    window_geometry g;
    g.in = in;
    g.out = shape{same_extent(in.h, stride), same_extent(in.w, stride), filters};
    g.kernel_h = kernel_h;
    g.kernel_w = kernel_w;
    g.stride = stride;
    g.dilation = dilation;
    g.groups = groups;
    g.pad_top = same_pad_before(in.h, (kernel_h - 1) * dilation + 1, stride);
    g.pad_left = same_pad_before(in.w, (kernel_w - 1) * dilation + 1, stride);
    return g;
}

} // namespace nascent
