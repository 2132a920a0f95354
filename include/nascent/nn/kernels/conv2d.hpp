// nascent/nn/kernels/conv2d.hpp - host training kernels of conv2d (ops/conv2d.hpp):
// standard, grouped and depthwise convolution forward and backward (im2col + GEMM, or a direct depthwise kernel).
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::conv2d_forward(conv2d<16, 3>::geometry(in), batch, x, w, bias, y, col, scratch);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "nascent/nn/kernels/gemm.hpp"
#include "nascent/ops/conv2d.hpp"

namespace nascent::kernels {

namespace detail {

/// Calls run(kh, kw_first, kw_count, image_offset, col_offset) for every row of the
/// kernel window that overlaps the image: taps kw_first .. kw_first + kw_count - 1 of window row
/// kh read kw_count * in_c contiguous input scalars (NHWC keeps neighbouring pixels adjacent)
/// at image_offset, matching col_offset in the im2col row (both in scalars). For groups == 1.
template <class Run>
void for_each_window_run(const conv2d_geometry& g, int batch, Run&& run) noexcept {
    const int k = g.kernel;
    const auto c = static_cast<std::size_t>(g.in.c);
    const std::size_t row_len = static_cast<std::size_t>(k * k) * c;
    std::size_t col_row = 0;
    for (int n = 0; n < batch; ++n) {
        const std::size_t image = static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            const int ih0 = oh * g.stride - g.pad_top;
            for (int ow = 0; ow < g.out.w; ++ow, col_row += row_len) {
                const int iw0 = ow * g.stride - g.pad_left;
                const int kw_first = iw0 < 0 ? -iw0 : 0;
                const int kw_last = iw0 + k > g.in.w ? g.in.w - iw0 : k;  // one past
                for (int kh = 0; kh < k; ++kh) {
                    const int ih = ih0 + kh;
                    if (ih < 0 || ih >= g.in.h || kw_last <= kw_first) continue;
                    run(kh, kw_first, kw_last - kw_first,
                        image + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw0 + kw_first)) * c,
                        col_row + (static_cast<std::size_t>(kh * k + kw_first)) * c);
                }
            }
        }
    }
}

} // namespace detail

/// im2col for NHWC: row (n, oh, ow) holds, group by group, the kernel window
/// [kh][kw][channel of the group] (zeros where the window leaves the image).
template <class T>
void im2col(const conv2d_geometry& g, int batch, const T* x, T* col) noexcept {
    const int k = g.kernel;
    const int cg = g.in_per_group();
    const std::size_t row_len = static_cast<std::size_t>(k) * static_cast<std::size_t>(k) * static_cast<std::size_t>(g.in.c);
    if (g.groups == 1) {
        // Zero only what the image does not cover: rows touching the border are cleared first.
        const auto c = static_cast<std::size_t>(g.in.c);
        const int rows_per_image = g.out.h * g.out.w;
        for (int n = 0; n < batch; ++n)
            for (int oh = 0; oh < g.out.h; ++oh)
                for (int ow = 0; ow < g.out.w; ++ow) {
                    const int ih0 = oh * g.stride - g.pad_top, iw0 = ow * g.stride - g.pad_left;
                    if (ih0 < 0 || iw0 < 0 || ih0 + k > g.in.h || iw0 + k > g.in.w) {
                        T* row = col + (static_cast<std::size_t>(n) * static_cast<std::size_t>(rows_per_image) +
                                        static_cast<std::size_t>(oh * g.out.w + ow)) * row_len;
                        std::fill(row, row + row_len, T{0});
                    }
                }
        detail::for_each_window_run(g, batch, [&](int, int, int count, std::size_t at, std::size_t to) {
            const T* src = x + at;
            T* dst = col + to;
            const std::size_t len = static_cast<std::size_t>(count) * c;
            for (std::size_t i = 0; i < len; ++i) dst[i] = src[i];
        });
        return;
    }
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, col += row_len) {
                const int ih0 = oh * g.stride - g.pad_top;
                const int iw0 = ow * g.stride - g.pad_left;
                T* dst = col;
                for (int grp = 0; grp < g.groups; ++grp) {
                    for (int kh = 0; kh < k; ++kh) {
                        const int ih = ih0 + kh;
                        for (int kw = 0; kw < k; ++kw, dst += cg) {
                            const int iw = iw0 + kw;
                            if (ih < 0 || ih >= g.in.h || iw < 0 || iw >= g.in.w) {
                                std::fill(dst, dst + cg, T{0});
                            } else {
                                const T* src = xn + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * static_cast<std::size_t>(g.in.c) +
                                               static_cast<std::size_t>(grp * cg);
                                std::memcpy(dst, src, sizeof(T) * static_cast<std::size_t>(cg));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Adjoint of im2col: adds every window entry of `col` back into its input position of `dx`.
template <class T>
void col2im_add(const conv2d_geometry& g, int batch, const T* col, T* dx) noexcept {
    const int k = g.kernel;
    const int cg = g.in_per_group();
    if (g.groups == 1) {
        const auto c = static_cast<std::size_t>(g.in.c);
        detail::for_each_window_run(g, batch, [&](int, int, int count, std::size_t at, std::size_t from) {
            T* dst = dx + at;
            const T* src = col + from;
            const std::size_t len = static_cast<std::size_t>(count) * c;
            for (std::size_t i = 0; i < len; ++i) dst[i] += src[i];
        });
        return;
    }
    for (int n = 0; n < batch; ++n) {
        T* dxn = dx + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow) {
                const int ih0 = oh * g.stride - g.pad_top;
                const int iw0 = ow * g.stride - g.pad_left;
                for (int grp = 0; grp < g.groups; ++grp) {
                    for (int kh = 0; kh < k; ++kh) {
                        const int ih = ih0 + kh;
                        for (int kw = 0; kw < k; ++kw, col += cg) {
                            const int iw = iw0 + kw;
                            if (ih < 0 || ih >= g.in.h || iw < 0 || iw >= g.in.w) continue;
                            T* dst = dxn + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * static_cast<std::size_t>(g.in.c) +
                                     static_cast<std::size_t>(grp * cg);
                            for (int ch = 0; ch < cg; ++ch) dst[ch] += col[ch];
                        }
                    }
                }
            }
        }
    }
}

/// Depthwise forward on the direct kernel. `wt` is the weight transposed to [kh][kw][out_c].
template <class T>
void depthwise_forward(const conv2d_geometry& g, int batch, const T* x, const T* wt, const T* bias, T* y) noexcept {
    const int k = g.kernel;
    const int m = g.out.c / g.in.c;
    const auto oc_count = static_cast<std::size_t>(g.out.c);
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, y += oc_count) {
                if (bias != nullptr) {
                    std::copy(bias, bias + oc_count, y);
                } else {
                    std::fill(y, y + oc_count, T{0});
                }
                for (int kh = 0; kh < k; ++kh) {
                    const int ih = oh * g.stride - g.pad_top + kh;
                    if (ih < 0 || ih >= g.in.h) continue;
                    for (int kw = 0; kw < k; ++kw) {
                        const int iw = ow * g.stride - g.pad_left + kw;
                        if (iw < 0 || iw >= g.in.w) continue;
                        const T* xp = xn + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * static_cast<std::size_t>(g.in.c);
                        const T* wp = wt + static_cast<std::size_t>(kh * k + kw) * oc_count;
                        if (m == 1) {
                            for (std::size_t c = 0; c < oc_count; ++c) y[c] += xp[c] * wp[c];
                        } else {
                            for (std::size_t c = 0; c < oc_count; ++c) y[c] += xp[c / static_cast<std::size_t>(m)] * wp[c];
                        }
                    }
                }
            }
        }
    }
}

