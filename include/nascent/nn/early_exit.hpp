// nascent/nn/early_exit.hpp - the training interpreters of exit_branch<...> and early_exit<...>.
//
// An exit passes its input on unchanged. When the pass collects exits (context::exits), the
// head runs on the input and its logits join the list, so a loss can weigh every exit
// (train/early_exit.hpp); otherwise the head is skipped and the network is its final exit
// alone. The supernet of early_exit<Heads...> holds every head; a single-path pass runs the
// one its slot picks (none for 0). Mixed and Gumbel passes have no meaning for an exit and
// are refused.
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/space/early_exit.hpp"

namespace nascent::nn {

template <class Head, class T>
class trainable<nascent::exit_branch<Head>, T> {
public:
    trainable(shape in, rng& init) : head_((check(in), in), init), in_(in) {}
    [[nodiscard]] shape output() const noexcept { return in_; }
    var forward(context<T>& ctx, var x) {
        if (ctx.exits != nullptr) ctx.exits->push_back(head_.forward(ctx, x));  // a head reads no decision
        return x;
    }
    template <class F>
    void visit(F&& f) {
        head_.visit(f);
    }
    /// The head's trainable.
    [[nodiscard]] trainable<Head, T>& head() noexcept { return head_; }

private:
    static void check(shape in) {
        const problem p = nascent::exit_branch<Head>::diagnose(in);
        if (p != problem::none) throw error(string_of("exit_branch: ", describe(p)));
    }
    trainable<Head, T> head_;
    shape in_;
};

template <class... Heads, class T>
class trainable<nascent::early_exit<Heads...>, T> {
public:
    trainable(shape in, rng& init) : heads_{trainable<nascent::exit_branch<Heads>, T>((check(in), in), init)...}, in_(in) {}
    [[nodiscard]] shape output() const noexcept { return in_; }
    var forward(context<T>& ctx, var x) {
        require(ctx.mode == sampling::single_path, "early_exit: only single-path passes choose an exit (not mixed or Gumbel ones)");
        const int pick = ctx.decisions.take();
        require(pick >= 0 && pick <= static_cast<int>(sizeof...(Heads)), string_of("early_exit: no option ", pick));
        int k = 0;
        std::apply([&](auto&... head) { ((++k == pick ? (void)head.forward(ctx, x) : (void)0), ...); }, heads_);
        return x;
    }
    template <class F>
    void visit(F&& f) {
        std::apply([&](auto&... head) { (head.visit(f), ...); }, heads_);
    }

private:
    static void check(shape in) {
        const problem p = nascent::early_exit<Heads...>::check(in);
        if (p != problem::none) throw error(string_of("early_exit: ", describe(p)));
    }
    std::tuple<trainable<nascent::exit_branch<Heads>, T>...> heads_;
    shape in_;
};

} // namespace nascent::nn
