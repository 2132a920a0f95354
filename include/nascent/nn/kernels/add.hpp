// nascent/nn/kernels/add.hpp - host training kernels of add (ops/add.hpp):
// element-wise sum of two activations, and the gradient that flows to each operand.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::add_forward(n, a, b, y);
#pragma once

#include <cstddef>

#include "nascent/ops/add.hpp"

namespace nascent::kernels {

template <class T>
void add_forward(std::size_t count, const T* a, const T* b, T* y) noexcept {
    for (std::size_t i = 0; i < count; ++i) y[i] = a[i] + b[i];
}

/// The gradient of a sum flows unchanged to each operand: d += dy.
template <class T>
void accumulate(std::size_t count, const T* dy, T* d) noexcept {
    for (std::size_t i = 0; i < count; ++i) d[i] += dy[i];
}

} // namespace nascent::kernels