/// Depthwise backward: dx += dW-adjoint, dwt (transposed layout) += input-adjoint.
template <class T>
void depthwise_backward(const conv2d_geometry& g, int batch, const T* x, const T* wt, const T* dy, T* dx,
                        T* dwt) noexcept {
    const int k = g.kernel;
    const auto m = static_cast<std::size_t>(g.out.c / g.in.c);
    const auto oc_count = static_cast<std::size_t>(g.out.c);
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        T* dxn = dx != nullptr ? dx + static_cast<std::size_t>(n) * g.in.size() : nullptr;
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, dy += oc_count) {
                for (int kh = 0; kh < k; ++kh) {
                    const int ih = oh * g.stride - g.pad_top + kh;
                    if (ih < 0 || ih >= g.in.h) continue;
                    for (int kw = 0; kw < k; ++kw) {
                        const int iw = ow * g.stride - g.pad_left + kw;
                        if (iw < 0 || iw >= g.in.w) continue;
                        const std::size_t at = (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * static_cast<std::size_t>(g.in.c);
                        const T* xp = xn + at;
                        const std::size_t tap = static_cast<std::size_t>(kh * k + kw) * oc_count;
                        const T* wp = wt + tap;
                        T* dwp = dwt + tap;
                        if (m == 1) {
                            for (std::size_t c = 0; c < oc_count; ++c) dwp[c] += dy[c] * xp[c];
                            if (dxn != nullptr) {
                                T* dxp = dxn + at;
                                for (std::size_t c = 0; c < oc_count; ++c) dxp[c] += dy[c] * wp[c];
                            }
                        } else {
                            for (std::size_t c = 0; c < oc_count; ++c) dwp[c] += dy[c] * xp[c / m];
                            if (dxn != nullptr) {
                                T* dxp = dxn + at;
                                for (std::size_t c = 0; c < oc_count; ++c) dxp[c / m] += dy[c] * wp[c];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Transposes a depthwise weight between OHWI ([out_c][k*k]) and tap-major ([k*k][out_c]).
template <class T>
void depthwise_transpose(const conv2d_geometry& g, const T* w_ohwi, T* w_taps) noexcept {
    const int taps = g.kernel * g.kernel;
    for (int oc = 0; oc < g.out.c; ++oc)
        for (int t = 0; t < taps; ++t)
            w_taps[static_cast<std::size_t>(t) * static_cast<std::size_t>(g.out.c) + static_cast<std::size_t>(oc)] =
                w_ohwi[static_cast<std::size_t>(oc) * static_cast<std::size_t>(taps) + static_cast<std::size_t>(t)];
}

/// Forward pass: y = conv(x, w) + bias for a batch. `col` must hold batch * g.col_size()
/// scalars (it is kept for the backward pass); `scratch` holds g.weight_count() scalars.
template <class T>
void conv2d_forward(const conv2d_geometry& g, int batch, const T* x, const T* w, const T* bias, T* y, T* col,
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
    const int lda = g.kernel * g.kernel * g.in.c;
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
void conv2d_backward(const conv2d_geometry& g, int batch, const T* x, const T* w, const T* col, const T* dy,
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
        const int taps = g.kernel * g.kernel;
        for (int oc = 0; oc < g.out.c; ++oc)
            for (int t = 0; t < taps; ++t)
                dw[static_cast<std::size_t>(oc) * static_cast<std::size_t>(taps) + static_cast<std::size_t>(t)] +=
                    dwt[static_cast<std::size_t>(t) * static_cast<std::size_t>(g.out.c) + static_cast<std::size_t>(oc)];
        return;
    }
    const T* a = g.pointwise() ? x : col;
    const int lda = g.kernel * g.kernel * g.in.c;
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
