// nascent/nn/kernels/conv2d.hpp - host training kernels of every convolution (ops/conv_geometry.hpp:
// conv2d, depthwise_conv2d, asymmetric_conv2d, dilated_depthwise_conv2d), forward and backward.
//
// Depthwise geometries run on a direct kernel that vectorises over channels; an unpadded 1x1
// stride-1 one multiplies the input; everything else is im2col, then one GEMM per group over
// the whole batch. im2col copies whole runs of neighbouring pixels (NHWC keeps them adjacent)
// when the convolution is ungrouped and undilated, and tap by tap otherwise.
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::conv2d_forward(conv_geometry_for(in, 16, 3, 3, 1, 1, 1), batch, x, w, bias, y, col, scratch);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "nascent/nn/kernels/gemm.hpp"
#include "nascent/ops/conv_geometry.hpp"

namespace nascent::kernels {

namespace detail {

/// True when im2col may copy whole runs of pixels: ungrouped, taps one pixel apart.
[[nodiscard]] constexpr bool contiguous_windows(const conv_geometry& g) noexcept {
    return g.groups == 1 && g.dilation == 1;
}

/// Calls run(length, image_offset, col_offset) for every row of the kernel window that
/// overlaps the image, in window order: the taps of that row inside the image read `length`
/// contiguous input scalars (NHWC keeps neighbouring pixels adjacent) at image_offset, matching
/// col_offset in the im2col row (both in scalars). For contiguous_windows(g) only.
template <class Run>
void for_each_window_run(const conv_geometry& g, int batch, Run&& run) noexcept {
    const auto c = static_cast<std::size_t>(g.in.c);
    const std::size_t row_len = static_cast<std::size_t>(g.taps()) * c;
    const std::size_t image_row = static_cast<std::size_t>(g.in.w) * c;      // one input row
    const std::size_t window_row = static_cast<std::size_t>(g.kernel_w) * c;  // one window row of col
    std::size_t col_row = 0;
    for (int n = 0; n < batch; ++n) {
        const std::size_t image = static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            const int ih0 = oh * g.stride - g.pad_top;
            const int kh_first = ih0 < 0 ? -ih0 : 0;
            const int kh_last = ih0 + g.kernel_h > g.in.h ? g.in.h - ih0 : g.kernel_h;  // one past
            for (int ow = 0; ow < g.out.w; ++ow, col_row += row_len) {
                const int iw0 = ow * g.stride - g.pad_left;
                const int kw_first = iw0 < 0 ? -iw0 : 0;
                const int kw_last = iw0 + g.kernel_w > g.in.w ? g.in.w - iw0 : g.kernel_w;  // one past
                if (kw_last <= kw_first) continue;
                const std::size_t length = static_cast<std::size_t>(kw_last - kw_first) * c;
                std::size_t at = image + (static_cast<std::size_t>(ih0 + kh_first) * static_cast<std::size_t>(g.in.w) +
                                          static_cast<std::size_t>(iw0 + kw_first)) * c;
                std::size_t to = col_row + static_cast<std::size_t>(kh_first * g.kernel_w + kw_first) * c;
                for (int kh = kh_first; kh < kh_last; ++kh, at += image_row, to += window_row) run(length, at, to);
            }
        }
    }
}

/// Calls f(tap, input pixel offset) for every tap (i, j) of output pixel (oh, ow) that lies
/// inside the image, tap = i * kernel_w + j; the offset counts pixels from the start of the sample.
template <class F>
void for_each_tap(const conv_geometry& g, int oh, int ow, F&& f) noexcept {
    for (int i = 0; i < g.kernel_h; ++i) {
        const int ih = oh * g.stride - g.pad_top + i * g.dilation;
        if (ih < 0 || ih >= g.in.h) continue;
        for (int j = 0; j < g.kernel_w; ++j) {
            const int iw = ow * g.stride - g.pad_left + j * g.dilation;
            if (iw < 0 || iw >= g.in.w) continue;
            f(i * g.kernel_w + j, static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw));
        }
    }
}

