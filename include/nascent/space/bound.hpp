// nascent/space/bound.hpp - a search space bound to the shape of its inputs.
//
//     using my = space::bound<my_space, shape{28, 28, 1}>;   // checked here: valid_space, or one sentence why not
//     rng random(1);
//     my::architecture a = my::sample(random);                // architecture_of<my>
//     auto costs = cost::of<my>(precision::int8, a);          // cost/costs.hpp
//     nn::model<my> supernet(/*seed=*/1);                     // nn/model.hpp
//     using net = deploy::fixed<my::space_type, my::input, precision::int8, 1, 0, 2, 0, 1, 0>;
//
// The space and the shape are named once. Its operators (sample, mutate, crossover,
// checked) return architecture_of<bound>, so an architecture of one bound space cannot be
// handed to another (tests/compile_fail/space_architecture_of_other_space.cpp); every
// function taking the untyped `architecture` takes one of these too.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>

#include "nascent/core/problem.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/check.hpp"
#include "nascent/space/node.hpp"
#include "nascent/space/size.hpp"

namespace nascent::space {

template <class Space, shape Input>
struct bound {
    static_assert(valid_space<Space, Input>);  // the sentence above this line says why not

    using space_type = Space;
    using architecture = architecture_of<bound>;
    static constexpr shape input = Input;
    static constexpr std::size_t decisions = space::decisions<Space>;

    /// The supernet's output shape (every option present, widths at their maximum).
    [[nodiscard]] static constexpr shape output() noexcept { return Space::output(Input); }
    /// Number of distinct architectures.
    [[nodiscard]] static constexpr space_size size() noexcept { return space::size<Space>(); }
    /// Options of every slot.
    [[nodiscard]] static constexpr auto options() noexcept { return space::options<Space>(); }
    /// Why the slots `arch` cannot run on the input shape (problem::none when they can).
    [[nodiscard]] static constexpr problem validate(std::span<const int> arch) noexcept {
        return space::validate<Space>(Input, arch);
    }

    /// Checks untyped slots (read from text, JSON or another program) against the space; throws naming the problem.
    [[nodiscard]] static architecture checked(nascent::architecture a) {
        return architecture::trusted(nascent::checked<Space>(std::move(a), Input));
    }
    /// A uniformly drawn valid architecture (space::sample).
    [[nodiscard]] static architecture sample(rng& random) { return architecture::trusted(space::sample<Space>(Input, random)); }
    /// `a` with one active slot changed; valid and different from `a` (space::mutate).
    [[nodiscard]] static architecture mutate(const architecture& a, rng& random) {
        return architecture::trusted(space::mutate<Space>(a, Input, random));
    }
    /// Uniform crossover of two architectures of this space; valid (space::crossover).
    [[nodiscard]] static architecture crossover(const architecture& a, const architecture& b, rng& random) {
        return architecture::trusted(space::crossover<Space>(a, b, Input, random));
    }
};

namespace detail {
template <class Node>
struct is_bound : std::false_type {
    using space_type = Node;
};
template <class Space, shape Input>
struct is_bound<bound<Space, Input>> : std::true_type {
    using space_type = Space;
};
} // namespace detail

/// A space bound to its input shape (space::bound).
template <class Node>
concept bound_space = detail::is_bound<Node>::value;

/// The space type of a bound space; the type itself otherwise.
template <class Node>
using unbound_t = typename detail::is_bound<Node>::space_type;

} // namespace nascent::space
