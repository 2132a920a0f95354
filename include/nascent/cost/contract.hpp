// nascent/cost/contract.hpp - what the cost lowering of a descriptor must provide.
//
//     static_assert(cost::lowerable<conv2d<8, 3>>);   // cost::lowering<conv2d<8, 3>> exists
//     static_assert(cost::lowers<my_space>);          // ... for every node of the space
//
// The customisation point is cost::lowering<Node> (cost/lower.hpp): a static
//     int lower(graph& g, int x, precision p)                       // an op
//     int lower(graph& g, int x, precision p, decision_cursor& c)   // a node reading decisions
// that adds the node's deploy ops to g and returns its output tensor. cost::of checks
// lowers<Net> first, so a space holding a node without a lowering stops with one sentence
// naming that node (in the instantiation of no_cost_lowering<Node>) instead of an
// "incomplete type" deep inside the lowering.
#pragma once

#include <concepts>
#include <type_traits>

#include "nascent/core/op_type.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/space/contract.hpp"
#include "nascent/space/node.hpp"

namespace nascent::cost {

/// `lowering<Node>` exists and lowers the node onto a graph.
template <class Node>
concept lowerable = requires { sizeof(lowering<Node>); } &&
                    (requires(graph& g, int x, precision p) {
                        { lowering<Node>::lower(g, x, p) } -> std::same_as<int>;
                    } || requires(graph& g, int x, precision p, decision_cursor& c) {
                        { lowering<Node>::lower(g, x, p, c) } -> std::same_as<int>;
                    });

namespace detail {

struct has_cost_lowering {
    template <class Node>
    static constexpr bool holds() {
        return lowerable<Node>;
    }
};

/// Stops compilation with one sentence when `Node` (named in the instantiation) has no lowering.
template <class Node>
struct no_cost_lowering {
    static_assert(std::is_void_v<Node>,
                  "nascent: this descriptor has no cost lowering cost::lowering<Node>: include nascent/cost/lower_blocks.hpp "
                  "(every library op and combinator), or specialise it (nascent/cost/lower.hpp)");
    static constexpr bool value = false;
};
template <>
struct no_cost_lowering<void> {
    static constexpr bool value = true;
};

} // namespace detail

/// The first node of `Net` (depth first) without a cost lowering; void when there is none.
template <class Net>
using first_unlowerable = space::first_failing_t<detail::has_cost_lowering, Net>;

/// Every node of `Net` has a cost lowering.
template <class Net>
concept lowers = std::is_void_v<first_unlowerable<Net>>;

/// True when `Net` lowers; otherwise compilation stops with the sentence, naming the node.
template <class Net>
inline constexpr bool lowering_contract = detail::no_cost_lowering<first_unlowerable<Net>>::value;

} // namespace nascent::cost