/// Zeroes the im2col rows whose window leaves the image; im2col overwrites the rest whole.
template <class T>
void zero_border_rows(const conv_geometry& g, int batch, T* col) noexcept {
    const std::size_t row_len = static_cast<std::size_t>(g.taps()) * static_cast<std::size_t>(g.in.c);
    const int extent_h = (g.kernel_h - 1) * g.dilation + 1;
    const int extent_w = (g.kernel_w - 1) * g.dilation + 1;
    const int rows_per_image = g.out.h * g.out.w;
    for (int n = 0; n < batch; ++n)
        for (int oh = 0; oh < g.out.h; ++oh)
            for (int ow = 0; ow < g.out.w; ++ow) {
                const int ih0 = oh * g.stride - g.pad_top, iw0 = ow * g.stride - g.pad_left;
                if (ih0 < 0 || iw0 < 0 || ih0 + extent_h > g.in.h || iw0 + extent_w > g.in.w) {
                    T* row = col + (static_cast<std::size_t>(n) * static_cast<std::size_t>(rows_per_image) +
                                    static_cast<std::size_t>(oh * g.out.w + ow)) * row_len;
                    std::fill(row, row + row_len, T{0});
                }
            }
}

// The run and tap paths are functions of their own so that the compiler allocates registers for
// the run loops alone (inlined beside the tap loops they ran about 15% slower).

/// im2col of contiguous_windows(g): whole runs of pixels, rows leaving the image zeroed first.
template <class T>
[[gnu::noinline]] void im2col_runs(const conv_geometry& g, int batch, const T* x, T* col) noexcept {
    zero_border_rows(g, batch, col);
    for_each_window_run(g, batch, [&](std::size_t length, std::size_t at, std::size_t to) {
        const T* src = x + at;
        T* dst = col + to;
        for (std::size_t i = 0; i < length; ++i) dst[i] = src[i];
    });
}

/// im2col tap by tap (grouped or dilated windows).
template <class T>
[[gnu::noinline]] void im2col_taps(const conv_geometry& g, int batch, const T* x, T* col) noexcept {
    zero_border_rows(g, batch, col);
    const auto c = static_cast<std::size_t>(g.in.c);
    const auto cg = static_cast<std::size_t>(g.in_per_group());
    const auto taps = static_cast<std::size_t>(g.taps());
    const std::size_t row_len = taps * c;
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh)
            for (int ow = 0; ow < g.out.w; ++ow, col += row_len)
                for_each_tap(g, oh, ow, [&](int tap, std::size_t pixel) {
                    const T* src = xn + pixel * c;
                    for (std::size_t grp = 0; grp < static_cast<std::size_t>(g.groups); ++grp)
                        std::memcpy(col + (grp * taps + static_cast<std::size_t>(tap)) * cg, src + grp * cg, sizeof(T) * cg);
                });
    }
}

/// col2im_add of contiguous_windows(g): whole runs of pixels.
template <class T>
[[gnu::noinline]] void col2im_add_runs(const conv_geometry& g, int batch, const T* col, T* dx) noexcept {
    for_each_window_run(g, batch, [&](std::size_t length, std::size_t at, std::size_t from) {
        T* dst = dx + at;
        const T* src = col + from;
        for (std::size_t i = 0; i < length; ++i) dst[i] += src[i];
    });
}

/// col2im_add tap by tap (grouped or dilated windows).
template <class T>
[[gnu::noinline]] void col2im_add_taps(const conv_geometry& g, int batch, const T* col, T* dx) noexcept {
    const auto c = static_cast<std::size_t>(g.in.c);
    const auto cg = static_cast<std::size_t>(g.in_per_group());
    const auto taps = static_cast<std::size_t>(g.taps());
    const std::size_t row_len = taps * c;
    for (int n = 0; n < batch; ++n) {
        T* dxn = dx + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh)
            for (int ow = 0; ow < g.out.w; ++ow, col += row_len)
                for_each_tap(g, oh, ow, [&](int tap, std::size_t pixel) {
                    T* dst = dxn + pixel * c;
                    for (std::size_t grp = 0; grp < static_cast<std::size_t>(g.groups); ++grp) {
                        const T* src = col + (grp * taps + static_cast<std::size_t>(tap)) * cg;
                        for (std::size_t ch = 0; ch < cg; ++ch) dst[grp * cg + ch] += src[ch];
                    }
                });
    }
}

} // namespace detail

