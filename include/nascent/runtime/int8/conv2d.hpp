// nascent/runtime/int8/conv2d.hpp - the int8 convolution kernel (standard, grouped, depthwise, rectangular, dilated).
//
//     int8::conv(step, weights, params, arena);   // as every kernel (int8/kernels.hpp)
// Per-channel symmetric weights (OHWI), int32 accumulation, per-channel requantisation
// (conv_params.hpp); params conv_param_count(), scratch conv_scratch_bytes(). Two output pixels
// times two filters per pass over windows gathered into the scratch (int8/dot.hpp); depthwise
// steps run int8/depthwise_conv2d.hpp, short filters on AVX2 int8/conv2d_x86.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/int8/bytes.hpp"
#include "nascent/runtime/int8/conv2d_x86.hpp"
#include "nascent/runtime/int8/conv_params.hpp"
#include "nascent/runtime/int8/depthwise_conv2d.hpp"
#include "nascent/runtime/int8/dot.hpp"

namespace nascent::deploy::int8 {

/// Parameters of an int8 conv step (int32): z_in, z_out, act_min, act_max, bias[C], multiplier[C], shift[C].
[[nodiscard]] constexpr std::uint32_t conv_param_count(int out_channels) noexcept { return param_layout::weighted_count(out_channels); }

/// Scratch of a conv step (bytes): two output pixels' windows of int8 (as CMSIS-NN's
/// arm_convolve_s8) when the window has more than one tap and is not depthwise; none otherwise.
/// (AVX2 hosts use the same bytes for one window of int16.)
[[nodiscard]] constexpr std::size_t conv_scratch_bytes(int taps, int filter_size, bool depthwise) noexcept {
    return !depthwise && taps > 1 ? 2U * static_cast<std::size_t>(filter_size) : 0U;
}

namespace detail {

using namespace nascent::deploy::detail;

/// Copies the window taps of output pixel q and group `group` into `col` ([tap][channel],
/// in_per_group channels per tap); taps outside the image get `pad` (four copies of z_in).
inline void gather(const conv_geometry& g, const std::int8_t* x, int q, int group, std::uint32_t pad, std::int8_t* col) noexcept {
    const int ih0 = q / g.out.w * g.stride - g.pad_top;
    const int iw0 = q % g.out.w * g.stride - g.pad_left;
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const std::size_t row_len = static_cast<std::size_t>(g.kernel_w) * cg;
    // The taps of a window row lie one after the other in memory: one copy per row.
    const bool runs = g.dilation == 1 && in_stride == cg;
    if (runs && ih0 >= 0 && iw0 >= 0 && ih0 + g.kernel_h <= g.in.h && iw0 + g.kernel_w <= g.in.w) {
        // Inside the image: kernel_h copies.
        const std::int8_t* src = x + (static_cast<std::size_t>(ih0) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw0)) * in_stride +
                                 static_cast<std::size_t>(group) * cg;
        const std::size_t row_step = static_cast<std::size_t>(g.in.w) * in_stride;
        for (int i = 0; i < g.kernel_h; ++i, col += row_len, src += row_step) copy_bytes(col, src, row_len);
        return;
    }
    const tap_range rows = taps_inside(ih0, g.kernel_h, g.dilation, g.in.h);
    const tap_range cols = taps_inside(iw0, g.kernel_w, g.dilation, g.in.w);
    const std::size_t before = static_cast<std::size_t>(cols.first) * cg;
    const std::size_t inside = static_cast<std::size_t>(cols.last - cols.first) * cg;
    for (int i = 0; i < g.kernel_h; ++i, col += row_len) {
        if (i < rows.first || i >= rows.last) {
            fill_bytes(col, pad, row_len);
            continue;
        }
        fill_bytes(col, pad, before);
        const std::int8_t* src = x + (static_cast<std::size_t>(ih0 + i * g.dilation) * static_cast<std::size_t>(g.in.w) +
                                      static_cast<std::size_t>(iw0 + cols.first * g.dilation)) * in_stride +
                                 static_cast<std::size_t>(group) * cg;
        if (runs) {
            copy_bytes(col + before, src, inside);
        } else {
            const std::size_t tap_step = static_cast<std::size_t>(g.dilation) * in_stride;
            for (std::size_t at = before; at < before + inside; at += cg, src += tap_step) copy_bytes(col + at, src, cg);
        }
        fill_bytes(col + before + inside, pad, row_len - before - inside);
    }
}

} // namespace detail

