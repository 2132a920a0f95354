// nascent/nn/kernels/hard_sigmoid.hpp - host training kernels of hard sigmoid (ops/hard_sigmoid.hpp):
// y = relu6(x + 3) / 6 forward, and its gradient from the input x.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::hard_sigmoid_forward(n, x, y);
// The function itself is the device's (runtime/float/hard_sigmoid.hpp).
#pragma once

#include <cstddef>

#include "nascent/ops/hard_sigmoid.hpp"
#include "nascent/runtime/float/hard_sigmoid.hpp"

namespace nascent::kernels {

template <class T>
void hard_sigmoid_forward(std::size_t count, const T* x, T* y) noexcept {
    for (std::size_t i = 0; i < count; ++i) y[i] = deploy::float32::hard_sigmoid_of(x[i]);
}

/// dx += dy * dy/dx of the input x: 1/6 inside (-3, 3), 0 outside; with `accumulate` false the
/// result is assigned instead.
template <class T>
void hard_sigmoid_backward(std::size_t count, const T* x, const T* dy, T* dx, bool accumulate = true) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
        const T slope = x[i] > T{-3} && x[i] < T{3} ? T{1} / T{6} : T{0};
        dx[i] = (accumulate ? dx[i] : T{0}) + slope * dy[i];
    }
}

} // namespace nascent::kernels
