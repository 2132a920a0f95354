// nascent/nn/architecture_weights.hpp - the architecture parameters (alpha) of one supernet decision.
//
// Kept apart from the weights: a distinct type, so that a visitor tells them
// apart (model::parameters() lists weights only, model::architecture_parameters()
// the alphas), and each gets its own optimiser (bilevel search).
#pragma once

#include <cstddef>

#include "nascent/autograd/parameter.hpp"
#include "nascent/core/random.hpp"

namespace nascent::nn {

template <class T>
struct architecture_weights {
    parameter<T> alpha;

    /// `options` logits, initialised to small random values (1e-3 N(0, 1), as DARTS) so that ties break.
    architecture_weights(std::size_t options, rng& init) : alpha("alpha", {options}, false) {
        for (auto& a : alpha.value) a = static_cast<T>(1e-3 * init.normal());
    }
    [[nodiscard]] std::size_t options() const noexcept { return alpha.size(); }
    /// The option of largest alpha.
    [[nodiscard]] int argmax() const noexcept {
        int best = 0;
        for (std::size_t i = 1; i < alpha.size(); ++i)
            if (alpha.value(i) > alpha.value(static_cast<std::size_t>(best))) best = static_cast<int>(i);
        return best;
    }
};

} // namespace nascent::nn
