// nascent/nn/context.hpp - what a forward pass of the training interpreter needs.
//
// The mode belongs to the pass, not to the ops: batch norm reads `training`
// to choose batch statistics or running averages, dropout to choose a mask
// or the identity.
//
// In a supernet the pass also says which candidate runs (`sampling`):
// - single_path: every decision is read from `decisions`, one slot after
//   another in space order (space/node.hpp); without an architecture the
//   cursor reads 0, the first option everywhere;
// - mixed: every option runs and the outputs are summed, weighted by the
//   softmax of the decision's architecture parameters (DARTS);
// - gumbel_soft: weighted by softmax((alpha + Gumbel noise) / temperature) (FBNet);
// - gumbel_hard: only the option of largest perturbed weight runs, its output
//   scaled by a weight whose value is 1 and whose gradient is the soft
//   weight's (straight-through, GDAS).
// Combinators pass the context on to their members in slot order, so the
// cursor advances by itself.
#pragma once

#include "nascent/autograd/tape.hpp"
#include "nascent/core/random.hpp"
#include "nascent/space/node.hpp"

namespace nascent::nn {

enum class sampling { single_path, mixed, gumbel_soft, gumbel_hard };

template <class T>
struct context {
    tape<T>& graph;
    bool training = true;
    rng* random = nullptr;  ///< needed by stochastic ops (dropout, Gumbel noise) in training
    sampling mode = sampling::single_path;
    decision_cursor decisions{};  ///< single_path: the architecture being run
    double temperature = 1.0;     ///< Gumbel-softmax temperature
};

} // namespace nascent::nn