/// Any window convolution, as float32::conv; params z_in, z_out, act_min, act_max, bias[C],
/// multiplier[C], shift[C]. Scratch: two windows of int8 (padded with z_in) when the window has
/// more than one tap and is not depthwise; an int8 output plane when a depthwise convolution
/// with more than one tap runs in place; none otherwise.
inline void conv(const step& s, const std::int8_t* weights, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const conv_geometry g = conv_geometry_of(s);
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const std::int8_t* w = weights + s.weights;
    const conv_params q = conv_params_of(s, params);
    if (g.depthwise()) {
        depthwise_conv(s, g, x, y, w, q, arena);
        return;
    }
#if NASCENT_RUNTIME_X86 == 2
    if (g.window <= lane_filter) {
        conv_lanes(g, x, y, w, q, element_at<std::int8_t>(arena, s.scratch_offset));
        return;
    }
#endif
    const int n = pixels(g.out);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const int og = g.out_per_group;
    const int filter = g.window;  // bytes per filter, per window
    const bool pointwise = g.taps == 1;
    std::int8_t* col = element_at<std::int8_t>(arena, s.scratch_offset);
    const std::uint32_t pad = four_bytes(q.z_in);
    std::int32_t start[filter_chunk];
    for (int grp = 0; grp < g.groups; ++grp)
        for (int c0 = 0; c0 < og; c0 += filter_chunk) {
            const int count = std::min(filter_chunk, og - c0);
            const int first = grp * og + c0;
            const std::int8_t* wf = w + static_cast<std::size_t>(first) * static_cast<std::size_t>(filter);
            pair_starts(wf, filter, count, q.bias + first, q.z_in, start);
            for (int p = 0; p < n; p += 2) {
                std::int8_t* y0 = y + static_cast<std::size_t>(p) * out_stride + static_cast<std::size_t>(first);
                std::int8_t* y1 = y0 + out_stride;
                const int rows = p + 1 < n ? 2 : 1;
                if (!pointwise) {
                    // Two windows (or the last one), gathered once for every filter of the chunk.
                    for (int r = 0; r < rows; ++r) gather(g, x, p + r, grp, pad, col + static_cast<std::size_t>(r * filter));
                    if (rows == 2) filters<2>(col, y0, y1, wf, filter, q, first, count, start);
                    else filters<1>(col, y0, y0, wf, filter, q, first, count, nullptr);
                    continue;
                }
                // 1x1: a matrix product straight from the input (padding: the bias alone).
                const int source[2] = {pointwise_source(g, p), rows == 2 ? pointwise_source(g, p + 1) : -1};
                const std::int8_t* xs[2];
                for (int r = 0; r < 2; ++r)
                    xs[r] = x + static_cast<std::size_t>(source[r] < 0 ? 0 : source[r]) * in_stride + static_cast<std::size_t>(grp * filter);
                if (source[0] >= 0 && source[1] >= 0 && xs[1] == xs[0] + filter) {
                    filters<2>(xs[0], y0, y1, wf, filter, q, first, count, start);
                    continue;
                }
                for (int r = 0; r < rows; ++r) {
                    std::int8_t* yr = r == 0 ? y0 : y1;
                    if (source[r] >= 0) filters<1>(xs[r], yr, yr, wf, filter, q, first, count, nullptr);
                    else
                        for (int c = 0; c < count; ++c) yr[c] = q(first + c, 0);
                }
            }
        }
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::conv at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::conv, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::conv;
    static constexpr auto param_count = &nascent::deploy::int8::conv_param_count;
};
