// nascent/runtime/depthwise_simd.hpp - the depthwise schedules of SIMD hosts (GCC vector types; SSE2, NEON).
//
// depthwise_blocks(): 16 channels per output pixel; depthwise_rows(): 8 outputs of a row per
// vector. Both return false where they do not apply; depthwise.hpp then runs the planes.
// Empty unless NASCENT_RUNTIME_VECTOR (runtime/arch.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy {

#if NASCENT_RUNTIME_VECTOR
namespace detail {

inline constexpr int depthwise_block_channels = 16;
inline constexpr int depthwise_block_taps = 64;

/// The block schedule (see depthwise_planes) on GCC vector types; false when it does not apply
/// (more than 64 taps).
template <class T, class A, class First, class Finish>
inline bool depthwise_blocks(const conv_geometry& g, const T* x, const T* w, A z, First first, Finish finish, T* y, T* plane,
                             bool in_place) noexcept {
    constexpr int width = depthwise_block_channels;
    constexpr int half = width / 2;  // two vectors of 8 accumulators (one AVX register each)
    typedef A lanes __attribute__((vector_size(half * sizeof(A))));
    if (g.taps > depthwise_block_taps) return false;
    // In place with one tap, each element is read before it is overwritten: no ring.
    const bool via_ring = in_place && g.taps > 1;
    const int ring = std::min(g.pad_top + 1, g.out.h);  // rows an in-place block holds (at most all)
    const int block = via_ring ? std::min(width, g.out.h / ring) : width;
    const int multiplier = g.out.c / g.in.c;
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    const auto row_len = static_cast<std::size_t>(g.out.w);
    A wt[depthwise_block_taps][width];  // the block's weights, [tap][channel]
    A start[width];
    for (int oc0 = 0; oc0 < g.out.c; oc0 += block) {
        const int nb = std::min(block, g.out.c - oc0);
        const bool full = nb == width && multiplier == 1;
        for (int l = nb; l < width; ++l) start[l] = A{};
        for (int t = 0; t < g.taps; ++t)
            for (int l = 0; l < width; ++l)
                wt[t][l] = l < nb ? static_cast<A>(w[static_cast<std::size_t>(oc0 + l) * static_cast<std::size_t>(g.taps) + static_cast<std::size_t>(t)]) : A{};
        for (int l = 0; l < nb; ++l) start[l] = first(oc0 + l);
        // Output row oh of the block: into y, or into ring slot oh % ring (nb elements per pixel).
        auto slot = [&](int oh) { return plane + static_cast<std::size_t>(oh % ring) * row_len * static_cast<std::size_t>(nb); };
        auto write_back = [&](int r) {
            const T* src = slot(r);
            T* dst = y + static_cast<std::size_t>(r) * row_len * out_stride + static_cast<std::size_t>(oc0);
            for (std::size_t ow = 0; ow < row_len; ++ow, src += nb, dst += out_stride)
                for (int l = 0; l < nb; ++l) dst[l] = src[l];
        };
        for (int oh = 0; oh < g.out.h; ++oh) {
            const int ih0 = oh * g.stride - g.pad_top;
            const tap_range rows = taps_inside(ih0, g.kernel_h, g.dilation, g.in.h);
            T* out_row = via_ring ? slot(oh) : y + static_cast<std::size_t>(oh) * row_len * out_stride + static_cast<std::size_t>(oc0);
            const std::size_t out_step = via_ring ? static_cast<std::size_t>(nb) : out_stride;
            for (int ow = 0; ow < g.out.w; ++ow, out_row += out_step) {
                const int iw0 = ow * g.stride - g.pad_left;
                const tap_range cols = taps_inside(iw0, g.kernel_w, g.dilation, g.in.w);
                // Every block runs the same vector arithmetic (a partial block or a multiplier
                // gathers its lanes, zero beyond nb), so results do not depend on the block width.
                const std::size_t tap_step = static_cast<std::size_t>(g.dilation) * in_stride;
                lanes sum[2];
                std::memcpy(sum, start, sizeof sum);
                for (int i = rows.first; i < rows.last; ++i) {
                    const T* px = x + (static_cast<std::size_t>(ih0 + i * g.dilation) * static_cast<std::size_t>(g.in.w) +
                                       static_cast<std::size_t>(iw0 + cols.first * g.dilation)) * in_stride;
                    const A* wr = wt[i * g.kernel_w + cols.first];
                    for (int j = cols.first; j < cols.last; ++j, px += tap_step, wr += width) {
                        A widened[width];  // for a full block, a loop GCC turns into one widening load
                        if (full) {
                            for (int l = 0; l < width; ++l) widened[l] = static_cast<A>(px[oc0 + l]);
                        } else if (multiplier == 1) {
                            for (int l = 0; l < width; ++l) widened[l] = l < nb ? static_cast<A>(px[oc0 + l]) : z;
                        } else {
                            for (int l = 0; l < width; ++l) widened[l] = l < nb ? static_cast<A>(px[(oc0 + l) / multiplier]) : z;
                        }
                        for (int k = 0; k < 2; ++k) {
                            lanes v, u;
                            std::memcpy(&v, widened + k * half, sizeof v);
                            std::memcpy(&u, wr + k * half, sizeof u);
                            if constexpr (std::is_same_v<T, A>) sum[k] += v * u;
                            else sum[k] += (v - z) * u;
                        }
                    }
                }
                A acc[width];
                std::memcpy(acc, sum, sizeof sum);
                T result[width];  // local first: stores through int8 pointers may alias anything
                if (full) {
                    for (int l = 0; l < width; ++l) result[l] = finish(oc0 + l, acc[l]);
                    std::memcpy(out_row, result, sizeof result);
                } else {
                    for (int l = 0; l < nb; ++l) result[l] = finish(oc0 + l, acc[l]);
                    std::memcpy(out_row, result, static_cast<std::size_t>(nb) * sizeof(T));
                }
            }
            if (via_ring && oh >= g.pad_top) write_back(oh - g.pad_top);
        }
        if (via_ring)
            for (int r = std::max(0, g.out.h - g.pad_top); r < g.out.h; ++r) write_back(r);
    }
    return true;
}

/// Elements (A) of the padded input rows depthwise_rows() keeps on the stack (16 KB).
inline constexpr int depthwise_row_capacity = 4096;

/// The row schedule of SIMD hosts, in place or not, of either precision (false when it does not
/// apply: more than 64 taps, rows too wide for the stack, a pad_top beyond the kernel, or in
/// place with another stride, a wider output or another layout). Channel by channel, each input
/// row is widened once into a ring of rows of A on the stack, x - z, padded with zeros (the
/// padding of the definition) and split into `stride` phases (column k of a padded row at
/// (k % stride) * phase + k / stride, so that consecutive outputs read consecutive elements);
/// each output row is summed 8 outputs per vector: first(oc), then every tap in row-major order
/// (those over the padding add zero products). In place, each input channel is first copied
/// into the plane of scratch and read from there; with no room for it (a 1x1 window has no
/// scratch), input row r enters the ring before output row r overwrites it (the ring then holds
/// every row later outputs read). finish_row(oc, sums, out, count) turns a vector's sums into
/// count <= 8 outputs. One code for in place and out of place: the same bits either way.
template <class T, class A, class First, class FinishRow>
inline bool depthwise_rows(const conv_geometry& g, const T* x, const T* w, A z, First first, FinishRow finish_row, T* y, T* plane,
                           bool in_place) noexcept {
    constexpr int width = 8;
    typedef A lanes __attribute__((vector_size(width * sizeof(A))));
    // The same decision in place and out of place for every step the planner runs in place
    // (stride 1, out_c == in_c, the output no larger than the input and laid out alike).
    if (g.taps > depthwise_block_taps || g.pad_top > (g.kernel_h - 1) * g.dilation) return false;
    if (in_place && (g.stride != 1 || g.out.w > g.in.w || g.in_stride != g.out_stride || g.out.c != g.in.c)) return false;
    const int vectors = (g.out.w + width - 1) / width;
    const int span = (g.kernel_w - 1) * g.dilation;
    const int phase = vectors * width + span / g.stride + 1;  // elements of one phase of a padded row
    const int row_len = phase * g.stride;
    const int ring = (g.kernel_h - 1) * g.dilation + 1;      // input rows an output row reads
    if (ring * row_len > depthwise_row_capacity) return false;
    alignas(32) A rows[depthwise_row_capacity];
    const int multiplier = g.out.c / g.in.c;
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    const auto in_w = static_cast<std::size_t>(g.in.w);
    const std::size_t row_step = static_cast<std::size_t>(g.out.w) * out_stride;
    // In place with a plane of scratch that holds a channel: each input channel is read from a copy
    // in it (the scratch the cost model plans is used as planned).
    const bool copy = in_place && g.taps > 1 && pixels(g.in) <= pixels(g.out);
    A wt[depthwise_block_taps];
    int tap_at[depthwise_block_taps];  // where tap column j starts in a padded row
    for (int j = 0; j < g.kernel_w; ++j) tap_at[j] = (j * g.dilation) % g.stride * phase + j * g.dilation / g.stride;
    for (int oc = 0; oc < g.out.c; ++oc) {
        const T* src = x + oc / multiplier;
        auto src_step = static_cast<std::size_t>(g.in_stride);
        if (copy) {
            for (std::size_t p = 0; p < static_cast<std::size_t>(pixels(g.in)); ++p) plane[p] = src[p * src_step];
            src = plane;
            src_step = 1;
        }
        for (int t = 0; t < g.taps; ++t) wt[t] = static_cast<A>(w[static_cast<std::size_t>(oc) * static_cast<std::size_t>(g.taps) + static_cast<std::size_t>(t)]);
        const A start = first(oc);
        int built = 0;  // input rows [0, built) have been through the ring
        T* yrow = y + oc;
        for (int oh = 0; oh < g.out.h; ++oh, yrow += row_step) {
            const int ih0 = oh * g.stride - g.pad_top;
            const tap_range taps = taps_inside(ih0, g.kernel_h, g.dilation, g.in.h);
            int need = taps.last > taps.first ? ih0 + (taps.last - 1) * g.dilation + 1 : 0;
            if (in_place && !copy) need = std::max(need, std::min(oh + 1, g.in.h));  // before this row's outputs overwrite it
            for (; built < need; ++built) {
                A* r = rows + (built % ring) * row_len;
                const T* line = src + static_cast<std::size_t>(built) * in_w * src_step;
                for (int k = 0; k < row_len; ++k) {
                    const int iw = k - g.pad_left;
                    r[k % g.stride * phase + k / g.stride] = iw >= 0 && iw < g.in.w ? static_cast<A>(line[static_cast<std::size_t>(iw) * src_step]) - z : A{};
                }
            }
            for (int v = 0; v < vectors; ++v) {
                lanes acc = lanes{} + start;
                for (int i = taps.first; i < taps.last; ++i) {
                    const A* r = rows + ((ih0 + i * g.dilation) % ring) * row_len + v * width;
                    const A* wr = wt + i * g.kernel_w;
                    for (int j = 0; j < g.kernel_w; ++j) {
                        lanes u;
                        std::memcpy(&u, r + tap_at[j], sizeof u);
                        acc += u * wr[j];
                    }
                }
                alignas(32) A sums[width];
                std::memcpy(sums, &acc, sizeof acc);
                const int ow0 = v * width, count = std::min(width, g.out.w - ow0);
                T out[width];
                finish_row(oc, sums, out, count);
                for (int l = 0; l < count; ++l) yrow[static_cast<std::size_t>(ow0 + l) * out_stride] = out[l];
            }
        }
    }
    return true;
}

} // namespace detail
#endif

} // namespace nascent::deploy
