// nascent/nn/sequential.hpp - training interpreters of sequential<...> and residual<...>.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/activation.hpp"
#include "nascent/nn/batch_norm.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/elementwise.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/space/residual.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::nn {

template <class... Nodes, class T>
class trainable<nascent::sequential<Nodes...>, T> {
public:
    trainable(shape in, rng& init) : trainable(shapes_of(in), init, std::index_sequence_for<Nodes...>{}) {}

    [[nodiscard]] shape output() const noexcept { return std::get<sizeof...(Nodes) - 1>(members_).output(); }

    /// Runs the members in order. A batch_norm directly followed by a relu runs as one
    /// fused op (same result, one pass over memory less each way).
    var forward(context<T>& ctx, var x) { return forward_from<0>(ctx, x); }
    template <class F>
    void visit(F&& f) {
        std::apply([&](auto&... member) { (member.visit(f), ...); }, members_);
    }
    /// Writes the largest-alpha architecture into the slots of the members.
    void derive(int* slots) {
        std::apply([&](auto&... member) { ((detail::derive_member(member, slots), slots += space::decisions<Nodes>), ...); },
                   members_);
    }
    /// Calls f(slot, architecture_weights&) for every decision, in slot order.
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        std::apply([&](auto&... member) { ((detail::visit_member_decisions(member, slot, f), slot += space::decisions<Nodes>), ...); },
                   members_);
    }
    /// The trainable member at position I.
    template <std::size_t I>
    [[nodiscard]] auto& get() noexcept { return std::get<I>(members_); }

private:
    using shapes = std::array<shape, sizeof...(Nodes)>;
    using node_list = std::tuple<Nodes...>;
    static constexpr std::size_t count = sizeof...(Nodes);

    template <std::size_t I>
    static constexpr bool fuses_with_next() noexcept {
        if constexpr (I + 1 < count) {
            return std::is_same_v<std::tuple_element_t<I, node_list>, nascent::batch_norm> &&
                   std::is_same_v<std::tuple_element_t<I + 1, node_list>, nascent::relu>;
        } else {
            return false;
        }
    }

    template <std::size_t I>
    var forward_from(context<T>& ctx, var x) {
        if constexpr (I == count) {
            return x;
        } else if constexpr (fuses_with_next<I>()) {
            return forward_from<I + 2>(ctx, stored_activation(ctx, std::get<I>(members_).forward_relu(ctx, x)));
        } else {
            return forward_from<I + 1>(ctx, std::get<I>(members_).forward(ctx, x));
        }
    }

    /// The input shape of every member; throws naming the first member that cannot read its input.
    static shapes shapes_of(shape in) {
        shapes result{};
        std::size_t i = 0;
        problem found = problem::none;
        auto step = [&]<class Node>() {
            if (found != problem::none) return;
            found = space::check<Node>(in);
            if (found != problem::none) return;
            result[i++] = in;
            in = Node::output(in);
        };
        (step.template operator()<Nodes>(), ...);
        if (found != problem::none)
            throw error(string_of("sequential: node ", i + 1, " of ", count, " cannot read its input of shape ", in.h, "x",
                               in.w, "x", in.c, ": ", describe(found)));
        return result;
    }
    template <std::size_t... I>
    trainable(const shapes& in, rng& init, std::index_sequence<I...>) : members_{trainable<Nodes, T>(in[I], init)...} {}

    std::tuple<trainable<Nodes, T>...> members_;
};

template <class Block, class T>
class trainable<nascent::residual<Block>, T> {
public:
    trainable(shape in, rng& init) : block_((check(in), in), init), in_(in) {}
    [[nodiscard]] shape output() const noexcept { return in_; }
    var forward(context<T>& ctx, var x) { return add(ctx.graph, x, block_.forward(ctx, x)); }
    template <class F>
    void visit(F&& f) {
        block_.visit(f);
    }
    void derive(int* slots) { detail::derive_member(block_, slots); }
    template <class F>
    void visit_decisions(std::size_t slot, F& f) {
        detail::visit_member_decisions(block_, slot, f);
    }
    /// The trainable of the block whose output is added to the input.
    [[nodiscard]] trainable<Block, T>& block() noexcept { return block_; }

private:
    static void check(shape in) {
        const problem p = nascent::residual<Block>::check(in);
        if (p != problem::none) throw error(string_of("residual: ", describe(p)));
    }
    trainable<Block, T> block_;
    shape in_;
};

} // namespace nascent::nn
