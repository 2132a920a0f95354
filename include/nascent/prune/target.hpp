// nascent/prune/target.hpp - the bounds prune_to_target narrows a network to: the flash and
// peak RAM bounds of a cost::budget (at its precision, cost::of<Space>), and a step limit.
//
//   prune::prune_target target{.budget = {.ram_bytes = 4000, .flash_bytes = 10000}};
#pragma once

#include <cstddef>

#include "nascent/cost/budget.hpp"

namespace nascent::prune {

/// Bounds for prune_to_target: the budget's flash and peak RAM (MAC and parameter bounds are
/// refused), and the most narrowing steps.
struct prune_target {
    cost::budget budget{};
    int max_steps = 64;
};

} // namespace nascent::prune
