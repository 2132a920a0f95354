// nascent/nn/kernels/avg_pool2d.hpp - host training kernels of avg_pool2d (ops/avg_pool2d.hpp):
// average pooling forward and backward.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::avg_pool2d_forward(avg_pool2d<2>::geometry(in), batch, x, y);
#pragma once

#include <cstddef>

#include "nascent/ops/avg_pool2d.hpp"

namespace nascent::kernels {

template <class T>
void avg_pool2d_forward(const pool2d_geometry& g, int batch, const T* x, T* y) noexcept {
    const auto c_count = static_cast<std::size_t>(g.in.c);
    for (int n = 0; n < batch; ++n) {
        const T* xn = x + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, y += c_count) {
                for (std::size_t c = 0; c < c_count; ++c) y[c] = T{0};
                const int h0 = g.row_begin(oh), h1 = g.row_end(oh), w0 = g.col_begin(ow), w1 = g.col_end(ow);
                for (int ih = h0; ih < h1; ++ih)
                    for (int iw = w0; iw < w1; ++iw) {
                        const T* xp = xn + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * c_count;
                        for (std::size_t c = 0; c < c_count; ++c) y[c] += xp[c];
                    }
                const T scale = T{1} / static_cast<T>((h1 - h0) * (w1 - w0));
                for (std::size_t c = 0; c < c_count; ++c) y[c] *= scale;
            }
        }
    }
}

template <class T>
void avg_pool2d_backward(const pool2d_geometry& g, int batch, const T* dy, T* dx) noexcept {
    const auto c_count = static_cast<std::size_t>(g.in.c);
    for (int n = 0; n < batch; ++n) {
        T* dxn = dx + static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, dy += c_count) {
                const int h0 = g.row_begin(oh), h1 = g.row_end(oh), w0 = g.col_begin(ow), w1 = g.col_end(ow);
                const T scale = T{1} / static_cast<T>((h1 - h0) * (w1 - w0));
                for (int ih = h0; ih < h1; ++ih)
                    for (int iw = w0; iw < w1; ++iw) {
                        T* dxp = dxn + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * c_count;
                        for (std::size_t c = 0; c < c_count; ++c) dxp[c] += dy[c] * scale;
                    }
            }
        }
    }
}

} // namespace nascent::kernels
