// Helpers shared by the unit tests: random tensors, a scalar probe for gradient checks, and the
// check of a gradient check's result.
#pragma once

#include <cstddef>

#include <nascent/autograd/tape.hpp>
#include <nascent/core/random.hpp>

namespace nascent::testing {

/// A tensor [n, h, w, c] of uniform values in [lo, hi).
template <class T = double>
tensor<T> random_tensor(tensor_shape shape, rng& random, double lo = -1.0, double hi = 1.0) {
    tensor<T> t(shape);
    for (auto& v : t) v = static_cast<T>(random.uniform(lo, hi));
    return t;
}

/// Records sum(x * weights): a scalar whose gradient with respect to x is `weights`.
/// Gradient checks use it to reduce an op's output with weights that are not all equal.
template <class T>
var weighted_sum(tape<T>& t, var x, const tensor<T>& weights) {
    const var y = t.record({1, 1, 1, 1}, t.requires_grad(x), [x, &weights](tape<T>& tp, var self) {
        const T g = tp.grad(self)(0, 0, 0, 0);
        auto& dx = tp.grad(x);
        for (std::size_t i = 0; i < dx.size(); ++i) dx.data()[i] += g * weights.data()[i];
    });
    T total{0};
    for (std::size_t i = 0; i < weights.size(); ++i) total += t.value(x).data()[i] * weights.data()[i];
    t.value(y)(0, 0, 0, 0) = total;
    return y;
}

} // namespace nascent::testing

/// Requires that a gradient check (nascent::gradcheck) checked some entries and passed them
/// all, printing the worst entry when it did not.
#define REQUIRE_GRADIENTS(result)                                         \
    do {                                                                  \
        const auto r_ = (result);                                         \
        INFO("worst: " << r_.worst_entry << " error " << r_.worst_error); \
        REQUIRE(r_.checked > 0);                                          \
        REQUIRE(r_.passed);                                               \
    } while (false)
