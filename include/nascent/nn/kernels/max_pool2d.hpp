// nascent/nn/kernels/max_pool2d.hpp - host training kernels of max_pool2d (ops/max_pool2d.hpp):
// max pooling forward (with the argmax kept) and backward.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::max_pool2d_forward(max_pool2d<2>::geometry(in), batch, x, y, argmax);
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/ops/max_pool2d.hpp"

namespace nascent::kernels {

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

/// True when the windows tile the input without overlap (stride == kernel, no padding), so
/// every input position belongs to at most one window.
[[nodiscard]] constexpr bool tiles(const pool2d_geometry& g) noexcept {
    return g.stride == g.kernel && g.pad_top == 0 && g.pad_left == 0;
}

/// Backward for tiling windows that assigns every entry of dx: dy at each window's maximum,
/// zero elsewhere (also where no window reaches). Saves clearing dx first.
template <class T>
void max_pool2d_backward_assign(const pool2d_geometry& g, int batch, const std::int32_t* argmax, const T* dy,
                                T* dx) noexcept {
    const auto c_count = static_cast<std::size_t>(g.in.c);
    const int covered_h = g.out.h * g.stride;
    const int covered_w = g.out.w * g.stride;
    for (int n = 0; n < batch; ++n) {
        const std::size_t base = static_cast<std::size_t>(n) * g.in.size();
        for (int ih = 0; ih < g.in.h; ++ih) {
            for (int iw = 0; iw < g.in.w; ++iw) {
                const std::size_t at = base + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * c_count;
                T* d = dx + at;
                if (ih >= covered_h || iw >= covered_w) {
                    for (std::size_t c = 0; c < c_count; ++c) d[c] = T{0};
                    continue;
                }
                const std::size_t o = (static_cast<std::size_t>(n) * static_cast<std::size_t>(g.out.h * g.out.w) +
                                       static_cast<std::size_t>((ih / g.stride) * g.out.w + iw / g.stride)) * c_count;
                const std::int32_t* am = argmax + o;
                const T* g_out = dy + o;
                const auto first = static_cast<std::int32_t>(at);
                for (std::size_t c = 0; c < c_count; ++c)
                    d[c] = am[c] == first + static_cast<std::int32_t>(c) ? g_out[c] : T{0};
            }
        }
    }
}

} // namespace nascent::kernels
