// nascent/ops/relu6.hpp - clipped rectifier y = min(max(x, 0), 6) (MobileNet, MBConv).
#pragma once

#include <cstddef>

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

struct relu6 final : shape_preserving {};

namespace kernels {

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

} // namespace kernels
} // namespace nascent
