// nascent/space/repeat.hpp - N copies of a block, each with decisions of its own.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

template <int N, class Block>
struct repeat final {
    static_assert(N > 0, "repeat<N, Block> needs at least one copy");
    static constexpr int copies = N;
    static constexpr std::size_t decisions = static_cast<std::size_t>(N) * space::decisions<Block>;

    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        for (int i = 0; i < N; ++i) {
            const problem p = space::check<Block>(in);
            if (p != problem::none) return p;
            in = Block::output(in);
        }
        return problem::none;
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept {
        for (int i = 0; i < N; ++i) in = Block::output(in);
        return in;
    }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        std::size_t total = 0;
        for (int i = 0; i < N; ++i, in = Block::output(in)) total += Block::params(in);
        return total;
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept {
        std::size_t total = 0;
        for (int i = 0; i < N; ++i, in = Block::output(in)) total += Block::macs(in);
        return total;
    }

    static constexpr void write_options(int* out) noexcept {
        for (int i = 0; i < N; ++i) space::write_options<Block>(out + static_cast<std::size_t>(i) * space::decisions<Block>);
    }
    [[nodiscard]] static constexpr space_size size() noexcept { return power(space::size<Block>(), N); }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        trace_result t{in};
        for (int i = 0; i < N; ++i) {
            if (t.ok()) t = space::trace<Block>(t.out, c);
            else c.skip(space::decisions<Block>);
        }
        return t;
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        for (int i = 0; i < N; ++i) space::canonicalize<Block>(arch + static_cast<std::size_t>(i) * space::decisions<Block>, active);
    }
};

} // namespace nascent
