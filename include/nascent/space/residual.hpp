// nascent/space/residual.hpp - y = x + Block(x); Block must keep the shape.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

template <class Block>
struct residual final {
    static constexpr std::size_t decisions = space::decisions<Block>;

    /// The block must accept the input and give back the same shape, so the two can be added.
    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        const problem p = space::check<Block>(in);
        if (p != problem::none) return p;
        return Block::output(in) == in ? problem::none : problem::residual_changes_shape;
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return Block::params(in); }
    /// The block's MACs plus one addition per element.
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return Block::macs(in) + in.size(); }

    static constexpr void write_options(int* out) noexcept { space::write_options<Block>(out); }
    [[nodiscard]] static constexpr space_size size() noexcept { return space::size<Block>(); }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        const trace_result t = space::trace<Block>(in, c);
        if (!t.ok()) return t;
        return t.out == in ? trace_result{in} : trace_result{in, problem::residual_changes_shape};
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept { space::canonicalize<Block>(arch, active); }
};

} // namespace nascent
