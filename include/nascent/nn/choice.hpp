// nascent/nn/choice.hpp - the supernet forms of choice<...> and optional<...>.
//
// Every option is built on the same input and owns its weights (weight
// sharing: an option's weights serve every architecture that picks it). The
// decision's alphas are kept apart (architecture_weights). The forward pass
// follows the context's sampling mode (nn/context.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/mixing.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/optional.hpp"

namespace nascent::nn {

namespace detail {

/// Runs option `pick` of `options` (a tuple of trainables) with the cursor at its slots.
template <class T, class Tuple, std::size_t N>
var run_option(context<T>& ctx, Tuple& options, const std::array<std::size_t, N>& offsets, decision_cursor at,
               int pick, var x) {
    var y = x;
    std::size_t i = 0;
    std::apply(
        [&](auto&... option) {
            (((static_cast<int>(i) == pick ? (ctx.decisions = at.ahead(offsets[i]), y = option.forward(ctx, x), 0) : 0),
              ++i),
             ...);
        },
        options);
    return y;
}

} // namespace detail

template <class... Ops, class T>
class trainable<nascent::choice<Ops...>, T> {
    using space_node = nascent::choice<Ops...>;

public:
    trainable(shape in, rng& init)
        : options_{trainable<Ops, T>((check(in), in), init)...}, alpha_(sizeof...(Ops), init) {}

    [[nodiscard]] shape output() const noexcept { return std::get<0>(options_).output(); }

    var forward(context<T>& ctx, var x) {
        const decision_cursor at = ctx.decisions;
        ctx.decisions.take();
        var y = x;
        if (ctx.mode == sampling::single_path) {
            const int pick = decision_cursor(at).take();
            require(pick >= 0 && pick < space_node::options, "choice: the architecture picks an option that does not exist");
            y = detail::run_option(ctx, options_, space_node::offsets, at, pick, x);
        } else {
            const option_weights w = mixing_weights(ctx, alpha_);
            if (ctx.mode == sampling::gumbel_hard) {
                const var out = detail::run_option(ctx, options_, space_node::offsets, at, w.pick, x);
                const int which[1] = {w.pick};
                y = weighted_sum<T>(ctx.graph, std::span<const var>(&out, 1), w.weights, which, true);
            } else {
                std::vector<var> outs;
                std::vector<int> which;
                for (int i = 0; i < space_node::options; ++i) {
                    outs.push_back(detail::run_option(ctx, options_, space_node::offsets, at, i, x));
                    which.push_back(i);
                }
                y = weighted_sum<T>(ctx.graph, outs, w.weights, which, false);
            }
        }
        ctx.decisions = at.ahead(space_node::decisions);
        return y;
    }

    template <class F>
    void visit(F&& f) {
        std::apply([&](auto&... option) { (option.visit(f), ...); }, options_);
        f(alpha_);
    }
    void derive(int* slots) {
        slots[0] = alpha_.argmax();
        std::size_t i = 0;
        std::apply([&](auto&... option) { (detail::derive_member(option, slots + space_node::offsets[i++]), ...); }, options_);
    }
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        f(slot, alpha_);
        std::size_t i = 0;
        std::apply([&](auto&... option) { (detail::visit_member_decisions(option, slot + space_node::offsets[i++], f), ...); },
                   options_);
    }
    /// Option I's trainable.
    template <std::size_t I>
    [[nodiscard]] auto& option() noexcept { return std::get<I>(options_); }

private:
    static void check(shape in) {
        const problem p = space_node::check(in);
        if (p != problem::none) throw error(string_of("choice: ", describe(p)));
    }
    std::tuple<trainable<Ops, T>...> options_;
    architecture_weights<T> alpha_;
};

template <class Block, class T>
class trainable<nascent::optional<Block>, T> {
    using space_node = nascent::optional<Block>;

public:
    trainable(shape in, rng& init) : block_((check(in), in), init), alpha_(2, init), in_(in) {}

    [[nodiscard]] shape output() const noexcept { return block_.output(); }

    var forward(context<T>& ctx, var x) {
        const decision_cursor at = ctx.decisions;
        const int read = decision_cursor(at).take();
        ctx.decisions = at.ahead(1);
        var y = x;
        if (ctx.mode == sampling::single_path) {
            require(read == space_node::keep || read == space_node::skip,
                    "optional: the architecture picks an option that does not exist");
            if (read == space_node::keep) y = block_.forward(ctx, x);
        } else {
            const option_weights w = mixing_weights(ctx, alpha_);
            if (ctx.mode == sampling::gumbel_hard) {
                const var out = w.pick == space_node::keep ? block_.forward(ctx, x) : x;
                const int which[1] = {w.pick};
                y = weighted_sum<T>(ctx.graph, std::span<const var>(&out, 1), w.weights, which, true);
            } else {
                const var outs[2] = {block_.forward(ctx, x), x};
                const int which[2] = {space_node::keep, space_node::skip};
                y = weighted_sum<T>(ctx.graph, outs, w.weights, which, false);
            }
        }
        ctx.decisions = at.ahead(space_node::decisions);
        return y;
    }

    template <class F>
    void visit(F&& f) {
        block_.visit(f);
        f(alpha_);
    }
    void derive(int* slots) {
        slots[0] = alpha_.argmax();
        detail::derive_member(block_, slots + 1);
    }
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        f(slot, alpha_);
        detail::visit_member_decisions(block_, slot + 1, f);
    }
    /// The optional block's trainable.
    [[nodiscard]] trainable<Block, T>& block() noexcept { return block_; }

private:
    static void check(shape in) {
        const problem p = space_node::check(in);
        if (p != problem::none) throw error(string_of("optional: ", describe(p)));
    }
    trainable<Block, T> block_;
    architecture_weights<T> alpha_;
    shape in_;
};

} // namespace nascent::nn
