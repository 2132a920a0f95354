// nascent/space/check.hpp - a space that cannot work fails to compile with one sentence.
//
//   static_assert(nascent::valid_space<my_space, nascent::shape{28, 28, 1}>);
//
// checks, at compile time, the supernet (every option present, widths at their
// maximum), the architecture of all first options, and every architecture that
// differs from it in one slot. The first problem found stops compilation with
// the sentence describing it (core/problem.hpp). Architectures that fail only in
// combination (two optional stride-2 layers on a tiny input) are found at run
// time by space::validate, and the random operators never produce them.
// Before any of that, every node must answer the space interface (space/contract.hpp):
// a node that does not stops compilation with one sentence naming it.
#pragma once

#include <array>
#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/contract.hpp"
#include "nascent/space/node.hpp"

namespace nascent {

namespace space {

/// The first problem of `Space` on `in` among the checks above (problem::none when it works).
template <class Space>
[[nodiscard]] constexpr problem static_problem(shape in) noexcept {
    if (const problem p = check<Space>(in); p != problem::none) return p;
    std::array<int, decisions<Space> == 0 ? 1 : decisions<Space>> arch{};
    constexpr auto opts = options<Space>();
    const std::span<const int> view(arch.data(), decisions<Space>);
    if (const problem p = validate<Space>(in, view); p != problem::none) return p;
    for (std::size_t slot = 0; slot < decisions<Space>; ++slot) {
        for (int option = 1; option < opts[slot]; ++option) {
            arch[slot] = option;
            if (const problem p = validate<Space>(in, view); p != problem::none) return p;
        }
        arch[slot] = 0;
    }
    return problem::none;
}

} // namespace space

namespace detail {

template <class Space, shape In>
struct space_check {
    static constexpr bool answers = space::answers_space_interface<Space>;
    static constexpr problem found = [] {
        if constexpr (answers) return space::static_problem<Space>(In);
        else return problem::none;
    }();
    static_assert(found != problem::dense_needs_vector,
                  "nascent: a dense layer reads a 3-D activation: put flatten or global_avg_pool before it");
    static_assert(found != problem::window_too_large, "nascent: a valid-padded pooling window is larger than its input");
    static_assert(found != problem::groups_do_not_divide,
                  "nascent: a grouped convolution's input channels do not split into its groups");
    static_assert(found != problem::residual_changes_shape,
                  "nascent: a residual block changes the shape of its input, so the two cannot be added");
    static_assert(found != problem::choice_channels_differ,
                  "nascent: the options of a choice give different channel counts: use elastic_width for a choice of widths");
    static_assert(found != problem::cell_shapes_differ,
                  "nascent: an op on a cell edge changes the shape, so a node's inputs cannot be summed");
    static_assert(found != problem::channels_do_not_split,
                  "nascent: a channel split or shuffle cannot divide its input's channels evenly");
    static_assert(found != problem::branch_extents_differ,
                  "nascent: two branches give different spatial extents, so their outputs cannot be concatenated");
    static_assert(found != problem::op_rejects_input, "nascent: an op of the space cannot read the shape it is given");
    static constexpr bool value = answers && found == problem::none;
};

} // namespace detail

/// True when `Space` works on inputs of shape `In`; otherwise compilation stops with the reason.
template <class Space, shape In>
inline constexpr bool valid_space = detail::space_check<Space, In>::value;

} // namespace nascent
