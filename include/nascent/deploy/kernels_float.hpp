// nascent/deploy/kernels_float.hpp - the float32 deploy kernels: one function per op type.
//
// Every kernel has the signature
//     void kernel(const step& s, const float* weights, const float* params, std::byte* arena) noexcept
// and takes its geometry from the step at run time (no template per layer): `weights` and
// `params` are the program's whole arrays (the step's start at s.weights and s.params), the
// operands are byte offsets into `arena` (4-byte aligned). Each kernel reproduces the
// training interpreter's host kernel (ops/*.hpp) up to the order of float additions:
//   conv: NHWC activations, weights [out_c][kernel_h][kernel_w][in_c / groups] (OHWI), tap
//         (i, j) of output pixel (oh, ow) reads input pixel (oh * stride - pad_top + i * dilation,
//         ow * stride - pad_left + j * dilation), zero outside the image; groups split the
//         channels; depthwise (in_c / groups == 1) output channel oc reads input channel
//         oc / (out_c / in_c) (channel multiplier); + bias[oc]; fused relu / relu6 clamp.
//   dense: weights [units][features], the input read in NHWC order; + bias; fused clamp.
//   max_pool, avg_pool: windows clipped to the image (padding ignored; the average divides by
//         the number of real pixels); global_avg_pool: mean over all pixels.
//   add, relu, relu6: element-wise (add: fused clamp); zero: writes 0.
//   concat: [in[0], in[1]] along channels; channel_shuffle: input channel g * (C / G) + i goes
//         to output channel i * G + g (G = window.groups).
// Inputs may be channel slices of a wider buffer (operand::pixel_stride > extent.c; a
// pixel_stride of 0 means extent.c).
//
// Memory (the cost model's contract, cost/lower.hpp, cost/lower_blocks.hpp): a kernel touches
// its operands and [scratch_offset, scratch_offset + scratch_bytes) only.
//   conv with more than one tap, not depthwise: one window of kernel_h * kernel_w * in_c / groups
//       floats of scratch (the im2col column of one output pixel and one group);
//   1x1 conv, dense, depthwise out of place, pools, add, activations, zero, concat: no scratch;
//   channel_shuffle: one pixel's channels of scratch when in place (none otherwise).
// In place (step.in_place, the output at an input's offset): add, relu, relu6 and a 1x1
// depthwise conv run element by element; channel_shuffle goes pixel by pixel through its
// scratch; a depthwise conv with more taps (stride 1, out_c == in_c) keeps outputs in its
// scratch of one plane (out.h * out.w elements) until nothing reads the input they overwrite,
// channel by channel on Cortex-M (MCUNet's in-place depthwise); SIMD hosts copy each input
// channel into that plane and compute its outputs from the copy (detail::depthwise_rows).
// Stack: a few words; on SIMD hosts a depthwise conv's ring of padded rows (at most 16 KB) or
// block of transposed weights (4 KB), and a convolution's block of transposed weights (16 KB)
// and three or four windows (at most 4 KB).
//
// Freestanding: no heap, no exceptions, no <cmath>. On hosts with SIMD (SSE2, NEON) the inner
// loops use GCC vector types of 8 lanes: a convolution with filters of at most 256 weights runs
// 16 output channels per block in the lanes (detail::conv_lanes), longer filters and dense
// layers sum 8 lanes of the filter, a depthwise convolution of at most 64 taps 8 outputs of a row
// per vector (detail::depthwise_rows); elsewhere (Cortex-M4) scalar loops with the accumulators
// in registers (two output pixels times two filters per pass).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "nascent/deploy/program.hpp"

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
#define NASCENT_DEPLOY_VECTOR 1
#else
#define NASCENT_DEPLOY_VECTOR 0
#endif

