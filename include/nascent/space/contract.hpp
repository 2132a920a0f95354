// nascent/space/contract.hpp - what a node of a space must answer, and a walk over a space's nodes.
//
//     static_assert(space::op_descriptor<conv2d<8, 3>>);       // accepts, output, params, macs
//     static_assert(space::combinator_node<choice<relu, identity>>);
//     static_assert(space::space_node<my_space>);               // every node of the tree, deeply
//
// members<Node> lists the nodes a combinator holds (empty for an op), so that every
// interpreter's contract (nn/contract.hpp, cost/contract.hpp) can check a whole space and
// name the first node that fails it: first_failing<Check, Space> walks the space depth
// first, members before their combinator, and stops at the first node for which
// Check::template holds<Node>() is false. A new combinator adds its line to members<>.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/space/branches.hpp"
#include "nascent/space/cell.hpp"
#include "nascent/space/channel_split.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/early_exit.hpp"
#include "nascent/space/elastic.hpp"
#include "nascent/space/node.hpp"
#include "nascent/space/optional.hpp"
#include "nascent/space/repeat.hpp"
#include "nascent/space/residual.hpp"
#include "nascent/space/sequential.hpp"
#include "nascent/space/size.hpp"

namespace nascent::space {

/// A list of node types.
template <class... Nodes>
struct node_list {};

/// The nodes a combinator holds; none for an op.
template <class Node>
struct members {
    using type = node_list<>;
};
template <class... Nodes>
struct members<sequential<Nodes...>> {
    using type = node_list<Nodes...>;
};
template <class Block>
struct members<residual<Block>> {
    using type = node_list<Block>;
};
template <class... Ops>
struct members<choice<Ops...>> {
    using type = node_list<Ops...>;
};
template <class Block>
struct members<optional<Block>> {
    using type = node_list<Block>;
};
template <int N, class Block>
struct members<repeat<N, Block>> {
    using type = node_list<Block>;
};
template <template <int> class Block, int... Widths>
struct members<elastic_width<Block, Widths...>> {
    using type = node_list<Block<Widths>...>;
};
template <template <int> class Op, int... Kernels>
struct members<elastic_kernel<Op, Kernels...>> {
    using type = node_list<Op<Kernels>...>;
};
template <int Nodes, class... Ops>
struct members<cell<Nodes, Ops...>> {
    using type = node_list<Ops...>;
};
template <class Left, class Right>
struct members<branches<Left, Right>> {
    using type = node_list<Left, Right>;
};
template <class Left, class Right>
struct members<channel_split<Left, Right>> {
    using type = node_list<Left, Right>;
};

template <class Head>
struct members<exit_branch<Head>> {
    using type = node_list<Head>;
};
template <class... Heads>
struct members<early_exit<Heads...>> {
    using type = node_list<Heads...>;
};

template <class Node>
using members_t = typename members<Node>::type;

/// An op descriptor: the shape rule and the counts of a one-input op (ops/).
template <class Op>
concept op_descriptor = requires(shape in) {
    { Op::accepts(in) } -> std::convertible_to<bool>;
    { Op::output(in) } -> std::same_as<shape>;
    { Op::params(in) } -> std::convertible_to<std::size_t>;
    { Op::macs(in) } -> std::convertible_to<std::size_t>;
};

/// An op of two inputs that a combinator applies at its join (add, concat).
template <class Op>
concept join_descriptor = requires(shape a, shape b) {
    { Op::accepts(a, b) } -> std::convertible_to<bool>;
} && (requires(shape a) { { Op::output(a) } -> std::same_as<shape>; } ||
      requires(shape a, shape b) { { Op::output(a, b) } -> std::same_as<shape>; });

/// A combinator: its decisions and its two shape rules (space/node.hpp), besides an op's members.
template <class Node>
concept combinator_node = op_descriptor<Node> && requires(shape in, decision_cursor& c, int* arch) {
    { Node::decisions } -> std::convertible_to<std::size_t>;
    Node::write_options(arch);
    { Node::size() } -> std::same_as<space_size>;
    { Node::trace(in, c) } -> std::same_as<trace_result>;
    { Node::check(in) } -> std::same_as<problem>;
    Node::canonicalize(arch, true);
};

/// One node of a space, by itself: an op descriptor or a combinator.
template <class Node>
concept node_of_space = (combinator<Node> && combinator_node<Node>) || (!combinator<Node> && op_descriptor<Node>);

namespace detail {

template <class Check, class... Nodes>
constexpr auto first_failing_in(node_list<Nodes...>);

} // namespace detail

/// std::type_identity of the first node of `Space` (depth first, members before their
/// combinator) that fails `Check::template holds<Node>()`; of void when every node passes.
template <class Check, class Space>
constexpr auto first_failing() {
    using inner = decltype(detail::first_failing_in<Check>(members_t<Space>{}));
    if constexpr (!std::is_void_v<typename inner::type>) return inner{};
    else if constexpr (Check::template holds<Space>()) return std::type_identity<void>{};
    else return std::type_identity<Space>{};
}

template <class Check, class Space>
using first_failing_t = typename decltype(first_failing<Check, Space>())::type;

namespace detail {

template <class Check, class... Nodes>
constexpr auto first_failing_in(node_list<Nodes...>) {
    if constexpr (sizeof...(Nodes) == 0) {
        return std::type_identity<void>{};
    } else {
        return []<class First, class... Rest>(node_list<First, Rest...>) {
            using here = first_failing_t<Check, First>;
            if constexpr (!std::is_void_v<here>) return std::type_identity<here>{};
            else return first_failing_in<Check>(node_list<Rest...>{});
        }(node_list<Nodes...>{});
    }
}

struct answers_space_interface {
    template <class Node>
    static constexpr bool holds() {
        return node_of_space<Node>;
    }
};

template <class Node>
inline constexpr bool is_exit_node = false;
template <class Head>
inline constexpr bool is_exit_node<exit_branch<Head>> = true;
template <class... Heads>
inline constexpr bool is_exit_node<early_exit<Heads...>> = true;

struct holds_no_exit {
    template <class Node>
    static constexpr bool holds() {
        return !is_exit_node<Node>;
    }
};

} // namespace detail

/// True when some node of `Space` is an early exit (exit_branch or early_exit): its networks may have exits.
template <class Space>
inline constexpr bool holds_early_exits = !std::is_void_v<first_failing_t<detail::holds_no_exit, Space>>;

/// Every node of `Space` is an op descriptor or a combinator.
template <class Space>
concept space_node = std::is_void_v<first_failing_t<detail::answers_space_interface, Space>>;

/// The first node of `Space` that is neither an op descriptor nor a combinator (void if none).
template <class Space>
using first_non_node = first_failing_t<detail::answers_space_interface, Space>;

namespace detail {

/// Stops compilation with one sentence when `Node` (named in the instantiation) is no node.
template <class Node>
struct not_a_node_of_space {
    static_assert(std::is_void_v<Node>,
                  "nascent: this node of the space is neither an op descriptor (static accepts, output, params and macs "
                  "of a shape: include its header from nascent/ops/) nor a combinator (nascent/space/node.hpp)");
    static constexpr bool value = false;
};
template <>
struct not_a_node_of_space<void> {
    static constexpr bool value = true;
};

} // namespace detail

/// True when `Space` answers the space interface; otherwise compilation stops naming the node.
template <class Space>
inline constexpr bool answers_space_interface = detail::not_a_node_of_space<first_non_node<Space>>::value;

} // namespace nascent::space
