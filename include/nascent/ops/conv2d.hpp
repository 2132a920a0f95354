// nascent/ops/conv2d.hpp - square 2-D convolution descriptors: conv2d and depthwise_conv2d
// (geometry: ops/conv_geometry.hpp; training kernels: nn/kernels/conv2d.hpp).
//
// Layouts: activations NHWC; weights OHWI, i.e. [out_c][kernel][kernel][in_c / groups];
// bias [out_c]. Padding is TensorFlow's "same": out = ceil(in / stride).
// Groups split the input and output channels into `groups` independent
// convolutions; groups == in_c with out_c == in_c * multiplier is a depthwise
// convolution and runs on a direct kernel. Everything else is lowered to GEMM
// (im2col, then one product per group over the whole batch; a 1x1 stride-1
// convolution multiplies the input directly). Example:
//   static_assert(conv2d<16, 3, 2>::output(shape{28, 28, 1}) == shape{14, 14, 16});
//   static_assert(depthwise_conv2d<3>::geometry(shape{8, 8, 4}).depthwise());
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/ops/conv_geometry.hpp"

namespace nascent {

/// Standard or grouped convolution with `Filters` outputs.
template <int Filters, int Kernel, int Stride = 1, int Groups = 1, bool Bias = false>
struct conv2d final {
    static_assert(Filters > 0, "conv2d<Filters, ...> needs at least one filter");
    static_assert(Kernel == 1 || Kernel == 3 || Kernel == 5 || Kernel == 7,
                  "conv2d<Filters, Kernel, ...> supports kernels 1, 3, 5 and 7");
    static_assert(Stride == 1 || Stride == 2, "conv2d<Filters, Kernel, Stride> supports strides 1 and 2");
    static_assert(Groups > 0 && Filters % Groups == 0, "conv2d<Filters, Kernel, Stride, Groups>: Groups must divide Filters");

    static constexpr int filters = Filters;
    static constexpr int kernel = Kernel;
    static constexpr int stride = Stride;
    static constexpr int groups = Groups;
    static constexpr bool bias = Bias;

    [[nodiscard]] static constexpr conv_geometry geometry(shape in) noexcept {
        return conv_geometry_for(in, Filters, Kernel, Kernel, Stride, 1, Groups);
    }
    /// True when this convolution can read `in` (its channels split into the groups).
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid() && in.c % Groups == 0; }
    [[nodiscard]] static constexpr problem diagnose(shape in) noexcept {
        return in.valid() ? problem::groups_do_not_divide : problem::op_rejects_input;
    }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return geometry(in).out; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        return geometry(in).weight_count() + (Bias ? static_cast<std::size_t>(Filters) : 0U);
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return geometry(in).macs(); }
};

/// Depthwise convolution: each input channel convolved with `Multiplier` filters of its own.
template <int Kernel, int Stride = 1, int Multiplier = 1, bool Bias = false>
struct depthwise_conv2d final {
    static_assert(Kernel == 1 || Kernel == 3 || Kernel == 5 || Kernel == 7,
                  "depthwise_conv2d<Kernel, ...> supports kernels 1, 3, 5 and 7");
    static_assert(Stride == 1 || Stride == 2, "depthwise_conv2d<Kernel, Stride> supports strides 1 and 2");
    static_assert(Multiplier > 0, "depthwise_conv2d<Kernel, Stride, Multiplier> needs a positive multiplier");

    static constexpr int kernel = Kernel;
    static constexpr int stride = Stride;
    static constexpr int multiplier = Multiplier;
    static constexpr bool bias = Bias;

    [[nodiscard]] static constexpr conv_geometry geometry(shape in) noexcept {
        return conv_geometry_for(in, in.c * Multiplier, Kernel, Kernel, Stride, 1, in.c);
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return geometry(in).out; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        return geometry(in).weight_count() + (Bias ? static_cast<std::size_t>(in.c * Multiplier) : 0U);
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return geometry(in).macs(); }
};

} // namespace nascent