namespace nascent::deploy {

/// Geometry and data movement shared by the kernels of both precisions.
namespace detail {

template <class T>
[[nodiscard]] inline T* element_at(std::byte* arena, std::uint32_t offset) noexcept {
    return reinterpret_cast<T*>(arena + offset);
}

[[nodiscard]] constexpr int pixels(shape s) noexcept { return s.h * s.w; }

/// Elements from one pixel of an operand to the next (a pixel_stride of 0 means extent.c).
[[nodiscard]] constexpr int stride_of(const operand& o) noexcept { return o.pixel_stride > 0 ? o.pixel_stride : o.extent.c; }

/// Taps [first, last) of `taps` taps `dilation` apart from input position `start` that fall in
/// [0, extent).
struct tap_range {
    int first = 0;
    int last = 0;
};
[[nodiscard]] constexpr tap_range taps_inside(int start, int taps, int dilation, int extent) noexcept {
    if (start >= 0 && start + (taps - 1) * dilation < extent) return {0, taps};
    const int first = start < 0 ? (dilation - 1 - start) / dilation : 0;
    int last = extent > start ? (extent - start + dilation - 1) / dilation : 0;
    last = last < taps ? last : taps;
    return {first < last ? first : last, last};
}

/// A conv step's geometry, read once.
struct conv_geometry {
    shape in{};
    shape out{};
    int in_stride = 0;   ///< elements per input pixel
    int out_stride = 0;  ///< elements per output pixel
    int kernel_h = 1;
    int kernel_w = 1;
    int stride = 1;
    int dilation = 1;
    int pad_top = 0;
    int pad_left = 0;
    int groups = 1;
    int in_per_group = 0;
    int out_per_group = 0;
    int taps = 1;    ///< kernel_h * kernel_w
    int window = 0;  ///< taps * in_per_group: one filter's length

