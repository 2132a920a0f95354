// nascent/nn/contract.hpp - what the training interpreter of a descriptor must provide.
//
//     static_assert(nn::trainable_node<conv2d<8, 3>>);   // nn::trainable<conv2d<8, 3>, float> exists
//     static_assert(nn::trains<my_space>);               // ... for every node of the space
//
// trainable_node<Node, T> is the interface of nn/trainable.hpp: constructed from an input
// shape and a generator, output(), forward(context, var) and visit(f). nn::model checks
// trains<Net, T> first, so a space holding a node without a training node stops with one
// sentence naming that node (in the instantiation of no_training_node<Node, T>) instead of
// an "incomplete type" deep inside the interpreter.
#pragma once

#include <concepts>
#include <type_traits>

#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/space/contract.hpp"

namespace nascent::nn {

namespace detail {
/// A visitor that accepts anything a node owns.
struct visit_anything {
    template <class Owned>
    void operator()(Owned&) const noexcept {}
};
} // namespace detail

/// `trainable<Node, T>` exists and has the interface of nn/trainable.hpp.
template <class Node, class T = float>
concept trainable_node = requires { sizeof(trainable<Node, T>); } &&
                         std::constructible_from<trainable<Node, T>, shape, rng&> &&
                         requires(trainable<Node, T>& node, const trainable<Node, T>& read, context<T>& ctx, var x) {
                             { read.output() } -> std::same_as<shape>;
                             { node.forward(ctx, x) } -> std::same_as<var>;
                             node.visit(detail::visit_anything{});
                         };

namespace detail {

template <class T>
struct has_training_node {
    template <class Node>
    static constexpr bool holds() {
        return trainable_node<Node, T>;
    }
};

/// Stops compilation with one sentence when `Node` (named in the instantiation) has no training node.
template <class Node, class T>
struct no_training_node {
    static_assert(std::is_void_v<Node>,
                  "nascent: this descriptor has no training node nn::trainable<Node, T>: include nascent/nn/supernet.hpp "
                  "and nascent/nn/blocks.hpp (every library op and combinator), or specialise it (nascent/nn/trainable.hpp)");
    static constexpr bool value = false;
};
template <class T>
struct no_training_node<void, T> {
    static constexpr bool value = true;
};

} // namespace detail

/// The first node of `Net` (depth first) without a training node; void when there is none.
template <class Net, class T = float>
using first_untrainable = space::first_failing_t<detail::has_training_node<T>, Net>;

/// Every node of `Net` has a training node.
template <class Net, class T = float>
concept trains = std::is_void_v<first_untrainable<Net, T>>;

/// True when `Net` trains; otherwise compilation stops with the sentence, naming the node.
template <class Net, class T = float>
inline constexpr bool training_contract = detail::no_training_node<first_untrainable<Net, T>, T>::value;

} // namespace nascent::nn
