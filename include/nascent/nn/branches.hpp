// nascent/nn/branches.hpp - training interpreter of branches<Left, Right> (and the common part of channel_split).
//
// Left runs first, then Right, each with the pass's context, so a supernet's decision
// cursor advances over Left's slots and then Right's, in slot order (space/branches.hpp).
// The outputs are concatenated on channels. channel_split slices the input's channels in
// halves first (nn/channel_split.hpp).
#pragma once

#include <cstddef>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/concat.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/space/branches.hpp"

namespace nascent::nn {

namespace detail {

template <class Left, class Right, bool Split, class T>
class trainable_two_branches {
    using node = nascent::detail::two_branches<Left, Right, Split>;

public:
    trainable_two_branches(shape in, rng& init)
        : in_(checked(in)), left_(node::branch_input(in), init), right_(node::branch_input(in), init) {}

    [[nodiscard]] shape output() const noexcept { return node::joined(left_.output(), right_.output()); }

    var forward(context<T>& ctx, var x) {
        const decision_cursor at = ctx.decisions;
        var l = x;
        var r = x;
        if constexpr (Split) {
            const int half = in_.c / 2;
            l = left_.forward(ctx, slice_channels(ctx.graph, x, 0, half));
            ctx.decisions = at.ahead(space::decisions<Left>);
            r = right_.forward(ctx, slice_channels(ctx.graph, x, half, half));
        } else {
            l = left_.forward(ctx, x);
            ctx.decisions = at.ahead(space::decisions<Left>);
            r = right_.forward(ctx, x);
        }
        ctx.decisions = at.ahead(node::decisions);
        return concat_channels(ctx.graph, l, r);
    }
    template <class F>
    void visit(F&& f) {
        left_.visit(f);
        right_.visit(f);
    }
    /// Writes the members' largest-alpha choices into their slots (Left's first).
    void derive(int* slots) {
        derive_member(left_, slots);
        derive_member(right_, slots + space::decisions<Left>);
    }
    /// Calls f(slot, architecture_weights&) for the members' decisions, in slot order.
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        visit_member_decisions(left_, slot, f);
        visit_member_decisions(right_, slot + space::decisions<Left>, f);
    }
    [[nodiscard]] trainable<Left, T>& left() noexcept { return left_; }
    [[nodiscard]] trainable<Right, T>& right() noexcept { return right_; }

private:
    static shape checked(shape in) {
        const problem p = node::check(in);
        if (p != problem::none)
            throw error(string_of(Split ? "channel_split" : "branches", ": input ", in.h, "x", in.w, "x", in.c, ": ", describe(p)));
        return in;
    }

    shape in_;
    trainable<Left, T> left_;
    trainable<Right, T> right_;
};

} // namespace detail

template <class Left, class Right, class T>
class trainable<nascent::branches<Left, Right>, T> : public detail::trainable_two_branches<Left, Right, false, T> {
public:
    using detail::trainable_two_branches<Left, Right, false, T>::trainable_two_branches;
};

} // namespace nascent::nn
