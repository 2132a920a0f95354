// nascent/prune/target.hpp - the bounds prune_to_target narrows a network to: flash and peak
// RAM of the deployed network at one precision (cost::of<Space>), and a step limit.
//
//   prune::prune_target target{.flash_bytes = 10000, .peak_ram_bytes = 4000, .precision = cost::precision::int8};
#pragma once

#include <cstddef>

#include "nascent/cost/costs.hpp"

namespace nascent::prune {

/// Bounds for prune_to_target, at one precision (0: no bound).
struct prune_target {
    std::size_t flash_bytes = 0;
    std::size_t peak_ram_bytes = 0;
    cost::precision precision = cost::precision::int8;
    int max_steps = 64;
};

} // namespace nascent::prune
