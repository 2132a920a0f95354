// Every descriptor against every interpreter it should satisfy: the space interface (every
// op of ops/, every block of blocks/, every combinator of space/), the training node, the
// cost lowering, and the runtime kernels of the program it compiles to, at both precisions.
// All checks are static; the test case only counts the descriptors.
#include <catch2/catch.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <nascent/blocks/depthwise_separable.hpp>
#include <nascent/blocks/dil_conv.hpp>
#include <nascent/blocks/factorized_conv.hpp>
#include <nascent/blocks/grouped_conv.hpp>
#include <nascent/blocks/grouped_mbconv.hpp>
#include <nascent/blocks/mbconv.hpp>
#include <nascent/blocks/relu_conv_bn.hpp>
#include <nascent/blocks/sep_conv.hpp>
#include <nascent/blocks/shuffle_xception.hpp>
#include <nascent/blocks/shufflenet_v2.hpp>
#include <nascent/cost/contract.hpp>
#include <nascent/cost/costs.hpp>
#include <nascent/cost/lower_blocks.hpp>
#include <nascent/deploy/fixed.hpp>
#include <nascent/runtime/run.hpp>
#include <nascent/nn/blocks.hpp>
#include <nascent/nn/contract.hpp>
#include <nascent/nn/supernet.hpp>
#include <nascent/ops/add.hpp>
#include <nascent/ops/concat.hpp>
#include <nascent/runtime/kernel_contract.hpp>
#include <nascent/space/contract.hpp>