    /// One input channel per group (any channel multiplier): the direct depthwise kernel.
    [[nodiscard]] constexpr bool depthwise() const noexcept { return in_per_group == 1 && groups > 1; }
};

[[nodiscard]] constexpr conv_geometry conv_geometry_of(const step& s) noexcept {
    conv_geometry g;
    g.in = s.in[0].extent;
    g.out = s.out.extent;
    g.in_stride = stride_of(s.in[0]);
    g.out_stride = stride_of(s.out);
    g.kernel_h = s.window.kernel_h;
    g.kernel_w = s.window.kernel_w;
    g.stride = s.window.stride;
    g.dilation = s.window.dilation;
    g.pad_top = s.window.pad_top;
    g.pad_left = s.window.pad_left;
    g.groups = s.window.groups;
    g.in_per_group = g.in.c / g.groups;
    g.out_per_group = g.out.c / g.groups;
    g.taps = g.kernel_h * g.kernel_w;
    g.window = g.taps * g.in_per_group;
    return g;
}

/// The input pixel under a 1x1 window at output pixel q, or -1 when it is padding.
[[nodiscard]] constexpr int pointwise_source(const conv_geometry& g, int q) noexcept {
    const int ih = q / g.out.w * g.stride - g.pad_top;
    const int iw = q % g.out.w * g.stride - g.pad_left;
    return ih < 0 || ih >= g.in.h || iw < 0 || iw >= g.in.w ? -1 : ih * g.in.w + iw;
}

/// Copies window taps of output pixel (oh, ow) and group `group` into `col` ([tap][channel],
/// in_per_group channels per tap); taps outside the image get `pad`.
template <class T>
inline void gather_window(const conv_geometry& g, const T* x, int oh, int ow, int group, T pad, T* col) noexcept {
    const int ih0 = oh * g.stride - g.pad_top;
    const int iw0 = ow * g.stride - g.pad_left;
    const tap_range rows = taps_inside(ih0, g.kernel_h, g.dilation, g.in.h);
    const tap_range cols = taps_inside(iw0, g.kernel_w, g.dilation, g.in.w);
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const std::size_t row_len = static_cast<std::size_t>(g.kernel_w) * cg;
    for (int i = 0; i < g.kernel_h; ++i) {
        T* dst = col + static_cast<std::size_t>(i) * row_len;
        if (i < rows.first || i >= rows.last) {
            std::fill(dst, dst + row_len, pad);
            continue;
        }
        std::fill(dst, dst + static_cast<std::size_t>(cols.first) * cg, pad);
        const int ih = ih0 + i * g.dilation;
        for (int j = cols.first; j < cols.last; ++j) {
            const int iw = iw0 + j * g.dilation;
            const T* src = x + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) *
                                   static_cast<std::size_t>(g.in_stride) +
                           static_cast<std::size_t>(group) * cg;
            std::memcpy(dst + static_cast<std::size_t>(j) * cg, src, cg * sizeof(T));
        }
        std::fill(dst + static_cast<std::size_t>(cols.last) * cg, dst + row_len, pad);
    }
}

/// Calls f(q, source_pixel, output) for every output pixel of a pool window step, with the
/// window's clipped rows [h0, h1) and columns [w0, w1).
template <class F>
inline void for_each_pool_window(const step& s, F&& f) noexcept {
    const shape in = s.in[0].extent;
    const shape out = s.out.extent;
    const op_window& w = s.window;
    auto clip = [](int v, int hi) { return v < 0 ? 0 : (v > hi ? hi : v); };
    for (int oh = 0; oh < out.h; ++oh) {
        const int top = oh * w.stride - w.pad_top;
        const int h0 = clip(top, in.h), h1 = clip(top + w.kernel_h, in.h);
        for (int ow = 0; ow < out.w; ++ow) {
            const int left = ow * w.stride - w.pad_left;
            f(oh * out.w + ow, h0, h1, clip(left, in.w), clip(left + w.kernel_w, in.w));
        }
    }
}

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
inline constexpr int depthwise_block_channels = 16;
inline constexpr int depthwise_block_taps = 64;

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

#if NASCENT_DEPLOY_VECTOR
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
#endif

#if NASCENT_DEPLOY_VECTOR
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
#endif

/// Depthwise convolution: the block schedule where it applies on hosts with SIMD, else planes.
template <class T, class A, class First, class Finish>
inline void depthwise(const conv_geometry& g, const T* x, const T* w, A z, First first, Finish finish, T* y, T* plane,
                      bool in_place) noexcept {
#if NASCENT_DEPLOY_VECTOR
    if (depthwise_blocks(g, x, w, z, first, finish, y, plane, in_place)) return;
#endif
    depthwise_planes(g, x, w, z, first, finish, y, plane, in_place);
}

/// Writes `value` to every output element.
template <class T>
inline void fill_output(const step& s, T value, std::byte* arena) noexcept {
    T* y = element_at<T>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto stride = static_cast<std::size_t>(stride_of(s.out));
    const int n = pixels(s.out.extent);
    if (stride == c) {
        std::fill(y, y + static_cast<std::size_t>(n) * c, value);
        return;
    }
    for (int p = 0; p < n; ++p, y += stride) std::fill(y, y + c, value);
}

/// channel_shuffle of either precision (no arithmetic): pixel by pixel; in place through one
/// pixel of scratch.
template <class T>
inline void shuffle_channels(const step& s, std::byte* arena) noexcept {
    const T* x = element_at<T>(arena, s.in[0].offset);
    T* y = element_at<T>(arena, s.out.offset);
    T* tmp = element_at<T>(arena, s.scratch_offset);
    const int c = s.out.extent.c;
    const int groups = s.window.groups;
    const int per_group = c / groups;
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const int n = pixels(s.out.extent);
    for (int p = 0; p < n; ++p, x += in_stride, y += out_stride) {
        const T* src = x;
        if (s.in_place) {
            std::memcpy(tmp, x, static_cast<std::size_t>(c) * sizeof(T));
            src = tmp;
        }
        for (int grp = 0; grp < groups; ++grp)
            for (int i = 0; i < per_group; ++i) y[i * groups + grp] = src[grp * per_group + i];
    }
}

} // namespace detail

namespace float32 {

namespace detail {

using namespace nascent::deploy::detail;

/// The output clamp of a fused activation.
struct clamp_range {
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();

