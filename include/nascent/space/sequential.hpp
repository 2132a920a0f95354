// nascent/space/sequential.hpp - a chain of nodes, each reading the previous one's output.
//
// Descriptor only: shape rule, parameter and MAC counts follow from the
// members'; the decisions of a sequential are its members' in order.
// Interpreters (training, cost, deploy) read the member list.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

template <class... Nodes>
struct sequential final {
    static_assert(sizeof...(Nodes) > 0, "sequential<Nodes...> needs at least one node");
    static constexpr std::size_t length = sizeof...(Nodes);
    static constexpr std::size_t decisions = (space::decisions<Nodes> + ... + 0);

    /// The first problem met when the members (every option present) read their inputs in turn.
    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        problem p = problem::none;
        ((p = p == problem::none ? space::check<Nodes>(in) : p, in = p == problem::none ? Nodes::output(in) : in), ...);
        return p;
    }
    /// True when every node accepts the output of the one before it.
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept {
        ((in = Nodes::output(in)), ...);
        return in;
    }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        std::size_t total = 0;
        ((total += Nodes::params(in), in = Nodes::output(in)), ...);
        return total;
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept {
        std::size_t total = 0;
        ((total += Nodes::macs(in), in = Nodes::output(in)), ...);
        return total;
    }

    static constexpr void write_options(int* out) noexcept {
        ((space::write_options<Nodes>(out), out += space::decisions<Nodes>), ...);
    }
    [[nodiscard]] static constexpr space_size size() noexcept { return (space::size<Nodes>() * ... * space_size{}); }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        trace_result t{in};
        ((t = t.ok() ? space::trace<Nodes>(t.out, c) : (c.skip(space::decisions<Nodes>), t)), ...);
        return t;
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        ((space::canonicalize<Nodes>(arch, active), arch += space::decisions<Nodes>), ...);
    }
};

} // namespace nascent
