// nascent/ops/max_pool2d.hpp - max pooling: descriptor and host training kernels.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/ops/pool2d.hpp"

namespace nascent {

/// Max pooling over Kernel x Kernel windows (stride defaults to the kernel).
template <int Kernel, int Stride = Kernel, padding Pad = padding::valid>
struct max_pool2d final : pool2d_descriptor<Kernel, Stride, Pad> {};

namespace kernels {

/// y = max over each window; `argmax` receives, per output, the flat input index of the maximum
/// (first one on ties) for the backward pass.
template <class T>
void max_pool2d_forward(const pool2d_geometry& g, int batch, const T* x, T* y, std::int32_t* argmax) noexcept {
    const int c_count = g.in.c;
    for (int n = 0; n < batch; ++n) {
        const std::size_t base = static_cast<std::size_t>(n) * g.in.size();
        for (int oh = 0; oh < g.out.h; ++oh) {
            for (int ow = 0; ow < g.out.w; ++ow, y += c_count, argmax += c_count) {
                const int h0 = g.row_begin(oh), h1 = g.row_end(oh), w0 = g.col_begin(ow), w1 = g.col_end(ow);
                for (int ih = h0; ih < h1; ++ih) {
                    for (int iw = w0; iw < w1; ++iw) {
                        const std::size_t at = base + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * static_cast<std::size_t>(c_count);
                        const T* xp = x + at;
                        const auto first = static_cast<std::int32_t>(at);
                        if (ih == h0 && iw == w0) {
                            for (int c = 0; c < c_count; ++c) {
                                y[c] = xp[c];
                                argmax[c] = first + c;
                            }
                            continue;
                        }
                        for (int c = 0; c < c_count; ++c) {
                            const bool larger = xp[c] > y[c];
                            y[c] = larger ? xp[c] : y[c];
                            argmax[c] = larger ? first + c : argmax[c];
                        }
                    }
                }
            }
        }
    }
}

/// dx[argmax] += dy.
template <class T>
void max_pool2d_backward(std::size_t outputs, const std::int32_t* argmax, const T* dy, T* dx) noexcept {
    for (std::size_t i = 0; i < outputs; ++i) dx[argmax[i]] += dy[i];
}

} // namespace kernels
} // namespace nascent
