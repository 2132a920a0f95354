// nascent/nn/kernels/dropout.hpp - host training kernels of dropout (ops/dropout.hpp):
// multiplication by a dropout mask, and its gradient.
//
// Raw NHWC pointers, any floating type T; the training interpreter (nn/) calls them. Example:
//   kernels::multiply(n, x, mask, y);
#pragma once

#include <cstddef>

#include "nascent/ops/dropout.hpp"

namespace nascent::kernels {

/// y = x * mask, where mask holds 0 or 1 / (1 - p) per element.
template <class T>
void multiply(std::size_t count, const T* x, const T* mask, T* y) noexcept {
    for (std::size_t i = 0; i < count; ++i) y[i] = x[i] * mask[i];
}

/// dx += dy * mask.
template <class T>
void multiply_backward(std::size_t count, const T* mask, const T* dy, T* dx) noexcept {
    for (std::size_t i = 0; i < count; ++i) dx[i] += dy[i] * mask[i];
}

} // namespace nascent::kernels
