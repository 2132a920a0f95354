// nascent/ops/conv2d.hpp - 2-D convolution: descriptor and geometry (training kernels: nn/kernels/conv2d.hpp).
//
// Layouts: activations NHWC; weights OHWI, i.e. [out_c][kernel][kernel][in_c / groups];
// bias [out_c]. Padding is TensorFlow's "same": out = ceil(in / stride).
// Groups split the input and output channels into `groups` independent
// convolutions; groups == in_c with out_c == in_c * multiplier is a depthwise
// convolution and runs on a direct kernel. Everything else is lowered to GEMM
// (im2col, then one product per group over the whole batch; a 1x1 stride-1
// convolution multiplies the input directly).
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"

namespace nascent {

/// Everything a kernel needs to know about one convolution.
struct conv2d_geometry {
    shape in{};
    shape out{};
    int kernel = 1;
    int stride = 1;
    int groups = 1;
    int pad_top = 0;
    int pad_left = 0;

    [[nodiscard]] constexpr int in_per_group() const noexcept { return in.c / groups; }
    [[nodiscard]] constexpr int out_per_group() const noexcept { return out.c / groups; }
    /// Length of one filter: kernel * kernel * in_per_group.
    [[nodiscard]] constexpr int filter_size() const noexcept { return kernel * kernel * in_per_group(); }
    [[nodiscard]] constexpr std::size_t weight_count() const noexcept {
        return static_cast<std::size_t>(out.c) * static_cast<std::size_t>(filter_size());
    }
    /// Multiply-accumulates for one sample.
    [[nodiscard]] constexpr std::size_t macs() const noexcept {
        return out.size() * static_cast<std::size_t>(filter_size());
    }
    /// Depthwise: one input channel per group (any channel multiplier).
    [[nodiscard]] constexpr bool depthwise() const noexcept { return in_per_group() == 1 && groups > 1; }
    /// A 1x1 stride-1 convolution reads its im2col matrix straight from the input.
    [[nodiscard]] constexpr bool pointwise() const noexcept { return kernel == 1 && stride == 1; }
    /// Scalars of the im2col matrix for one sample (0 when the kernel needs none).
    [[nodiscard]] constexpr std::size_t col_size() const noexcept {
        return depthwise() || pointwise()
                   ? 0
                   : static_cast<std::size_t>(out.h) * static_cast<std::size_t>(out.w) *
                         static_cast<std::size_t>(kernel * kernel * in.c);
    }
    [[nodiscard]] constexpr bool valid() const noexcept {
        return in.valid() && out.valid() && groups > 0 && in.c % groups == 0 && out.c % groups == 0 &&
               kernel > 0 && stride > 0;
    }
};

/// Geometry of a "same"-padded convolution of `in` with `filters` outputs.
[[nodiscard]] constexpr conv2d_geometry conv2d_geometry_for(shape in, int filters, int kernel, int stride,
                                                            int groups) noexcept {
    conv2d_geometry g;
    g.in = in;
    g.out = shape{same_extent(in.h, stride), same_extent(in.w, stride), filters};
    g.kernel = kernel;
    g.stride = stride;
    g.groups = groups;
    g.pad_top = same_pad_before(in.h, kernel, stride);
    g.pad_left = same_pad_before(in.w, kernel, stride);
    return g;
}

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

    [[nodiscard]] static constexpr conv2d_geometry geometry(shape in) noexcept {
        return conv2d_geometry_for(in, Filters, Kernel, Stride, Groups);
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

    [[nodiscard]] static constexpr conv2d_geometry geometry(shape in) noexcept {
        return conv2d_geometry_for(in, in.c * Multiplier, Kernel, Stride, in.c);
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return geometry(in).out; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        return geometry(in).weight_count() + (Bias ? static_cast<std::size_t>(in.c * Multiplier) : 0U);
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return geometry(in).macs(); }
};

} // namespace nascent
