// nascent/ops/dropout.hpp - inverted dropout: in training each element is kept with
// probability 1 - p and scaled by 1 / (1 - p); in inference it is the identity.
// `PercentDropped` is p in percent (a template argument must be an integer or structural).
#pragma once

#include <cstddef>

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

template <int PercentDropped>
struct dropout final : shape_preserving {
    static_assert(PercentDropped >= 0 && PercentDropped < 100, "dropout<PercentDropped> needs 0 <= p < 100");
    static constexpr double rate = PercentDropped / 100.0;
};

namespace kernels {

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

} // namespace kernels
} // namespace nascent
