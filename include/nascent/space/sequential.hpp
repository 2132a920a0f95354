// nascent/space/sequential.hpp - a chain of nodes, each reading the previous one's output.
//
// Descriptor only: shape rule, parameter and MAC counts follow from the
// members'. Interpreters (training, cost, deploy) read the member list.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

template <class... Nodes>
struct sequential final {
    static_assert(sizeof...(Nodes) > 0, "sequential<Nodes...> needs at least one node");
    static constexpr std::size_t size = sizeof...(Nodes);

    /// True when every node accepts the output of the one before it.
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept {
        bool ok = true;
        ((ok = ok && Nodes::accepts(in), in = ok ? Nodes::output(in) : in), ...);
        return ok;
    }
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
};

} // namespace nascent
