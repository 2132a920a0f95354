// nascent/train/sam.hpp - sharpness-aware minimisation (Foret et al., ICLR 2021).
//
//     train::fit_options settings;
//     settings.sharpness_radius = 0.05;   // rho: every step takes the gradient at w + rho g / |g|
//
// SAM minimises the worst loss within a ball of radius rho around the weights. Each step runs
// two passes: the first gives the gradient g at w; the weights move to w + rho g / |g| (|g| over
// all trainable parameters together); the second pass's gradient there is the one the optimiser
// applies, at w again. The move and the way back are this header's: the weights come back bit
// for bit, and the batch-norm statistics the second pass would update are put back too, so
// they follow the first pass alone (the unperturbed weights). The optimiser is any of the
// library's; weight decay and momentum act as they do without SAM.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "nascent/autograd/parameter.hpp"

namespace nascent::train {

template <class T>
class sharpness_aware_step {
public:
    sharpness_aware_step(std::vector<parameter<T>*> params, std::vector<buffer<T>*> state)
        : params_(std::move(params)), state_(std::move(state)), kept_(params_.size()), kept_state_(state_.size()) {}

    /// After the first backward pass: keeps the weights and the batch-norm state, and moves the
    /// weights to w + rho g / |g|. Returns false, having moved nothing, when the gradient is zero.
    bool ascend(double rho) {
        double norm = 0.0;
        for (const parameter<T>* p : params_)
            for (const T g : p->grad) norm += static_cast<double>(g) * static_cast<double>(g);
        norm = std::sqrt(norm);
        if (!(norm > 0.0)) return false;
        const double scale = rho / norm;
        for (std::size_t i = 0; i < params_.size(); ++i) {
            parameter<T>& p = *params_[i];
            kept_[i].assign(p.value.begin(), p.value.end());
            auto g = p.grad.begin();
            for (T& w : p.value) w += static_cast<T>(scale * static_cast<double>(*g++));
        }
        for (std::size_t i = 0; i < state_.size(); ++i) kept_state_[i].assign(state_[i]->value.begin(), state_[i]->value.end());
        return true;
    }

    /// After the second backward pass: the weights and the batch-norm state as ascend() found
    /// them; the gradients stay the second pass's.
    void restore() {
        for (std::size_t i = 0; i < params_.size(); ++i) std::copy(kept_[i].begin(), kept_[i].end(), params_[i]->value.begin());
        for (std::size_t i = 0; i < state_.size(); ++i) std::copy(kept_state_[i].begin(), kept_state_[i].end(), state_[i]->value.begin());
    }

private:
    std::vector<parameter<T>*> params_;
    std::vector<buffer<T>*> state_;
    std::vector<std::vector<T>> kept_, kept_state_;
};

} // namespace nascent::train
