// nascent/ops/asymmetric_conv2d.hpp - a convolution with a rectangular KernelH x KernelW window.
//
// A 1 x k convolution followed by a k x 1 one sees a k x k window with 2k instead of k^2
// weights per channel pair (Inception-v3's asymmetric convolutions; DARTS's
// "conv 7x1 1x7"). Ungrouped, "same" padding, no bias; weights [Filters][KernelH][KernelW][in_c].
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/ops/conv_geometry.hpp"

namespace nascent {

template <int Filters, int KernelH, int KernelW, int Stride = 1>
struct asymmetric_conv2d final {
    static_assert(Filters > 0, "asymmetric_conv2d<Filters, ...> needs at least one filter");
    static_assert(KernelH > 0 && KernelW > 0 && KernelH % 2 == 1 && KernelW % 2 == 1,
                  "asymmetric_conv2d<Filters, KernelH, KernelW> needs odd kernel extents");
    static_assert(Stride == 1 || Stride == 2, "asymmetric_conv2d supports strides 1 and 2");

    static constexpr int filters = Filters;
    static constexpr int kernel_h = KernelH;
    static constexpr int kernel_w = KernelW;
    static constexpr int stride = Stride;

    [[nodiscard]] static constexpr conv_geometry geometry(shape in) noexcept {
        return conv_geometry_for(in, Filters, KernelH, KernelW, Stride, 1, 1);
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return geometry(in).out; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return geometry(in).weight_count(); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return geometry(in).macs(); }
};

} // namespace nascent
