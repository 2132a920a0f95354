// nascent/train/adam.hpp - Adam (Kingma & Ba), with L2 or decoupled (AdamW) weight decay.
//
// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
// w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
// With `decoupled` the decay is applied as w -= lr * decay * w (AdamW);
// otherwise decay * w is added to the gradient.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "nascent/autograd/parameter.hpp"

namespace nascent::train {

struct adam_options {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double weight_decay = 0.0;
    bool decoupled = false;
};

template <class T>
class adam {
public:
    adam(std::vector<parameter<T>*> params, adam_options options = {}) : params_(std::move(params)), options_(options) {
        for (auto* p : params_) {
            first_.emplace_back(p->size(), T{0});
            second_.emplace_back(p->size(), T{0});
        }
    }

    void zero_grad() noexcept {
        for (auto* p : params_) p->zero_grad();
    }

    void step(double lr) noexcept {
        ++steps_;
        const double b1 = options_.beta1, b2 = options_.beta2;
        const double c1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
        const double c2 = 1.0 - std::pow(b2, static_cast<double>(steps_));
        const auto step_size = static_cast<T>(lr / c1);
        const auto inv_sqrt_c2 = static_cast<T>(1.0 / std::sqrt(c2));
        const auto eps = static_cast<T>(options_.epsilon);
        for (std::size_t i = 0; i < params_.size(); ++i) {
            parameter<T>& p = *params_[i];
            const T decay = p.decay ? static_cast<T>(options_.weight_decay) : T{0};
            T* w = p.value.data();
            const T* g = p.grad.data();
            T* m = first_[i].data();
            T* v = second_[i].data();
            for (std::size_t k = 0; k < p.size(); ++k) {
                T gk = g[k];
                if (options_.decoupled) {
                    w[k] -= static_cast<T>(lr) * decay * w[k];
                } else {
                    gk += decay * w[k];
                }
                m[k] = static_cast<T>(b1) * m[k] + static_cast<T>(1.0 - b1) * gk;
                v[k] = static_cast<T>(b2) * v[k] + static_cast<T>(1.0 - b2) * gk * gk;
                w[k] -= step_size * m[k] / (std::sqrt(v[k]) * inv_sqrt_c2 + eps);
            }
        }
    }

    [[nodiscard]] const std::vector<parameter<T>*>& parameters() const noexcept { return params_; }

private:
    std::vector<parameter<T>*> params_;
    adam_options options_;
    std::vector<std::vector<T>> first_;
    std::vector<std::vector<T>> second_;
    std::size_t steps_ = 0;
};

} // namespace nascent::train
