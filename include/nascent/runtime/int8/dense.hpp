// nascent/runtime/int8/dense.hpp - the int8 dense kernel: y = W x requantised per unit, as conv.
//
// W [units][features], x read in NHWC order (any channel slice); params as conv (conv_params.hpp);
// no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/int8/conv_params.hpp"
#include "nascent/runtime/int8/dot.hpp"

namespace nascent::deploy::int8 {

/// Parameters of an int8 dense step (int32): as conv.
[[nodiscard]] constexpr std::uint32_t dense_param_count(int out_channels) noexcept { return param_layout::weighted_count(out_channels); }

/// y = W x, W [units][features], x in NHWC order, requantised per unit as conv. No scratch.
inline void dense(const step& s, const std::int8_t* weights, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const shape in = s.in[0].extent;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const std::int8_t* w = weights + s.weights;
    const conv_params q = conv_params_of(s, params);
    const int units = s.out.extent.c;
    const int features = static_cast<int>(in.size());
    if (stride_of(s.in[0]) == in.c || pixels(in) == 1) {
        for (int u = 0; u < units; u += filter_chunk)
            filters<1>(x, y + u, y + u, w + static_cast<std::size_t>(u) * static_cast<std::size_t>(features), features, q, u,
                       std::min(filter_chunk, units - u), nullptr);
        return;
    }
    // A channel slice of a wider buffer: pixel by pixel.
    const auto f = static_cast<std::size_t>(features);
    const auto in_c = static_cast<std::size_t>(in.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    for (int u = 0; u < units; u += 2) {
        const bool pair = u + 1 < units;
        std::int32_t acc[2] = {q.bias[u], pair ? q.bias[u + 1] : 0};
        const std::int8_t* wu = w + static_cast<std::size_t>(u) * f;
        for (int p = 0; p < pixels(in); ++p)
            dot1(x + static_cast<std::size_t>(p) * in_stride, wu + static_cast<std::size_t>(p) * in_c, pair ? f : 0U, in.c, q.z_in, acc);
        y[u] = q.out(q.scale(u), acc[0]);
        if (pair) y[u + 1] = q.out(q.scale(u + 1), acc[1]);
    }
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::dense at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::dense, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::dense;
    static constexpr auto param_count = &nascent::deploy::int8::dense_param_count;
};
