// nascent/nn/kernels/hard_sigmoid.hpp - host training kernels of hard sigmoid (ops/hard_sigmoid.hpp):
// y = relu6(x + 3) / 6 forward, and its gradient from the input x.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::hard_sigmoid_forward(n, x, y);
// The function itself is the device's (runtime/float/hard_sigmoid.hpp).
#pragma once

#include <cstddef>

#include "nascent/nn/kernels/elementwise.hpp"
#include "nascent/ops/hard_sigmoid.hpp"
#include "nascent/runtime/float/hard_sigmoid.hpp"

namespace nascent::kernels {

template <class T>
void hard_sigmoid_forward(std::size_t count, const T* x, T* y) noexcept {
    map_elements(count, x, y, [](T v) { return deploy::float32::hard_sigmoid_of(v); });
}

/// dx += dy * dy/dx of the input x: 1/6 inside (-3, 3), 0 outside; with `accumulate` false the
/// result is assigned instead.
template <class T>
void hard_sigmoid_backward(std::size_t count, const T* x, const T* dy, T* dx, bool accumulate = true) noexcept {
    chain_elements(count, x, dy, dx, accumulate, [](T v) { return v > T{-3} && v < T{3} ? T{1} / T{6} : T{0}; });
}

} // namespace nascent::kernels