/// im2col for NHWC: row (n, oh, ow) holds, group by group, the kernel window
/// [i][j][channel of the group] (zeros where the window leaves the image).
template <class T>
void im2col(const conv_geometry& g, int batch, const T* x, T* col) noexcept {
    if (detail::contiguous_windows(g)) return detail::im2col_runs(g, batch, x, col);
    detail::im2col_taps(g, batch, x, col);
}

/// Adjoint of im2col: adds every window entry of `col` back into its input position of `dx`.
template <class T>
void col2im_add(const conv_geometry& g, int batch, const T* col, T* dx) noexcept {
    if (detail::contiguous_windows(g)) return detail::col2im_add_runs(g, batch, col, dx);
    detail::col2im_add_taps(g, batch, col, dx);
}

/// Depthwise forward on the direct kernel. `wt` is the weight transposed to [tap][out_c].
template <class T>
void depthwise_forward(const conv_geometry& g, int batch, const T* x, const T* wt, const T* bias, T* y) noexcept {
    const int m = g.out.c / g.in.c;
    const auto oc_count = static_cast<std::size_t>(g.out.c);
    const auto c = static_cast<std::size_t>(g.in.c);
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, y += oc_count) {
                if (bias != nullptr) {
                    std::copy(bias, bias + oc_count, y);
                } else {
                    std::fill(y, y + oc_count, T{0});
                }
                detail::for_each_tap(g, oh, ow, [&](int tap, std::size_t pixel) {
                    const T* xp = xn + pixel * c;
                    const T* wp = wt + static_cast<std::size_t>(tap) * oc_count;
                    if (m == 1) {
                        for (std::size_t k = 0; k < oc_count; ++k) y[k] += xp[k] * wp[k];
                    } else {
                        for (std::size_t k = 0; k < oc_count; ++k) y[k] += xp[k / static_cast<std::size_t>(m)] * wp[k];
                    }
                });
            }
        }
    }
}

/// Depthwise backward: dx += input-adjoint (when dx is not null), dwt (transposed layout) += weight-adjoint.
template <class T>
void depthwise_backward(const conv_geometry& g, int batch, const T* x, const T* wt, const T* dy, T* dx,
                        T* dwt) noexcept {
    const auto m = static_cast<std::size_t>(g.out.c / g.in.c);
    const auto oc_count = static_cast<std::size_t>(g.out.c);
    const auto c = static_cast<std::size_t>(g.in.c);
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        T* dxn = dx != nullptr ? dx + static_cast<std::size_t>(n) * g.in.size() : nullptr;
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, dy += oc_count) {
                detail::for_each_tap(g, oh, ow, [&](int tap_index, std::size_t pixel) {
                    const std::size_t at = pixel * c;
                    const T* xp = xn + at;
                    const std::size_t tap = static_cast<std::size_t>(tap_index) * oc_count;
                    const T* wp = wt + tap;
                    T* dwp = dwt + tap;
                    if (m == 1) {
                        for (std::size_t k = 0; k < oc_count; ++k) dwp[k] += dy[k] * xp[k];
                        if (dxn != nullptr) {
                            T* dxp = dxn + at;
                            for (std::size_t k = 0; k < oc_count; ++k) dxp[k] += dy[k] * wp[k];
                        }
                    } else {
                        for (std::size_t k = 0; k < oc_count; ++k) dwp[k] += dy[k] * xp[k / m];
                        if (dxn != nullptr) {
                            T* dxp = dxn + at;
                            for (std::size_t k = 0; k < oc_count; ++k) dxp[k / m] += dy[k] * wp[k];
                        }
                    }
                });
            }
        }
    }
}

/// Transposes a depthwise weight from OHWI ([out_c][taps]) to tap-major ([taps][out_c]).
template <class T>
void depthwise_transpose(const conv_geometry& g, const T* w_ohwi, T* w_taps) noexcept {
    const int taps = g.taps();
    for (int oc = 0; oc < g.out.c; ++oc)
        for (int t = 0; t < taps; ++t)
            w_taps[static_cast<std::size_t>(t) * static_cast<std::size_t>(g.out.c) + static_cast<std::size_t>(oc)] =
                w_ohwi[static_cast<std::size_t>(oc) * static_cast<std::size_t>(taps) + static_cast<std::size_t>(t)];
}

