// nascent/nn/context.hpp - what a forward pass of the training interpreter needs.
//
// The mode belongs to the pass, not to the ops: batch norm reads `training`
// to choose batch statistics or running averages, dropout to choose a mask
// or the identity.
#pragma once

#include "nascent/autograd/tape.hpp"
#include "nascent/core/random.hpp"

namespace nascent::nn {

template <class T>
struct context {
    tape<T>& graph;
    bool training = true;
    rng* random = nullptr;  ///< needed by stochastic ops (dropout) in training
};

} // namespace nascent::nn
