// nascent/nn/kernels/hard_swish.hpp - host training kernels of hard swish (ops/hard_swish.hpp):
// y = x * relu6(x + 3) / 6 forward, and its gradient from the input x.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::hard_swish_forward(n, x, y);
// The function itself is the device's (runtime/float/hard_swish.hpp), so training, the float
// program and the int8 table compute one definition.
#pragma once

#include <cstddef>

#include "nascent/nn/kernels/elementwise.hpp"
#include "nascent/ops/hard_swish.hpp"
#include "nascent/runtime/float/hard_swish.hpp"

namespace nascent::kernels {

template <class T>
void hard_swish_forward(std::size_t count, const T* x, T* y) noexcept {
    map_elements(count, x, y, [](T v) { return deploy::float32::hard_swish_of(v); });
}

/// dx += dy * dy/dx of the input x: 0 below -3, 1 above 3, (2x + 3) / 6 between; with
/// `accumulate` false the result is assigned instead.
template <class T>
void hard_swish_backward(std::size_t count, const T* x, const T* dy, T* dx, bool accumulate = true) noexcept {
    chain_elements(count, x, dy, dx, accumulate, [](T v) { return v < T{-3} ? T{0} : (v > T{3} ? T{1} : (T{2} * v + T{3}) / T{6}); });
}

} // namespace nascent::kernels