/// Forward pass: y = conv(x, w) + bias for a batch. `col` must hold batch * g.col_size()
/// scalars (it is kept for the backward pass); `scratch` holds g.weight_count() scalars.
template <class T>
void conv2d_forward(const conv_geometry& g, int batch, const T* x, const T* w, const T* bias, T* y, T* col,
                    T* scratch) noexcept {
    const int rows = batch * g.out.h * g.out.w;
    if (g.depthwise()) {
        depthwise_transpose(g, w, scratch);
        depthwise_forward(g, batch, x, scratch, bias, y);
        return;
    }
    const T* a = x;
    if (!g.pointwise()) {
        im2col(g, batch, x, col);
        a = col;
    }
    const int lda = g.taps() * g.in.c;
    const int fs = g.filter_size();
    const int og = g.out_per_group();
    T beta = T{0};
    if (bias != nullptr) {
        T* row = y;
        for (int r = 0; r < rows; ++r, row += g.out.c) std::copy(bias, bias + g.out.c, row);
        beta = T{1};
    }
    for (int grp = 0; grp < g.groups; ++grp) {
        blas::gemm(blas::trans::no, blas::trans::yes, rows, og, fs, T{1}, a + static_cast<std::size_t>(grp * fs), lda,
                   w + static_cast<std::size_t>(grp * og) * static_cast<std::size_t>(fs), fs, beta, y + grp * og, g.out.c);
    }
}

/// Backward pass. Accumulates dw (and db, dx when not null) with +=. `col` is what the
/// forward pass left; `scratch` holds max(batch * g.col_size(), 2 * g.weight_count()) scalars.
template <class T>
void conv2d_backward(const conv_geometry& g, int batch, const T* x, const T* w, const T* col, const T* dy,
                     T* dx, T* dw, T* db, T* scratch) noexcept {
    const int rows = batch * g.out.h * g.out.w;
    if (db != nullptr) {
        const T* row = dy;
        for (int r = 0; r < rows; ++r, row += g.out.c)
            for (int c = 0; c < g.out.c; ++c) db[c] += row[c];
    }
    if (g.depthwise()) {
        const std::size_t wc = g.weight_count();
        T* wt = scratch;
        T* dwt = scratch + wc;
        depthwise_transpose(g, w, wt);
        std::fill(dwt, dwt + wc, T{0});
        depthwise_backward(g, batch, x, wt, dy, dx, dwt);
        const int taps = g.taps();
        for (int oc = 0; oc < g.out.c; ++oc)
            for (int t = 0; t < taps; ++t)
                dw[static_cast<std::size_t>(oc) * static_cast<std::size_t>(taps) + static_cast<std::size_t>(t)] +=
                    dwt[static_cast<std::size_t>(t) * static_cast<std::size_t>(g.out.c) + static_cast<std::size_t>(oc)];
        return;
    }
    const T* a = g.pointwise() ? x : col;
    const int lda = g.taps() * g.in.c;
    const int fs = g.filter_size();
    const int og = g.out_per_group();
    for (int grp = 0; grp < g.groups; ++grp) {
        // dW_g[og x fs] += dY_g^T [og x rows] * A_g [rows x fs]
        blas::gemm(blas::trans::yes, blas::trans::no, og, fs, rows, T{1}, dy + grp * og, g.out.c,
                   a + static_cast<std::size_t>(grp * fs), lda, T{1},
                   dw + static_cast<std::size_t>(grp * og) * static_cast<std::size_t>(fs), fs);
    }
    if (dx == nullptr) return;
    // dA_g [rows x fs] = dY_g [rows x og] * W_g [og x fs]; straight into dx for 1x1 stride 1.
    T* da = g.pointwise() ? dx : scratch;
    const T beta = g.pointwise() ? T{1} : T{0};
    for (int grp = 0; grp < g.groups; ++grp) {
        blas::gemm(blas::trans::no, blas::trans::no, rows, fs, og, T{1}, dy + grp * og, g.out.c,
                   w + static_cast<std::size_t>(grp * og) * static_cast<std::size_t>(fs), fs, beta,
                   da + static_cast<std::size_t>(grp * fs), lda);
    }
    if (!g.pointwise()) col2im_add(g, batch, scratch, dx);
}

} // namespace nascent::kernels
