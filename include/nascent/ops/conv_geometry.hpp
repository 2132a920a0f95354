// nascent/ops/conv_geometry.hpp - the geometry of every 2-D convolution: conv2d and
// depthwise_conv2d (ops/conv2d.hpp), asymmetric_conv2d and dilated_depthwise_conv2d.
//
// Window: kernel_h x kernel_w taps; tap (i, j) of output pixel (oh, ow) reads input pixel
// (oh * stride - pad_top + i * dilation, ow * stride - pad_left + j * dilation), zero outside
// the image. conv_geometry_for() pads TensorFlow's "same" way on the dilated extent
// (kernel - 1) * dilation + 1, so out = ceil(in / stride).
// Layouts: activations NHWC; weights OHWI, i.e. [out_c][kernel_h][kernel_w][in_c / groups].
// Groups split the input and output channels into `groups` independent convolutions;
// groups == in_c (out_c == in_c * multiplier) is depthwise. Freestanding and constexpr; the
// training kernels are in nn/kernels/conv2d.hpp (the device kernels read a geometry of their
// own from a program step, deploy::detail::conv_geometry in runtime/geometry.hpp). Example:
//   constexpr conv_geometry g = conv_geometry_for(shape{8, 8, 3}, 16, 3, 3, 1, 1, 1);
//   static_assert(g.out == shape{8, 8, 16} && g.filter_size() == 27);
#pragma once

#include <cstddef>

#include "nascent/core/op_type.hpp"
#include "nascent/core/shape.hpp"

namespace nascent {

/// Everything a kernel needs to know about one convolution: its window (kernel_h, kernel_w,
/// stride, dilation, groups, pad_top, pad_left, as the deploy program stores it) and its shapes.
struct conv_geometry : op_window {
    shape in{};
    shape out{};

    /// The window alone, as a layer record or a deploy op stores it.
    [[nodiscard]] constexpr const op_window& window() const noexcept { return *this; }

    [[nodiscard]] constexpr int taps() const noexcept { return kernel_h * kernel_w; }
    [[nodiscard]] constexpr int in_per_group() const noexcept { return in.c / groups; }
    [[nodiscard]] constexpr int out_per_group() const noexcept { return out.c / groups; }
    /// Length of one filter: kernel_h * kernel_w * in_per_group.
    [[nodiscard]] constexpr int filter_size() const noexcept { return taps() * in_per_group(); }
    [[nodiscard]] constexpr std::size_t weight_count() const noexcept {
        return static_cast<std::size_t>(out.c) * static_cast<std::size_t>(filter_size());
    }
    /// Multiply-accumulates for one sample.
    [[nodiscard]] constexpr std::size_t macs() const noexcept {
        return out.size() * static_cast<std::size_t>(filter_size());
    }
    /// Depthwise: one input channel per group (any channel multiplier).
    [[nodiscard]] constexpr bool depthwise() const noexcept { return in_per_group() == 1 && groups > 1; }
    /// An unpadded 1x1 stride-1 convolution reads its im2col matrix straight from the input.
    [[nodiscard]] constexpr bool pointwise() const noexcept {
        return kernel_h == 1 && kernel_w == 1 && stride == 1 && pad_top == 0 && pad_left == 0;
    }
    /// Scalars of the im2col matrix for one sample (0 when the kernel needs none).
    [[nodiscard]] constexpr std::size_t col_size() const noexcept {
        return depthwise() || pointwise()
                   ? 0
                   : static_cast<std::size_t>(out.h) * static_cast<std::size_t>(out.w) *
                         static_cast<std::size_t>(taps() * in.c);
    }
    [[nodiscard]] constexpr bool valid() const noexcept {
        return in.valid() && out.valid() && groups > 0 && in.c % groups == 0 && out.c % groups == 0 &&
               kernel_h > 0 && kernel_w > 0 && stride > 0 && dilation > 0;
    }

    friend constexpr bool operator==(const conv_geometry&, const conv_geometry&) = default;
};

/// Geometry of a "same"-padded convolution of `in` with `filters` outputs.
[[nodiscard]] constexpr conv_geometry conv_geometry_for(shape in, int filters, int kernel_h, int kernel_w, int stride,
                                                        int dilation, int groups) noexcept {
    const op_window window{kernel_h, kernel_w, stride, dilation, groups,
                           same_pad_before(in.h, (kernel_h - 1) * dilation + 1, stride),
                           same_pad_before(in.w, (kernel_w - 1) * dilation + 1, stride)};
    return conv_geometry{window, in, shape{same_extent(in.h, stride), same_extent(in.w, stride), filters}};
}

} // namespace nascent
