// nascent/space/optional.hpp - a block that an architecture may leave out.
//
// One slot: 0 keeps the block, 1 skips it (the input passes through). The
// block's own slots follow. Skipping must keep the channel count, as in a
// choice between the block and the identity.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

template <class Block>
struct optional final {
    static constexpr std::size_t decisions = 1 + space::decisions<Block>;
    static constexpr int keep = 0;
    static constexpr int skip = 1;

    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        const problem p = space::check<Block>(in);
        if (p != problem::none) return p;
        return Block::output(in).c == in.c ? problem::none : problem::choice_channels_differ;
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    /// The supernet's output: the block's.
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return Block::output(in); }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return Block::params(in); }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return Block::macs(in); }

    static constexpr void write_options(int* out) noexcept {
        out[0] = 2;
        space::write_options<Block>(out + 1);
    }
    [[nodiscard]] static constexpr space_size size() noexcept { return space::size<Block>() + space_size{}; }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        const int pick = c.take();
        if (pick == keep) return space::trace<Block>(in, c);
        c.skip(space::decisions<Block>);
        return pick == skip ? trace_result{in} : trace_result{in, problem::decision_out_of_range};
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        if (!active) arch[0] = 0;
        space::canonicalize<Block>(arch + 1, active && arch[0] == keep);
    }
};

} // namespace nascent
