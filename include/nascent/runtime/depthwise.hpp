// nascent/runtime/depthwise.hpp - the depthwise convolution schedule of both precisions (Cortex-M and fallback: planes).
//
// depthwise(geometry, x, w, z, first, finish, y, plane, in_place) computes every output of a
// depthwise step; the precision supplies first(oc) (the start of a sum) and finish(oc, acc)
// (its output element). SIMD hosts run depthwise_simd.hpp's schedules, with the same results.
#pragma once

#include <cstddef>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/depthwise_simd.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy {

namespace detail {

/// Depthwise convolution of either precision: output channel oc reads input channel
/// oc / (out_c / in_c); acc = first(oc) + sum over the taps inside the image of (x - z) * w,
/// in the taps' row-major order; the output element is finish(oc, acc). T: float or int8,
/// A: the accumulator (float or int32). Two schedules, with the same arithmetic:
/// - planes: channel by channel, one output plane at a time (in place through `plane`, the
///   scratch of out.h * out.w elements); no other memory. Cortex-M and the fallback.
/// - blocks (hosts with SIMD): up to 16 channels at a time, each output pixel vectorised over
///   the block, with the block's weights transposed to [tap][channel] on the stack (at most 64
///   taps: 4 KB). In place (stride 1), output row r is held in a ring of pad_top + 1 rows (or
///   all rows) in `plane` until output row r + pad_top, the last to read input row r, is done;
///   the block is as wide as that ring lets the plane hold (out.h / ring channels, at most 16).
/// Hosts run depthwise steps on the row schedule where it applies (depthwise_rows), in place or
/// not, else on blocks, in place or not, so in-place and out-of-place results are the same bit
/// for bit.

template <class T, class A, class First, class Finish>
inline void depthwise_planes(const conv_geometry& g, const T* x, const T* w, A z, First first, Finish finish, T* y, T* plane,
                             bool in_place) noexcept {
    const int multiplier = g.out.c / g.in.c;
    // In place with more than one tap: each plane goes through scratch; a 1x1 window reads each
    // element before it overwrites it, so it runs straight.
    const bool via_plane = in_place && g.taps > 1;
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const std::size_t tap_step = static_cast<std::size_t>(g.dilation) * in_stride;
    for (int oc = 0; oc < g.out.c; ++oc) {
        const T* xc = x + oc / multiplier;
        const T* wc = w + static_cast<std::size_t>(oc) * static_cast<std::size_t>(g.taps);
        T* dst = via_plane ? plane : y + oc;
        const std::size_t dst_stride = via_plane ? 1U : static_cast<std::size_t>(g.out_stride);
        const A start = first(oc);
        for (int oh = 0; oh < g.out.h; ++oh) {
            const int ih0 = oh * g.stride - g.pad_top;
            const tap_range rows = taps_inside(ih0, g.kernel_h, g.dilation, g.in.h);
            for (int ow = 0; ow < g.out.w; ++ow, dst += dst_stride) {
                const int iw0 = ow * g.stride - g.pad_left;
                const tap_range cols = taps_inside(iw0, g.kernel_w, g.dilation, g.in.w);
                A acc = start;
                for (int i = rows.first; i < rows.last; ++i) {
                    const int ih = ih0 + i * g.dilation;
                    const T* px = xc + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) +
                                        static_cast<std::size_t>(iw0 + cols.first * g.dilation)) * in_stride;
                    const T* wr = wc + i * g.kernel_w;
                    for (int j = cols.first; j < cols.last; ++j, px += tap_step) acc += (static_cast<A>(*px) - z) * static_cast<A>(wr[j]);
                }
                *dst = finish(oc, acc);
            }
        }
        if (via_plane) {
            T* yc = y + oc;
            const int n = pixels(g.out);
            for (int p = 0; p < n; ++p, yc += g.out_stride) *yc = plane[p];
        }
    }
}

/// Depthwise convolution: the block schedule where it applies on hosts with SIMD, else planes.
template <class T, class A, class First, class Finish>
inline void depthwise(const conv_geometry& g, const T* x, const T* w, A z, First first, Finish finish, T* y, T* plane,
                      bool in_place) noexcept {
#if NASCENT_RUNTIME_VECTOR
    if (depthwise_blocks(g, x, w, z, first, finish, y, plane, in_place)) return;
#endif
    depthwise_planes(g, x, w, z, first, finish, y, plane, in_place);
}

} // namespace detail

} // namespace nascent::deploy
