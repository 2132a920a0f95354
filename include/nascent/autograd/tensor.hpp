// nascent/autograd/tensor.hpp - the activation type of the training path.
//
// Every activation is a rank-4 NHWC xtensor [batch, h, w, c]; a batch of
// vectors is [batch, 1, 1, features] and a scalar (a loss) is [1, 1, 1, 1].
// One rank keeps the tape homogeneous and the kernels on raw pointers.
#pragma once

#include <array>
#include <cstddef>

#include <xtensor/xtensor.hpp>

#include "nascent/core/shape.hpp"

namespace nascent {

template <class T>
using tensor = xt::xtensor<T, 4>;

using tensor_shape = std::array<std::size_t, 4>;

/// Shape of a batch of `batch` samples of shape `s`.
[[nodiscard]] constexpr tensor_shape batch_shape(int batch, shape s) noexcept {
    return {static_cast<std::size_t>(batch), static_cast<std::size_t>(s.h), static_cast<std::size_t>(s.w),
            static_cast<std::size_t>(s.c)};
}

/// Per-sample shape of a batch tensor.
template <class T>
[[nodiscard]] shape sample_shape(const tensor<T>& t) noexcept {
    return shape{static_cast<int>(t.shape()[1]), static_cast<int>(t.shape()[2]), static_cast<int>(t.shape()[3])};
}

/// Batch size of a batch tensor.
template <class T>
[[nodiscard]] int batch_size(const tensor<T>& t) noexcept {
    return static_cast<int>(t.shape()[0]);
}

/// Resizes `t` to `s` only when the shape differs, so repeated steps reuse the storage.
template <class T>
void ensure_shape(tensor<T>& t, const tensor_shape& s) {
    if (!std::equal(s.begin(), s.end(), t.shape().begin())) t.resize(s);
}

} // namespace nascent
