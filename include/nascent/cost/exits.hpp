// nascent/cost/exits.hpp - the figures of each exit of an early-exit network (EDANAS, NACHOS).
//
//   using net = sequential<stem, exit_branch<head>, block, global_avg_pool, dense<10>>;
//   static_assert(cost::exit_figures_of<net>(shape{28, 28, 1}, precision::int8).size() == 2);  // one exit, then the final one
//   const std::vector<cost::exit_figures> e = cost::exit_figures_of<space>(in, precision::int8, arch);
//   e[k].macs_to_exit()   // what an input leaving at exit k costs, as EDANAS counts it
//
// The exits are the network's exit branches in order, then its output (the final exit, no head
// of its own: the backbone ends in the classifier). For exit k:
//   backbone_macs  the backbone's MACs up to the exit (every op before it that is no exit's);
//   head_macs      its head's MACs (0 for the final exit);
//   device_macs    everything the device has run when it decides there: the backbone, this head and
//                  the heads and gates of the exits before it, which did not stop the input.
// EDANAS's avg_macs weighs backbone_macs + head_macs by the share of inputs leaving at each exit
// (train/early_exit.hpp); device_macs is what an instruction count on the device measures. The
// whole network's costs (costs.hpp) hold every head: its MACs are the worst case, every exit
// passed, and its flash and peak RAM those of the program with every exit.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"

namespace nascent::cost {

struct exit_figures {
    std::size_t backbone_macs = 0;
    std::size_t head_macs = 0;
    std::size_t device_macs = 0;
    std::size_t head_params = 0;
    std::size_t head_flash_bytes = 0;  ///< the head's weights and parameters, and the gate's
    shape logits{};  ///< the exit's output

    /// EDANAS's cost of an input that leaves at this exit.
    [[nodiscard]] constexpr std::size_t macs_to_exit() const noexcept { return backbone_macs + head_macs; }
    friend constexpr bool operator==(const exit_figures&, const exit_figures&) = default;
};

/// The figures of every exit of a lowered graph, the final exit last.
[[nodiscard]] constexpr std::vector<exit_figures> exit_figures_of(const graph& g) {
    std::vector<exit_figures> exits;
    std::size_t backbone = 0, everything = 0;
    exit_figures open{};  // the exit whose head is being read
    for (const op_node& o : g.ops) {
        everything += o.macs;
        if (o.exit < 0) {
            backbone += o.macs;
            continue;
        }
        open.head_flash_bytes += o.weight_bytes;  // the gate's table too
        if (o.type == op_type::exit_gate) {
            open.backbone_macs = backbone;
            open.device_macs = everything;
            open.logits = g.tensors[static_cast<std::size_t>(o.inputs[1])].extent;
            exits.push_back(open);
            open = {};
            continue;
        }
        open.head_macs += o.macs;
        open.head_params += o.params;
    }
    exit_figures last{};
    last.backbone_macs = backbone;
    last.device_macs = everything;
    last.logits = g.tensors[static_cast<std::size_t>(g.output)].extent;
    exits.push_back(last);
    return exits;
}

/// The exits of network `Net` on inputs `input` at precision `p`.
template <class Net>
[[nodiscard]] constexpr std::vector<exit_figures> exit_figures_of(shape input, precision p) {
    return exit_figures_of(lower<Net>(input, p));
}

/// The exits of architecture `arch` of space `Space` (arch must be valid: space::validate).
template <class Space>
[[nodiscard]] constexpr std::vector<exit_figures> exit_figures_of(shape input, precision p, std::span<const int> arch) {
    return exit_figures_of(lower<Space>(input, p, arch));
}

} // namespace nascent::cost
