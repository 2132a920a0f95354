// nascent/runtime/float/dense.hpp - the float32 dense kernel: y = clamp(W x + bias).
//
// W [units][features], x read in NHWC order (any channel slice); params bias[units]; no scratch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/float/dot.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a dense step (floats): bias[units]
[[nodiscard]] constexpr std::uint32_t dense_param_count(int out_channels) noexcept { return static_cast<std::uint32_t>(out_channels); }

/// y = clamp(W x + bias), W [units][features], x the input in NHWC order; params: bias[units].
inline void dense(const step& s, const float* weights, const float* params, std::byte* arena) noexcept {
    using namespace detail;
    const shape in = s.in[0].extent;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const float* w = weights + s.weights;
    const float* bias = params + s.params;
    const clamp_range act = clamp_of(s.activation);
    const int units = s.out.extent.c;
    const int features = static_cast<int>(in.size());
    if (stride_of(s.in[0]) == in.c || pixels(in) == 1) {
        const float* xs[1] = {x};
        float* ys[1] = {y};
        filters_block<1>(xs, ys, w, bias, units, features, static_cast<std::size_t>(features), act);
        return;
    }
    // A channel slice of a wider buffer: pixel by pixel.
    const auto f = static_cast<std::size_t>(features);
    for (int u = 0; u < units; ++u) {
        float sum = 0.0F;
        const float* wu = w + static_cast<std::size_t>(u) * f;
        for (int p = 0; p < pixels(in); ++p)
            for (int c = 0; c < in.c; ++c)
                sum += x[static_cast<std::size_t>(p) * static_cast<std::size_t>(stride_of(s.in[0])) + static_cast<std::size_t>(c)] *
                       wu[static_cast<std::size_t>(p) * static_cast<std::size_t>(in.c) + static_cast<std::size_t>(c)];
        y[u] = act(sum + bias[u]);
    }
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::dense at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::dense, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::dense;
    static constexpr auto param_count = &nascent::deploy::float32::dense_param_count;
};