    [[nodiscard]] constexpr float operator()(float v) const noexcept { return v < lo ? lo : (v > hi ? hi : v); }
};

[[nodiscard]] constexpr clamp_range clamp_of(fused_activation a) noexcept {
    clamp_range r;
    if (a != fused_activation::none) r.lo = 0.0F;
    if (a == fused_activation::relu6) r.hi = 6.0F;
    return r;
}

/// acc[2 * r + o] = sum over k < n of x[r][k] * w_o[k], for Rows (1 or 2) rows and the filters
/// w0, w1.
template <int Rows>
inline void dot_block(const float* const* x, const float* w0, const float* w1, int n, float* acc) noexcept {
    static_assert(Rows == 1 || Rows == 2, "dot_block<Rows>: one or two rows");
    const float* x0 = x[0];
    const float* x1 = x[Rows - 1];
    float s00 = 0.0F, s01 = 0.0F, s10 = 0.0F, s11 = 0.0F;
#if NASCENT_DEPLOY_VECTOR
    typedef float lanes __attribute__((vector_size(32)));
    lanes a00 = {}, a01 = {}, a10 = {}, a11 = {};
    for (; n >= 8; n -= 8, x0 += 8, x1 += 8, w0 += 8, w1 += 8) {
        lanes u, v0, v1;
        std::memcpy(&v0, w0, sizeof v0);
        std::memcpy(&v1, w1, sizeof v1);
        std::memcpy(&u, x0, sizeof u);
        a00 += u * v0;
        a01 += u * v1;
        if constexpr (Rows == 2) {
            std::memcpy(&u, x1, sizeof u);
            a10 += u * v0;
            a11 += u * v1;
        }
    }
    for (int l = 0; l < 8; ++l) {
        s00 += a00[l];
        s01 += a01[l];
        s10 += a10[l];
        s11 += a11[l];
    }
#endif
    for (int k = 0; k < n; ++k) {
        const float v0 = w0[k], v1 = w1[k];
        s00 += x0[k] * v0;
        s01 += x0[k] * v1;
        if constexpr (Rows == 2) {
            s10 += x1[k] * v0;
            s11 += x1[k] * v1;
        }
    }
    acc[0] = s00;
    acc[1] = s01;
    if constexpr (Rows == 2) {
        acc[2] = s10;
        acc[3] = s11;
    }
}

/// y_r[o] = clamp(bias[o] + x_r . w[o]) for o < count and Rows rows; filters are `n` long and
/// `filter_stride` apart, taken two at a time.
template <int Rows>
inline void filters_block(const float* const* x, float* const* y, const float* w, const float* bias, int count, int n,
                          std::size_t filter_stride, clamp_range act) noexcept {
    float acc[2 * Rows];
    for (int o = 0; o < count; o += 2) {
        const float* w0 = w + static_cast<std::size_t>(o) * filter_stride;
        const bool pair = o + 1 < count;
        dot_block<Rows>(x, w0, pair ? w0 + filter_stride : w0, n, acc);
        for (int r = 0; r < Rows; ++r) {
            y[r][o] = act(acc[2 * r] + bias[o]);
            if (pair) y[r][o + 1] = act(acc[2 * r + 1] + bias[o + 1]);
        }
    }
}

#if NASCENT_DEPLOY_VECTOR
/// SIMD hosts: a convolution whose filters hold at most `lane_filter` weights runs output channel
/// by output channel in vector lanes (16 channels per block, two vectors of 8), so that short
/// filters (1x1 convolutions of few input channels, a first 3x3 layer of one input channel) use
/// whole vectors: per output pixel, its window (zero over the padding, as the definition) times
/// the block's weights transposed to [k][channel] (16 KB of stack), bias first, then k in order;
/// four output pixels at a time (the first window in the step's scratch when it has one, the
/// others on the stack).
inline constexpr int lane_filter = 256;
inline constexpr int lane_block = 16;

inline void conv_lanes(const conv_geometry& g, const float* x, float* y, const float* w, const float* bias, clamp_range act, float* scratch) noexcept {
    typedef float lanes __attribute__((vector_size(8 * sizeof(float))));
    constexpr int batch = 4;  // output pixels at a time: independent sums for the multiply-add pipeline
    const int n = g.window;
    const int np = pixels(g.out);
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    alignas(32) float wt[lane_filter][lane_block];
    alignas(32) float own[batch][lane_filter];
    float* window[batch] = {g.taps > 1 ? scratch : own[0], own[1], own[2], own[3]};  // the first in the scratch, when there is one
    const lanes lo = lanes{} + act.lo, hi = lanes{} + act.hi;
    for (int grp = 0; grp < g.groups; ++grp)
        for (int c0 = 0; c0 < g.out_per_group; c0 += lane_block) {
            const int count = std::min(lane_block, g.out_per_group - c0);
            const int first = grp * g.out_per_group + c0;
            for (int k = 0; k < n; ++k)
                for (int c = 0; c < lane_block; ++c)
                    wt[k][c] = c < count ? w[static_cast<std::size_t>(first + c) * static_cast<std::size_t>(n) + static_cast<std::size_t>(k)] : 0.0F;
            alignas(32) float start[lane_block] = {};
            for (int c = 0; c < count; ++c) start[c] = bias[first + c];
            for (int p0 = 0; p0 < np; p0 += batch) {
                const int pixels_now = std::min(batch, np - p0);
                for (int b = 0; b < batch; ++b) {
                    // The window of pixel p0 + b (the last one again past the end).
                    const int p = p0 + std::min(b, pixels_now - 1);
                    const int ih0 = p / g.out.w * g.stride - g.pad_top, iw0 = p % g.out.w * g.stride - g.pad_left;
                    float* dst = window[b];
                    for (int i = 0; i < g.kernel_h; ++i) {
                        const int ih = ih0 + i * g.dilation;
                        for (int j = 0; j < g.kernel_w; ++j, dst += cg) {
                            const int iw = iw0 + j * g.dilation;
                            if (ih < 0 || ih >= g.in.h || iw < 0 || iw >= g.in.w) {
                                std::fill(dst, dst + cg, 0.0F);
                                continue;
                            }
                            std::memcpy(dst,
                                        x + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * in_stride +
                                            static_cast<std::size_t>(grp) * cg,
                                        cg * sizeof(float));
                        }
                    }
                }
                lanes s[batch][2];
                for (int b = 0; b < batch; ++b) {
                    std::memcpy(&s[b][0], start, sizeof(lanes));
                    std::memcpy(&s[b][1], start + 8, sizeof(lanes));
                }
                for (int k = 0; k < n; ++k) {
                    lanes v0, v1;
                    std::memcpy(&v0, wt[k], sizeof v0);
                    std::memcpy(&v1, wt[k] + 8, sizeof v1);
                    for (int b = 0; b < batch; ++b) {
                        s[b][0] += window[b][k] * v0;
                        s[b][1] += window[b][k] * v1;
                    }
                }
                for (int b = 0; b < pixels_now; ++b) {
                    alignas(32) float out[lane_block];
                    for (int h = 0; h < 2; ++h) {
                        lanes v = s[b][h] < lo ? lo : s[b][h];
                        v = v > hi ? hi : v;
                        std::memcpy(out + 8 * h, &v, sizeof v);
                    }
                    std::memcpy(y + static_cast<std::size_t>(p0 + b) * out_stride + static_cast<std::size_t>(first), out,
                                static_cast<std::size_t>(count) * sizeof(float));
                }
            }
        }
}
#endif

} // namespace detail

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
#if NASCENT_DEPLOY_VECTOR
        auto finish_row = [act](int, const float* sums, float* out, int count) {
            for (int l = 0; l < count; ++l) out[l] = act(sums[l]);
        };
        if (depthwise_rows(g, x, w, 0.0F, [bias](int oc) { return bias[oc]; }, finish_row, y, element_at<float>(arena, s.scratch_offset), s.in_place))
            return;
#endif
        depthwise(g, x, w, 0.0F, [bias](int oc) { return bias[oc]; }, [act](int, float acc) { return act(acc); }, y,
                  element_at<float>(arena, s.scratch_offset), s.in_place);
        return;
    }
