// nascent/deploy/exits.hpp - the thresholds of an early-exit program's gates.
//
//   deploy::float_parameters f = nn::extract(model, g, arch);
//   deploy::set_exit_thresholds(g, f, policy.thresholds);   // before quantising: the int8 gates derive theirs
//
// A gate's threshold is its one float parameter (runtime/float/exit_gate.hpp); extraction leaves it
// at 1 (an exit leaves only when certain). The int8 gate's integer test is made from it when the
// parameters are quantised (deploy/quantize.hpp).
#pragma once

#include <cstddef>
#include <span>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/deploy/parameters.hpp"
#include "nascent/runtime/kernel_rules.hpp"

namespace nascent::deploy {

/// The number of exit gates of graph g (its early exits).
[[nodiscard]] constexpr std::size_t exit_gates_of(const cost::graph& g) noexcept {
    std::size_t n = 0;
    for (const cost::op_node& o : g.ops) n += o.type == op_type::exit_gate ? 1U : 0U;
    return n;
}

/// Sets the threshold of every gate of g, in exit order, in its float parameters p. Throws
/// nascent::error on a count that is not the exits' or a threshold outside (0, 1].
inline void set_exit_thresholds(const cost::graph& g, float_parameters& p, std::span<const double> thresholds) {
    require(thresholds.size() == exit_gates_of(g),
            string_of("set_exit_thresholds: ", thresholds.size(), " thresholds for a network of ", exit_gates_of(g), " early exits"));
    std::size_t at = 0, exit = 0;
    for (const cost::op_node& o : g.ops) {
        if (o.type == op_type::exit_gate) {
            const double tau = thresholds[exit++];
            require(tau > 0.0 && tau <= 1.0, string_of("set_exit_thresholds: the threshold tau of exit ", exit, " must be in (0, 1], got ", tau));
            require(at < p.params.size(), "set_exit_thresholds: the parameters are not the graph's");
            p.params[at] = static_cast<float>(tau);
        }
        at += param_layout::count(o.type, precision::float32, o.output_extent.c);
    }
}

} // namespace nascent::deploy
