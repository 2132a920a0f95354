// nascent/runtime/float/conv2d.hpp - the float32 convolution kernel (standard, grouped, depthwise, rectangular, dilated).
//
//     float32::conv(step, weights, params, arena);   // as every kernel (float/kernels.hpp)
// Weights OHWI, params bias[out_c] (conv_param_count), scratch conv_scratch_bytes(); depthwise
// steps run float/depthwise_conv2d.hpp, short filters on SIMD hosts float/conv2d_simd.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/float/conv2d_simd.hpp"
#include "nascent/runtime/float/depthwise_conv2d.hpp"
#include "nascent/runtime/float/dot.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a conv step (floats): bias[out_channels] (batch norm folded in; zero when the layer had none)
[[nodiscard]] constexpr std::uint32_t conv_param_count(int out_channels) noexcept { return static_cast<std::uint32_t>(out_channels); }

/// Scratch of a conv step (bytes): one window of floats (the im2col column of one output pixel
/// and group) when the window has more than one tap and is not depthwise; none otherwise.
[[nodiscard]] constexpr std::size_t conv_scratch_bytes(int taps, int filter_size, bool depthwise) noexcept {
    return !depthwise && taps > 1 ? static_cast<std::size_t>(filter_size) * sizeof(float) : 0U;
}

/// Any window convolution (standard, grouped, depthwise with a multiplier, rectangular,
/// dilated, any stride and padding); params: bias[out_c]. Scratch: one window of floats when
/// the window has more than one tap and is not depthwise; an output plane when a depthwise
/// convolution with more than one tap runs in place; none otherwise.
inline void conv(const step& s, const float* weights, const float* params, std::byte* arena) noexcept {
    using namespace detail;
    const conv_geometry g = conv_geometry_of(s);
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const float* w = weights + s.weights;
    const float* bias = params + s.params;
    const clamp_range act = clamp_of(s.activation);
    if (g.depthwise()) {
        depthwise_conv(s, g, x, y, w, bias, act, arena);
        return;
    }
#if NASCENT_RUNTIME_VECTOR
    if (g.window <= lane_filter) {
        conv_lanes(g, x, y, w, bias, act, element_at<float>(arena, s.scratch_offset));
        return;
    }
#endif
    const int n = pixels(g.out);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const auto og = static_cast<std::size_t>(g.out_per_group);
    const auto filter = static_cast<std::size_t>(g.window);
    if (g.taps == 1) {
        // A matrix product, two output pixels at a time, straight from the input.
        const auto in_stride = static_cast<std::size_t>(g.in_stride);
        for (int q = 0; q < n; q += 2) {
            const int count = q + 1 < n ? 2 : 1;
            int source[2] = {pointwise_source(g, q), count == 2 ? pointwise_source(g, q + 1) : 0};
            float* out[2] = {y + static_cast<std::size_t>(q) * out_stride,
                             y + static_cast<std::size_t>(count == 2 ? q + 1 : q) * out_stride};
            for (int r = 0; r < count; ++r)
                if (source[r] < 0) {  // padding: the bias alone
                    for (int c = 0; c < g.out.c; ++c) out[r][c] = act(bias[c]);
                }
            for (int grp = 0; grp < g.groups; ++grp) {
                const std::size_t in_first = static_cast<std::size_t>(grp) * cg;
                const std::size_t out_first = static_cast<std::size_t>(grp) * og;
                const float* xs[2] = {x + static_cast<std::size_t>(source[0] < 0 ? 0 : source[0]) * in_stride + in_first,
                                      x + static_cast<std::size_t>(source[1] < 0 ? 0 : source[1]) * in_stride + in_first};
                float* ys[2] = {out[0] + out_first, out[1] + out_first};
                const float* wg = w + out_first * filter;
                if (count == 2 && source[0] >= 0 && source[1] >= 0) {
                    filters_block<2>(xs, ys, wg, bias + out_first, g.out_per_group, g.window, filter, act);
                } else {
                    for (int r = 0; r < count; ++r)
                        if (source[r] >= 0) filters_block<1>(xs + r, ys + r, wg, bias + out_first, g.out_per_group, g.window, filter, act);
                }
            }
        }
        return;
    }
    // A window per output pixel and group, gathered into scratch (one window of floats).
    float* col = element_at<float>(arena, s.scratch_offset);
    for (int q = 0; q < n; ++q) {
        float* yq = y + static_cast<std::size_t>(q) * out_stride;
        for (int grp = 0; grp < g.groups; ++grp) {
            gather_window(g, x, q / g.out.w, q % g.out.w, grp, 0.0F, col);
            const float* xs[1] = {col};
            float* ys[1] = {yq + static_cast<std::size_t>(grp) * og};
            filters_block<1>(xs, ys, w + static_cast<std::size_t>(grp) * og * filter, bias + static_cast<std::size_t>(grp) * og,
                             g.out_per_group, g.window, filter, act);
        }
    }
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::conv at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::conv, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::conv;
    static constexpr auto param_count = &nascent::deploy::float32::conv_param_count;
};
