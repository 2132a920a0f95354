// nascent/nn/kernels/window_conv2d.hpp - host training kernels of window_conv2d (ops/window_conv2d.hpp):
// rectangular and dilated convolution forward and backward (im2col + GEMM, or a direct depthwise kernel).
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::window_conv2d_forward(asymmetric_conv2d<8, 1, 3>::geometry(in), batch, x, w, y, col, scratch);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "nascent/nn/kernels/gemm.hpp"
#include "nascent/ops/window_conv2d.hpp"

namespace nascent::kernels {

namespace detail {

/// Calls f(tap, input pixel offset) for every tap of output pixel (oh, ow) that lies inside the
/// image; the offset counts pixels from the start of the sample.
template <class F>
void for_each_tap(const window_geometry& g, int oh, int ow, F&& f) noexcept {
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

} // namespace detail

/// im2col (groups == 1): row (n, oh, ow) holds the window [i][j][channel], zeros outside the image.
template <class T>
void window_im2col(const window_geometry& g, int batch, const T* x, T* col) noexcept {
    const auto c = static_cast<std::size_t>(g.in.c);
    const auto row_len = static_cast<std::size_t>(g.filter_size());
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh)
            for (int ow = 0; ow < g.out.w; ++ow, col += row_len) {
                std::fill(col, col + row_len, T{0});
                detail::for_each_tap(g, oh, ow, [&](int tap, std::size_t pixel) {
                    std::memcpy(col + static_cast<std::size_t>(tap) * c, xn + pixel * c, sizeof(T) * c);
                });
            }
    }
}

/// Adjoint of window_im2col: dx += every window entry of col at its input position.
template <class T>
void window_col2im_add(const window_geometry& g, int batch, const T* col, T* dx) noexcept {
    const auto c = static_cast<std::size_t>(g.in.c);
    const auto row_len = static_cast<std::size_t>(g.filter_size());
    for (int n = 0; n < batch; ++n) {
        T* dxn = dx + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh)
            for (int ow = 0; ow < g.out.w; ++ow, col += row_len)
                detail::for_each_tap(g, oh, ow, [&](int tap, std::size_t pixel) {
                    const T* src = col + static_cast<std::size_t>(tap) * c;
                    T* dst = dxn + pixel * c;
                    for (std::size_t k = 0; k < c; ++k) dst[k] += src[k];
                });
    }
}

/// Depthwise weights between [c][taps] (OHWI) and [taps][c] (the direct kernel's layout):
/// with `to_taps`, dst[t][c] = src[c][t]; otherwise dst[c][t] += src[t][c].
template <class T>
void window_transpose(const window_geometry& g, const T* src, T* dst, bool to_taps) noexcept {
    const auto c = static_cast<std::size_t>(g.out.c);
    const auto taps = static_cast<std::size_t>(g.taps());
    for (std::size_t oc = 0; oc < c; ++oc)
        for (std::size_t t = 0; t < taps; ++t) {
            if (to_taps) dst[t * c + oc] = src[oc * taps + t];
            else dst[oc * taps + t] += src[t * c + oc];
        }
}

/// Forward pass: y = conv(x, w) for a batch. `col` holds batch * g.col_size() scalars (kept for
/// the backward pass); `scratch` holds g.weight_count() scalars.
template <class T>
void window_conv2d_forward(const window_geometry& g, int batch, const T* x, const T* w, T* y, T* col, T* scratch) noexcept {
    const auto c = static_cast<std::size_t>(g.out.c);
    if (g.depthwise()) {
        window_transpose(g, w, scratch, true);
        for (int n = 0; n < batch; ++n) {
            const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
            for (int oh = 0; oh < g.out.h; ++oh)
                for (int ow = 0; ow < g.out.w; ++ow, y += c) {
                    std::fill(y, y + c, T{0});
                    detail::for_each_tap(g, oh, ow, [&](int tap, std::size_t pixel) {
                        const T* xp = xn + pixel * c;
                        const T* wp = scratch + static_cast<std::size_t>(tap) * c;
                        for (std::size_t k = 0; k < c; ++k) y[k] += xp[k] * wp[k];
                    });
                }
        }
        return;
    }
    window_im2col(g, batch, x, col);
    const int rows = batch * g.out.h * g.out.w;
    blas::gemm(blas::trans::no, blas::trans::yes, rows, g.out.c, g.filter_size(), T{1}, col, g.filter_size(), w,
               g.filter_size(), T{0}, y, g.out.c);
}

/// Backward pass: dw += dL/dw, and dx += dL/dx when dx is not null. `scratch` holds
/// max(batch * g.col_size(), 2 * g.weight_count()) scalars.
template <class T>
void window_conv2d_backward(const window_geometry& g, int batch, const T* x, const T* w, const T* col, const T* dy, T* dx,
                            T* dw, T* scratch) noexcept {
    const auto c = static_cast<std::size_t>(g.out.c);
    if (g.depthwise()) {
        T* wt = scratch;
        T* dwt = scratch + g.weight_count();
        window_transpose(g, w, wt, true);
        std::fill(dwt, dwt + g.weight_count(), T{0});
        for (int n = 0; n < batch; ++n) {
            const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
            T* dxn = dx != nullptr ? dx + static_cast<std::size_t>(n) * g.in.size() : nullptr;
            for (int oh = 0; oh < g.out.h; ++oh)
                for (int ow = 0; ow < g.out.w; ++ow, dy += c)
                    detail::for_each_tap(g, oh, ow, [&](int tap, std::size_t pixel) {
                        const T* xp = xn + pixel * c;
                        const std::size_t at = static_cast<std::size_t>(tap) * c;
                        for (std::size_t k = 0; k < c; ++k) dwt[at + k] += dy[k] * xp[k];
                        if (dxn != nullptr) {
                            T* dxp = dxn + pixel * c;
                            for (std::size_t k = 0; k < c; ++k) dxp[k] += dy[k] * wt[at + k];
                        }
                    });
        }
        window_transpose(g, dwt, dw, false);
        return;
    }
    const int rows = batch * g.out.h * g.out.w;
    const int fs = g.filter_size();
    // dW [out_c x fs] += dY^T [out_c x rows] * col [rows x fs]
    blas::gemm(blas::trans::yes, blas::trans::no, g.out.c, fs, rows, T{1}, dy, g.out.c, col, fs, T{1}, dw, fs);
    if (dx == nullptr) return;
    // dcol [rows x fs] = dY [rows x out_c] * W [out_c x fs]
    blas::gemm(blas::trans::no, blas::trans::no, rows, fs, g.out.c, T{1}, dy, g.out.c, w, fs, T{0}, scratch, fs);
    window_col2im_add(g, batch, scratch, dx);
}

} // namespace nascent::kernels
