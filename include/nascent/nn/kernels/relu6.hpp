// nascent/nn/kernels/relu6.hpp - host training kernels of relu6 (ops/relu6.hpp):
// clipped rectifier forward and backward.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::relu6_forward(n, x, y);
#pragma once

#include <cstddef>

#include "nascent/ops/relu6.hpp"

namespace nascent::kernels {

template <class T>
void relu6_forward(std::size_t count, const T* x, T* y) noexcept {
    for (std::size_t i = 0; i < count; ++i) y[i] = x[i] < T{0} ? T{0} : (x[i] > T{6} ? T{6} : x[i]);
}

/// dx += dy where 0 < y < 6; with `accumulate` false the result is assigned instead.
template <class T>
void relu6_backward(std::size_t count, const T* y, const T* dy, T* dx, bool accumulate = true) noexcept {
    if (accumulate) {
        for (std::size_t i = 0; i < count; ++i) dx[i] += (y[i] > T{0} && y[i] < T{6}) ? dy[i] : T{0};
    } else {
        for (std::size_t i = 0; i < count; ++i) dx[i] = (y[i] > T{0} && y[i] < T{6}) ? dy[i] : T{0};
    }
}

} // namespace nascent::kernels
