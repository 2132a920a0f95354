// nascent/ops/relu.hpp - rectified linear unit y = max(x, 0).
#pragma once

#include <cstddef>

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

struct relu final : shape_preserving {};

namespace kernels {

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

} // namespace kernels
} // namespace nascent
