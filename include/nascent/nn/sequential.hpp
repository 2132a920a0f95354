// nascent/nn/sequential.hpp - training interpreters of sequential<...> and residual<...>.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <utility>

#include "nascent/core/error.hpp"
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

    var forward(context<T>& ctx, var x) {
        std::apply([&](auto&... member) { ((x = member.forward(ctx, x)), ...); }, members_);
        return x;
    }
    template <class F>
    void visit(F&& f) {
        std::apply([&](auto&... member) { (member.visit(f), ...); }, members_);
    }
    /// The trainable member at position I.
    template <std::size_t I>
    [[nodiscard]] auto& get() noexcept { return std::get<I>(members_); }

private:
    using shapes = std::array<shape, sizeof...(Nodes)>;

    static shapes shapes_of(shape in) {
        require(nascent::sequential<Nodes...>::accepts(in),
                "sequential: a node does not accept the output of the node before it");
        shapes result{};
        std::size_t i = 0;
        ((result[i++] = in, in = Nodes::output(in)), ...);
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

private:
    static void check(shape in) {
        require(nascent::residual<Block>::accepts(in), "residual: the block changes the shape, so it cannot be added to its input");
    }
    trainable<Block, T> block_;
    shape in_;
};

} // namespace nascent::nn
