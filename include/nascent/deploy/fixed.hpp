// nascent/deploy/fixed.hpp - the fixed network of an architecture of a space, as a type.
//
//     using net = nascent::deploy::fixed<zoo::munas, shape{28, 28, 1}, precision::int8, 2, 0, 1, ...>;
//     static_assert(net::arena_bytes <= 64 * 1024);   // a real guarantee: the arena is all it uses
//     static_assert(net::flash_bytes <= 64 * 1024);
//
// fixed<Space, Input, P, Arch...> checks the architecture, lowers it with the cost model
// (the same constexpr functions a search uses to judge the candidate), plans its arena and
// compiles the program (deploy/compile.hpp), all at compile time, and is a network<program>
// (runtime/network.hpp): arena type, input/output pointers, run() and classify().
// Its costs are the cost model's figures for the same architecture; the arena is the plan's
// (costs::peak_ram_bytes) and the weight and parameter bytes are costs::flash_bytes.
//
// This header is host-side (it lowers a space type); a firmware includes an exported model
// header instead (deploy/export.hpp), whose program equals this one (tested).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <utility>

#include "nascent/core/shape.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/deploy/compile.hpp"
#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/network.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::deploy {

namespace detail {

/// The program of a fixed network, with static storage so that network<> can refer to it.
template <class Space, shape Input, precision P, int... Arch>
struct fixed_program {
    static constexpr std::array<int, sizeof...(Arch)> architecture{Arch...};
    static_assert(sizeof...(Arch) == space::decisions<Space>,
                  "nascent: fixed<Space, Input, P, Arch...> needs one value per decision of the space");
    static constexpr bool valid = [] {
        const std::array<int, sizeof...(Arch)> arch{Arch...};
        return space::validate<Space>(Input, std::span<const int>(arch)) == problem::none;
    }();
    static_assert(valid, "nascent: the architecture is not valid for this space and input shape (space::validate names the problem)");
    // A node without a cost lowering stops here with the sentence of cost/contract.hpp alone.
    static constexpr auto value = [] {
        if constexpr (cost::lowering_contract<Space>) return compile_architecture<Space, Input, P, architecture>();
        else return program<1>{};
    }();
    static_assert(runtime::kernels_exist<value>, "every step's op type has a kernel at this precision");
};

} // namespace detail

template <class Space, shape Input, precision P, int... Arch>
class fixed : public network<detail::fixed_program<Space, Input, P, Arch...>::value> {
    using source = detail::fixed_program<Space, Input, P, Arch...>;

public:
    using space_type = Space;
    static constexpr const std::array<int, sizeof...(Arch)>& architecture = source::architecture;
    /// The cost model's figures of this architecture.
    static constexpr cost::costs costs = [] {
        const std::array<int, sizeof...(Arch)> arch{Arch...};
        return cost::of<Space>(Input, P, std::span<const int>(arch));
    }();

    static_assert(costs.peak_ram_bytes == source::value.arena_bytes, "the arena is the cost model's peak RAM");
    static_assert(costs.flash_bytes == network<source::value>::flash_bytes, "the parameters are the cost model's flash");
};

namespace detail {

template <class Space, shape Input, precision P, auto Arch, class Indices>
struct fixed_from_array;
template <class Space, shape Input, precision P, auto Arch, std::size_t... I>
struct fixed_from_array<Space, Input, P, Arch, std::index_sequence<I...>> {
    using type = fixed<Space, Input, P, Arch[I]...>;
};

} // namespace detail

/// fixed<> of an architecture given as one std::array<int, N> constant:
///     constexpr std::array<int, space::decisions<S>> arch{...};
///     using net = fixed_of<S, shape{28, 28, 1}, precision::int8, arch>;
template <class Space, shape Input, precision P, auto Arch>
using fixed_of = typename detail::fixed_from_array<Space, Input, P, Arch, std::make_index_sequence<Arch.size()>>::type;

} // namespace nascent::deploy
