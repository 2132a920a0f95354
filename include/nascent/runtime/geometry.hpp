// nascent/runtime/geometry.hpp - the geometry every kernel reads from its step (both precisions).
//
// conv_geometry_of(step) reads a convolution's shapes, window and groups once; taps_inside()
// clips a window to the image; gather_window() copies one output pixel's window (im2col of one
// column); for_each_pool_window() walks the clipped windows of a pool. Freestanding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/program.hpp"

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

/// y = f(x) for every element of the step's input 0 into its output (elements of type T), in one
/// run when both are contiguous and pixel by pixel when either is a channel slice; may run in place.
template <class T, class F>
inline void map_elements(const step& s, std::byte* arena, F&& f) noexcept {
    const T* x = element_at<const T>(arena, s.in[0].offset);
    T* y = element_at<T>(arena, s.out.offset);
    const int c = s.out.extent.c;
    const int sx = stride_of(s.in[0]), sy = stride_of(s.out);
    const bool flat = sx == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int p = 0; p < rows; ++p, x += sx, y += sy)
        for (int k = 0; k < len; ++k) y[k] = f(x[k]);
}

} // namespace detail

} // namespace nascent::deploy
