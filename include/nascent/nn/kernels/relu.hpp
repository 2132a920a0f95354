// nascent/nn/kernels/relu.hpp - host training kernels of relu (ops/relu.hpp):
// rectifier forward and backward.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::relu_forward(n, x, y);
#pragma once

#include <cstddef>

#include "nascent/ops/relu.hpp"

namespace nascent::kernels {

template <class T>
void relu_forward(std::size_t count, const T* x, T* y) noexcept {
    for (std::size_t i = 0; i < count; ++i) y[i] = x[i] > T{0} ? x[i] : T{0};
}

/// dx += dy where the output was positive (the gradient at 0 is taken as 0); with
/// `accumulate` false the result is assigned instead.
template <class T>
void relu_backward(std::size_t count, const T* y, const T* dy, T* dx, bool accumulate = true) noexcept {
    if (accumulate) {
        for (std::size_t i = 0; i < count; ++i) dx[i] += y[i] > T{0} ? dy[i] : T{0};
    } else {
        for (std::size_t i = 0; i < count; ++i) dx[i] = y[i] > T{0} ? dy[i] : T{0};
    }
}

} // namespace nascent::kernels
