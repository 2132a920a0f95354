// nascent/ops/dilated_depthwise_conv2d.hpp - a depthwise convolution whose taps are `Dilation` pixels apart.
//
// A 3 x 3 window with dilation 2 covers 5 x 5 pixels with 9 weights per channel (DARTS's
// "dil conv", before its pointwise convolution). "Same" padding on the dilated extent,
// multiplier 1, no bias; weights [in_c][Kernel][Kernel][1].
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/ops/conv_geometry.hpp"

namespace nascent {

template <int Kernel, int Dilation = 2, int Stride = 1>
struct dilated_depthwise_conv2d final {
    static_assert(Kernel > 0 && Kernel % 2 == 1, "dilated_depthwise_conv2d<Kernel, ...> needs an odd kernel");
    static_assert(Dilation > 0, "dilated_depthwise_conv2d<Kernel, Dilation> needs a positive dilation");
    static_assert(Stride == 1 || Stride == 2, "dilated_depthwise_conv2d supports strides 1 and 2");

    static constexpr int kernel = Kernel;
    static constexpr int dilation = Dilation;
    static constexpr int stride = Stride;

    [[nodiscard]] static constexpr conv_geometry geometry(shape in) noexcept {
        return conv_geometry_for(in, in.c, Kernel, Kernel, Stride, Dilation, in.c);
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return geometry(in).out; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return geometry(in).weight_count(); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return geometry(in).macs(); }
};

} // namespace nascent
