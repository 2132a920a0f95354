// exits.hpp - what the search job does differently for a space with early exits (docs/early_exits.md).
#pragma once

#include <vector>

#include <nascent/cost/exits.hpp>
#include <nascent/space/architecture.hpp>
#include <nascent/space/contract.hpp>

#include "options.hpp"

namespace nascent_search {

/// Joint training's loss weights for architecture `a` of an early-exit space: 1 per exit, the final
/// one included (empty for a space without exits: the final exit alone learns).
template <class Space>
std::vector<double> exit_loss_weights(const nascent::architecture& a) {
    if constexpr (nascent::space::holds_early_exits<Space>)
        return std::vector<double>(nascent::cost::exit_figures_of<Space>(job_input, nascent::cost::precision::int8, a.view()).size(), 1.0);
    else return {};
}

} // namespace nascent_search
