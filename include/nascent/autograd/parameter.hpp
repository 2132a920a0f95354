// nascent/autograd/parameter.hpp - a trainable tensor and its gradient.
//
// Parameters live outside the tape, in the layers that own them; the tape's
// backward functions accumulate into `grad` with +=. Optimisers read `grad`
// and update `value`; `decay` says whether weight decay applies (it is off
// for biases and batch-norm scale and shift by convention).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace nascent {

template <class T>
struct parameter {
    std::string name;
    xt::xarray<T> value;
    xt::xarray<T> grad;
    bool decay = true;

    parameter() = default;
    parameter(std::string name_, std::vector<std::size_t> shape_, bool decay_ = true)
        : name(std::move(name_)), value(xt::xarray<T>::from_shape(shape_)), grad(xt::xarray<T>::from_shape(shape_)),
          decay(decay_) {
        value.fill(T{0});
        grad.fill(T{0});
    }

    [[nodiscard]] std::size_t size() const noexcept { return value.size(); }
    void zero_grad() noexcept { std::fill(grad.begin(), grad.end(), T{0}); }
};

/// Non-trainable state that is saved with a model (batch-norm running statistics).
template <class T>
struct buffer {
    std::string name;
    xt::xarray<T> value;
};

} // namespace nascent