#if NASCENT_DEPLOY_VECTOR
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

/// The maximum of each window (clipped to the image). No params, no scratch.
inline void max_pool(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        float* yq = y + static_cast<std::size_t>(q) * out_stride;
        bool first = true;
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) {
                const float* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride;
                if (first) {
                    std::memcpy(yq, xp, c * sizeof(float));
                    first = false;
                    continue;
                }
                for (std::size_t k = 0; k < c; ++k) yq[k] = xp[k] > yq[k] ? xp[k] : yq[k];
            }
    });
}

/// The mean of each window over its real pixels (padding not counted). No params, no scratch.
inline void avg_pool(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        float* yq = y + static_cast<std::size_t>(q) * out_stride;
        std::fill(yq, yq + c, 0.0F);
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) {
                const float* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride;
                for (std::size_t k = 0; k < c; ++k) yq[k] += xp[k];
            }
        const float scale = 1.0F / static_cast<float>((h1 - h0) * (w1 - w0));
        for (std::size_t k = 0; k < c; ++k) yq[k] *= scale;
    });
}

/// The mean over all pixels: {h, w, c} -> {1, 1, c}. No params, no scratch.
inline void global_avg_pool(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const int n = pixels(s.in[0].extent);
    std::fill(y, y + c, 0.0F);
    for (int p = 0; p < n; ++p, x += in_stride)
        for (std::size_t k = 0; k < c; ++k) y[k] += x[k];
    const float scale = 1.0F / static_cast<float>(n);
    for (std::size_t k = 0; k < c; ++k) y[k] *= scale;
}

