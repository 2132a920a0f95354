// nascent/train/sgd.hpp - stochastic gradient descent with momentum and weight decay.
//
// Per parameter, as PyTorch does: g = grad + decay * w (when the parameter
// takes decay); v = momentum * v + g; w -= lr * v (or, Nesterov,
// w -= lr * (g + momentum * v)).
#pragma once

#include <cstddef>
#include <vector>

#include "nascent/autograd/parameter.hpp"

namespace nascent::train {

struct sgd_options {
    double momentum = 0.9;
    double weight_decay = 0.0;
    bool nesterov = false;
};

template <class T>
class sgd {
public:
    sgd(std::vector<parameter<T>*> params, sgd_options options = {}) : params_(std::move(params)), options_(options) {
        for (auto* p : params_) velocity_.emplace_back(p->size(), T{0});
    }

    /// Zeroes every gradient (call before each backward pass).
    void zero_grad() noexcept {
        for (auto* p : params_) p->zero_grad();
    }

    /// One update with learning rate `lr`.
    void step(double lr) noexcept {
        const auto m = static_cast<T>(options_.momentum);
        const auto rate = static_cast<T>(lr);
        for (std::size_t i = 0; i < params_.size(); ++i) {
            parameter<T>& p = *params_[i];
            const T decay = p.decay ? static_cast<T>(options_.weight_decay) : T{0};
            T* w = p.value.data();
            const T* g = p.grad.data();
            T* v = velocity_[i].data();
            const std::size_t n = p.size();
            if (options_.nesterov) {
                for (std::size_t k = 0; k < n; ++k) {
                    const T gk = g[k] + decay * w[k];
                    v[k] = m * v[k] + gk;
                    w[k] -= rate * (gk + m * v[k]);
                }
            } else {
                for (std::size_t k = 0; k < n; ++k) {
                    v[k] = m * v[k] + g[k] + decay * w[k];
                    w[k] -= rate * v[k];
                }
            }
        }
    }

    [[nodiscard]] const std::vector<parameter<T>*>& parameters() const noexcept { return params_; }

private:
    std::vector<parameter<T>*> params_;
    sgd_options options_;
    std::vector<std::vector<T>> velocity_;
};

} // namespace nascent::train
