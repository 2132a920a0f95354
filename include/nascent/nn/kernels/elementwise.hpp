// nascent/nn/kernels/elementwise.hpp - the loops of an element-wise function and of its gradient.
//
//     kernels::map_elements(n, x, y, [](T v) { return f(v); });                  // y = f(x)
//     kernels::chain_elements(n, x, dy, dx, accumulate, [](T v) { return df(v); });  // dx (+)= f'(x) dy
// Raw pointers, any floating type T. Freestanding.
#pragma once

#include <cstddef>

namespace nascent::kernels {

/// y[i] = f(x[i]).
template <class T, class F>
void map_elements(std::size_t count, const T* x, T* y, F f) noexcept {
    for (std::size_t i = 0; i < count; ++i) y[i] = f(x[i]);
}

/// dx[i] += slope(x[i]) * dy[i]; with `accumulate` false the result is assigned instead.
template <class T, class Slope>
void chain_elements(std::size_t count, const T* x, const T* dy, T* dx, bool accumulate, Slope slope) noexcept {
    for (std::size_t i = 0; i < count; ++i) dx[i] = (accumulate ? dx[i] : T{0}) + slope(x[i]) * dy[i];
}

} // namespace nascent::kernels
