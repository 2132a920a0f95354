// nascent/nn/kernels/global_avg_pool.hpp - host training kernels of global_avg_pool (ops/global_avg_pool.hpp):
// mean over the spatial extent, forward and backward.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::global_avg_pool_forward(in, batch, x, y);
#pragma once

#include <cstddef>

#include "nascent/ops/global_avg_pool.hpp"

namespace nascent::kernels {

template <class T>
void global_avg_pool_forward(shape in, int batch, const T* x, T* y) noexcept {
    const auto pixels = static_cast<std::size_t>(in.h) * static_cast<std::size_t>(in.w);
    const auto c_count = static_cast<std::size_t>(in.c);
    const T scale = T{1} / static_cast<T>(pixels);
    for (int n = 0; n < batch; ++n, y += c_count) {
        for (std::size_t c = 0; c < c_count; ++c) y[c] = T{0};
        for (std::size_t p = 0; p < pixels; ++p, x += c_count)
            for (std::size_t c = 0; c < c_count; ++c) y[c] += x[c];
        for (std::size_t c = 0; c < c_count; ++c) y[c] *= scale;
    }
}

template <class T>
void global_avg_pool_backward(shape in, int batch, const T* dy, T* dx) noexcept {
    const auto pixels = static_cast<std::size_t>(in.h) * static_cast<std::size_t>(in.w);
    const auto c_count = static_cast<std::size_t>(in.c);
    const T scale = T{1} / static_cast<T>(pixels);
    for (int n = 0; n < batch; ++n, dy += c_count)
        for (std::size_t p = 0; p < pixels; ++p, dx += c_count)
            for (std::size_t c = 0; c < c_count; ++c) dx[c] += dy[c] * scale;
}

} // namespace nascent::kernels
