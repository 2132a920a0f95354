// nascent/cost/costs.hpp - the figures of one network: parameters, MACs, activations, flash, peak RAM.
//
// measure(graph) computes them for any lowered graph at run time; of<Net>(input,
// precision) lowers a network descriptor and measures it, and is constexpr, so
// the figures of a fixed network can be checked in a static_assert. Both run
// the same code: the search judges a candidate with exactly the function that
// sizes the deployed network's arena.
//
// Peak RAM is the arena of the memory plan (plan.hpp), the one the deploy network
// uses. The least-peak schedule's peak is a lower bound for it, reached by nearly
// every graph; on rare branching graphs no layout of any least-peak order fits it.
// A chain (every op reads just the one before it) always fits: its buffers go in
// turn at the bottom and at the top of the arena (plan.hpp). So the plan is
// computed only for graphs with a branch.
//
// Every node of the network must have a cost lowering (cost/contract.hpp): one that has
// none stops compilation with one sentence naming it. A space bound to its input shape
// (space/bound.hpp) is costed without repeating the shape:
//     cost::of<my>(precision::int8, a)   // my = space::bound<my_space, shape{28, 28, 1}>, a a my::architecture
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <span>

#include "nascent/cost/contract.hpp"
#include "nascent/cost/exits.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/plan.hpp"
#include "nascent/cost/schedule.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/bound.hpp"

namespace nascent::cost {

/// Early exits whose MACs the figures (and a budget's bounds) hold one by one.
inline constexpr std::size_t bounded_exits = 4;

struct costs {
    std::size_t params = 0;          ///< trainable scalars (batch norm included, as trained)
    std::size_t macs = 0;            ///< multiply-accumulates of the deploy network (batch norm folded)
    std::size_t activations = 0;     ///< elements of every op output, summed (CNAS's "activations")
    std::size_t flash_bytes = 0;     ///< weights, biases and quantisation parameters on the device
    std::size_t peak_ram_bytes = 0;  ///< the activation arena the deploy network uses (the memory plan's)
    std::size_t schedule_peak_bytes = 0;  ///< the least-peak schedule's peak: a lower bound of any arena,
                                          ///< equal to peak_ram_bytes but on rare branching graphs
    std::size_t largest_tensor_bytes = 0;
    bool exact_schedule = true;      ///< false when part of the graph was too large for the exact search
    std::size_t early_exits = 0;     ///< exit branches (cost/exits.hpp); `macs` holds every head: the worst case
    /// EDANAS's MACs up to each of the first early exits and of its head (macs_to_exit; 0 past early_exits)
    std::array<std::size_t, bounded_exits> exit_macs{};

    friend constexpr bool operator==(const costs&, const costs&) = default;
};

/// The figures of a lowered graph.
[[nodiscard]] constexpr costs measure(const graph& g) {
    costs c;
    for (const auto& op : g.ops) {
        c.params += op.params;
        c.macs += op.macs;
        c.flash_bytes += op.weight_bytes;
        c.activations += g.tensors[static_cast<std::size_t>(op.output)].extent.size();
    }
    for (const auto& t : g.tensors) c.largest_tensor_bytes = t.bytes > c.largest_tensor_bytes ? t.bytes : c.largest_tensor_bytes;
    const schedule s = min_peak_schedule(g);
    c.schedule_peak_bytes = s.peak_bytes;
    c.peak_ram_bytes = is_chain(g) ? s.peak_bytes : detail::plan_schedule(g, s, plan_options{}).arena_bytes;
    c.exact_schedule = s.exact;
    const std::vector<exit_figures> exits = exit_figures_of(g);
    c.early_exits = exits.size() - 1;
    for (std::size_t k = 0; k + 1 < exits.size() && k < bounded_exits; ++k) c.exit_macs[k] = exits[k].macs_to_exit();
    return c;
}

/// The figures of network `Net` on inputs of shape `input`, deployed at precision `p`.
template <class Net>
[[nodiscard]] constexpr costs of(shape input, precision p) {
    if constexpr (lowering_contract<Net>) return measure(lower<Net>(input, p));
    else return costs{};
}

/// A space that measures its architectures itself (a static `figures(input, precision, arch)`),
/// such as deploy::incremental_space, whose figures are those of a whole incremental model.
template <class Space>
concept measures_itself = requires(shape in, precision p, std::span<const int> arch) {
    { Space::figures(in, p, arch) } -> std::same_as<costs>;
};

/// The figures of architecture `arch` of space `Space` (arch must be valid: space::validate).
/// The same function sizes a fixed network at compile time and judges a candidate in a search.
template <class Space>
[[nodiscard]] constexpr costs of(shape input, precision p, std::span<const int> arch) {
    if constexpr (measures_itself<Space>) return Space::figures(input, p, arch);
    else if constexpr (lowering_contract<Space>) return measure(lower<Space>(input, p, arch));
    else return costs{};
}

/// The figures of a bound space's network at its input shape (all first options).
template <space::bound_space Bound>
[[nodiscard]] constexpr costs of(precision p) {
    return of<typename Bound::space_type>(Bound::input, p);
}

/// The figures of an architecture of a bound space, at its input shape.
template <space::bound_space Bound>
[[nodiscard]] costs of(precision p, const architecture_of<Bound>& arch) {
    return of<typename Bound::space_type>(Bound::input, p, arch.view());
}

} // namespace nascent::cost