// The file's names live in a namespace of their own: the tests compile in unity groups.
namespace test_interpreter_contracts {

using namespace nascent;


namespace {

/// A descriptor and an input shape it reads (the channels a block expects).
template <class Node, shape In>
struct entry {
    using node = Node;
    static constexpr shape input = In;
};

template <int W>
using conv_width = sequential<conv2d<W, 1>, batch_norm, relu>;
template <int K>
using depthwise_kernel = depthwise_conv2d<K, 1>;

constexpr shape image{8, 8, 4};
constexpr shape vector{1, 1, 8};

// Every op of include/nascent/ops/ that a space holds.
using ops = std::tuple<entry<conv2d<8, 3>, image>, entry<conv2d<8, 3, 2, 2, true>, image>, entry<depthwise_conv2d<3>, image>,
                       entry<depthwise_conv2d<5, 2, 2, true>, image>, entry<dense<10>, vector>, entry<batch_norm, image>,
                       entry<relu, image>, entry<relu6, image>, entry<hard_swish, image>, entry<hard_sigmoid, image>, entry<max_pool2d<2>, image>,
                       entry<max_pool2d<3, 1, padding::same>, image>, entry<avg_pool2d<2>, image>,
                       entry<avg_pool2d<3, 1, padding::same>, image>, entry<global_avg_pool, image>, entry<identity, image>,
                       entry<zero<1>, image>, entry<zero<2>, image>, entry<flatten, image>, entry<dropout<20>, image>,
                       entry<channel_shuffle<2>, image>, entry<asymmetric_conv2d<8, 1, 3>, image>,
                       entry<asymmetric_conv2d<8, 3, 1, 2>, image>, entry<dilated_depthwise_conv2d<3>, image>,
                       entry<dilated_depthwise_conv2d<5, 2, 2>, image>>;

// Every block of include/nascent/blocks/.
using blocks_list =
    std::tuple<entry<blocks::depthwise_separable<8>, image>, entry<blocks::dil_conv<4, 3>, image>,
               entry<blocks::factorized_conv<4, 3>, image>, entry<blocks::grouped_pointwise<8, 2>, image>,
               entry<blocks::grouped_mbconv<4, 4, 3, 2>, image>, entry<blocks::mbconv<4, 4, 3, 2>, image>,
               entry<blocks::mbconv<4, 8, 3, 2, 2>, image>, entry<blocks::relu_conv_bn<8, 3>, image>,
               entry<blocks::sep_conv<4, 3>, image>, entry<blocks::shuffle_xception<4, 8, 2>, image>,
               entry<blocks::shufflenet_v2<4, 4, 3, 1>, image>, entry<blocks::shufflenet_v2<4, 8, 3, 2>, image>>;

// Every combinator of include/nascent/space/.
using combinators = std::tuple<
    entry<sequential<conv2d<4, 3>, batch_norm, relu>, image>, entry<residual<sequential<conv2d<4, 3>, batch_norm>>, image>,
    entry<choice<conv2d<4, 3>, conv2d<4, 5>, identity>, image>, entry<optional<conv2d<4, 3>>, image>,
    entry<repeat<2, choice<identity, conv2d<4, 3>>>, image>, entry<elastic_width<conv_width, 4, 8>, image>,
    entry<elastic_kernel<depthwise_kernel, 3, 5, 7>, image>, entry<cell<2, identity, zero<1>, conv2d<4, 3>>, image>,
    entry<branches<conv2d<4, 1>, sequential<max_pool2d<3, 1, padding::same>, conv2d<2, 1>>>, image>,
    entry<channel_split<identity, sequential<conv2d<2, 1>, relu>>, image>>;

/// A fixed network around the descriptor, so that its program has a step before the descriptor's own.
template <class E>
using probe = sequential<conv2d<E::input.c, 1>, typename E::node>;

/// The fixed network of a probe's first options.
template <class Net, shape In, precision P, class Slots>
struct first_options_network;
template <class Net, shape In, precision P, std::size_t... Slot>
struct first_options_network<Net, In, P, std::index_sequence<Slot...>> {
    using type = deploy::fixed<Net, In, P, (static_cast<int>(Slot) * 0)...>;
};

template <class E, precision P>
constexpr bool compiles_to_kernels() {
    using net = typename first_options_network<probe<E>, E::input, P, std::make_index_sequence<space::decisions<probe<E>>>>::type;
    return runtime::kernels_exist<net::program>;
}

template <class E>
constexpr bool meets_every_contract() {
    using node = typename E::node;
    static_assert(space::node_of_space<node>);
    static_assert(space::space_node<node>);
    static_assert(valid_space<probe<E>, E::input>);
    static_assert(nn::trainable_node<node, float>);
    static_assert(nn::trains<node, float>);
    static_assert(nn::trains<node, double>);
    static_assert(cost::lowerable<node>);
    static_assert(cost::lowers<node>);
    static_assert(compiles_to_kernels<E, precision::float32>());
    static_assert(compiles_to_kernels<E, precision::int8>());
    return true;
}

template <class... Entries>
constexpr std::size_t check_all(std::tuple<Entries...>*) {
    static_assert((meets_every_contract<Entries>() && ...));
    return sizeof...(Entries);
}

// The joins of two activations are descriptors too, applied by residual and by the branches.
static_assert(space::join_descriptor<struct nascent::add>);
static_assert(space::join_descriptor<struct nascent::concat>);
static_assert(!space::op_descriptor<struct nascent::add>);

// Every op type a program can hold has a kernel at both precisions (batch_norm never reaches a program).
template <std::size_t... T>
constexpr bool every_kernel(std::index_sequence<T...>) {
    constexpr auto kernels_of = []<op_type Type>() {
        return Type == op_type::batch_norm || (runtime::has_kernel<Type, precision::float32> && runtime::has_kernel<Type, precision::int8>);
    };
    return (kernels_of.template operator()<static_cast<op_type>(T)>() && ...);
}
static_assert(every_kernel(std::make_index_sequence<op_type_count>{}));
static_assert(!runtime::has_kernel<op_type::batch_norm, precision::int8>);

// Something that is no descriptor fails the contracts without a hard error.
struct not_a_descriptor {};
static_assert(!space::node_of_space<not_a_descriptor>);
static_assert(!nn::trainable_node<not_a_descriptor>);
static_assert(!cost::lowerable<not_a_descriptor>);
static_assert(std::is_same_v<nn::first_untrainable<sequential<relu, not_a_descriptor>>, not_a_descriptor>);
static_assert(std::is_same_v<cost::first_unlowerable<choice<relu, residual<not_a_descriptor>>>, not_a_descriptor>);
static_assert(std::is_same_v<space::first_non_node<repeat<2, optional<not_a_descriptor>>>, not_a_descriptor>);

} // namespace

TEST_CASE("every descriptor meets the contract of every interpreter", "[contracts]") {
    CHECK(check_all(static_cast<ops*>(nullptr)) == 25);
    CHECK(check_all(static_cast<blocks_list*>(nullptr)) == 12);
    CHECK(check_all(static_cast<combinators*>(nullptr)) == 10);
}

} // namespace test_interpreter_contracts
