// nascent/space/branches.hpp - two branches whose outputs are concatenated on channels.
//
// branches<Left, Right>: both branches read the whole input (ShuffleNetV2's stride-2
// unit: a projection branch beside the main branch). The output is [Left(x), Right(x)]
// along channels, so the branches must agree on the spatial extent.
// channel_split<Left, Right> (space/channel_split.hpp) is the variant where each branch
// reads one half of the input's channels.
//
// Both are combinators (space/node.hpp): their slots are Left's followed by Right's, and
// Left / Right may hold choices. The training interpreter runs Left then Right (the
// decision cursor advances in slot order); the cost model lowers the concatenation as an
// op with two inputs (cost/lower_blocks.hpp).
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

namespace detail {

/// The common part of branches (Split false) and channel_split (Split true).
template <class Left, class Right, bool Split>
struct two_branches {
    using left = Left;
    using right = Right;
    static constexpr bool split = Split;
    static constexpr std::size_t decisions = space::decisions<Left> + space::decisions<Right>;

    /// What each branch reads: the whole input, or half its channels.
    [[nodiscard]] static constexpr shape branch_input(shape in) noexcept {
        return Split ? shape{in.h, in.w, in.c / 2} : in;
    }
    /// Why the input cannot be given to the branches (problem::none when it can).
    [[nodiscard]] static constexpr problem input_problem(shape in) noexcept {
        if (!in.valid()) return problem::op_rejects_input;
        if (Split && in.c % 2 != 0) return problem::channels_do_not_split;
        return problem::none;
    }
    [[nodiscard]] static constexpr problem join_problem(shape left_out, shape right_out) noexcept {
        return left_out.h == right_out.h && left_out.w == right_out.w ? problem::none : problem::branch_extents_differ;
    }
    [[nodiscard]] static constexpr shape joined(shape left_out, shape right_out) noexcept {
        return shape{left_out.h, left_out.w, left_out.c + right_out.c};
    }

    /// Both supernet branches read their input and agree on the spatial extent.
    [[nodiscard]] static constexpr problem check(shape in) noexcept {
        if (const problem p = input_problem(in); p != problem::none) return p;
        const shape b = branch_input(in);
        if (const problem p = space::check<Left>(b); p != problem::none) return p;
        if (const problem p = space::check<Right>(b); p != problem::none) return p;
        return join_problem(Left::output(b), Right::output(b));
    }
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return check(in) == problem::none; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept {
        const shape b = branch_input(in);
        return joined(Left::output(b), Right::output(b));
    }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept {
        const shape b = branch_input(in);
        return Left::params(b) + Right::params(b);
    }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept {
        const shape b = branch_input(in);
        return Left::macs(b) + Right::macs(b);
    }

    static constexpr void write_options(int* out) noexcept {
        space::write_options<Left>(out);
        space::write_options<Right>(out + space::decisions<Left>);
    }
    [[nodiscard]] static constexpr space_size size() noexcept { return space::size<Left>() * space::size<Right>(); }
    [[nodiscard]] static constexpr trace_result trace(shape in, decision_cursor& c) noexcept {
        if (const problem p = input_problem(in); p != problem::none) {
            c.skip(decisions);
            return {in, p};
        }
        const shape b = branch_input(in);
        const trace_result l = space::trace<Left>(b, c);
        if (!l.ok()) {
            c.skip(space::decisions<Right>);
            return l;
        }
        const trace_result r = space::trace<Right>(b, c);
        if (!r.ok()) return r;
        const problem p = join_problem(l.out, r.out);
        return p == problem::none ? trace_result{joined(l.out, r.out)} : trace_result{in, p};
    }
    static constexpr void canonicalize(int* arch, bool active) noexcept {
        space::canonicalize<Left>(arch, active);
        space::canonicalize<Right>(arch + space::decisions<Left>, active);
    }
};

} // namespace detail

template <class Left, class Right>
struct branches final : detail::two_branches<Left, Right, false> {};

} // namespace nascent