/// y = clamp(a + b), element by element; may run in place over either input. No params.
inline void add(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* a = element_at<const float>(arena, s.in[0].offset);
    const float* b = element_at<const float>(arena, s.in[1].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const clamp_range act = clamp_of(s.activation);
    const int c = s.out.extent.c;
    const int sa = stride_of(s.in[0]), sb = stride_of(s.in[1]), sy = stride_of(s.out);
    const bool flat = sa == c && sb == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int p = 0; p < rows; ++p, a += sa, b += sb, y += sy)
        for (int k = 0; k < len; ++k) y[k] = act(a[k] + b[k]);
}

namespace detail {

inline void clamp_elements(const step& s, std::byte* arena, clamp_range r) noexcept {
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const int c = s.out.extent.c;
    const int sx = stride_of(s.in[0]), sy = stride_of(s.out);
    const bool flat = sx == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int p = 0; p < rows; ++p, x += sx, y += sy)
        for (int k = 0; k < len; ++k) y[k] = x[k] < r.lo ? r.lo : (x[k] > r.hi ? r.hi : x[k]);
}

} // namespace detail

/// y = max(x, 0); may run in place. No params.
inline void relu(const step& s, const float*, const float*, std::byte* arena) noexcept {
    detail::clamp_elements(s, arena, detail::clamp_of(fused_activation::relu));
}

/// y = min(max(x, 0), 6); may run in place. No params.
inline void relu6(const step& s, const float*, const float*, std::byte* arena) noexcept {
    detail::clamp_elements(s, arena, detail::clamp_of(fused_activation::relu6));
}

/// y = 0 of the output's shape. No params.
inline void zero(const step& s, const float*, const float*, std::byte* arena) noexcept {
    nascent::deploy::detail::fill_output(s, 0.0F, arena);
}

/// y = [a, b] along channels (in[0].extent.c + in[1].extent.c == out.extent.c; never writes
/// past the output's channels). No params.
inline void concat(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* a = element_at<const float>(arena, s.in[0].offset);
    const float* b = element_at<const float>(arena, s.in[1].offset);
    float* y = element_at<float>(arena, s.out.offset);
    // Never more than the output's channels, whatever the inputs say.
    const auto ca = static_cast<std::size_t>(std::min(s.in[0].extent.c, s.out.extent.c));
    const auto cb = static_cast<std::size_t>(std::min(s.in[1].extent.c, s.out.extent.c - static_cast<int>(ca)));
    const int n = pixels(s.out.extent);
    for (int p = 0; p < n; ++p, a += stride_of(s.in[0]), b += stride_of(s.in[1]), y += stride_of(s.out)) {
        std::memcpy(y, a, ca * sizeof(float));
        std::memcpy(y + ca, b, cb * sizeof(float));
    }
}

/// ShuffleNet's channel shuffle over window.groups groups; may run in place (through one
/// pixel of scratch). No params.
inline void channel_shuffle(const step& s, const float*, const float*, std::byte* arena) noexcept {
    nascent::deploy::detail::shuffle_channels<float>(s, arena);
}

/// Runs step `s` with the kernel of its type; false for a type no kernel runs (batch_norm,
/// which deploy::compile turns into a 1x1 depthwise conv).
inline bool run_step(const step& s, const float* weights, const float* params, std::byte* arena) noexcept {
    switch (s.type) {
    case op_type::conv: conv(s, weights, params, arena); return true;
    case op_type::dense: dense(s, weights, params, arena); return true;
    case op_type::max_pool: max_pool(s, weights, params, arena); return true;
    case op_type::avg_pool: avg_pool(s, weights, params, arena); return true;
    case op_type::global_avg_pool: global_avg_pool(s, weights, params, arena); return true;
    case op_type::add: add(s, weights, params, arena); return true;
    case op_type::relu: relu(s, weights, params, arena); return true;
    case op_type::relu6: relu6(s, weights, params, arena); return true;
    case op_type::zero: zero(s, weights, params, arena); return true;
    case op_type::concat: concat(s, weights, params, arena); return true;
    case op_type::channel_shuffle: channel_shuffle(s, weights, params, arena); return true;
    case op_type::batch_norm: return false;
    }
    return false;
}

} // namespace float32

} // namespace nascent::deploy
