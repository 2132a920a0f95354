// nascent/core/problem.hpp - why a network or a search space cannot run on an input.
//
// Shape rules answer with a `problem` instead of a bare bool, so that a space
// that cannot work is reported with one sentence (`describe`), at compile time
// (space/check.hpp) and at run time (architecture validation).
#pragma once

namespace nascent {

enum class problem {
    none,
    op_rejects_input,        ///< an op's shape rule refuses its input
    dense_needs_vector,      ///< a dense layer reads a 3-D activation
    window_too_large,        ///< a valid-padded pooling window is larger than its input
    groups_do_not_divide,    ///< a grouped convolution's input channels do not split into its groups
    residual_changes_shape,  ///< a residual block's output differs from its input, so they cannot be added
    choice_channels_differ,  ///< the options of a choice give different channel counts (weights cannot be shared)
    cell_shapes_differ,      ///< an op on a cell edge changes the shape, so the node's inputs cannot be summed
    channels_do_not_split,   ///< a channel split or shuffle cannot divide its input's channels evenly
    branch_extents_differ,   ///< two branches give different spatial extents, so they cannot be concatenated
    decision_out_of_range,   ///< an architecture picks an option the decision does not have
    wrong_decision_count,    ///< an architecture has more or fewer decisions than the space
    exit_head_not_logits,    ///< an early exit's head does not end in a vector of logits (1 x 1 x classes)
};

/// One sentence per problem.
[[nodiscard]] constexpr const char* describe(problem p) noexcept {
    switch (p) {
    case problem::none: return "no problem";
    case problem::op_rejects_input: return "an op cannot read the shape it is given";
    case problem::dense_needs_vector:
        return "a dense layer reads a 3-D activation: put flatten or global_avg_pool before it";
    case problem::window_too_large: return "a valid-padded pooling window is larger than its input";
    case problem::groups_do_not_divide: return "a grouped convolution's input channels do not split into its groups";
    case problem::residual_changes_shape:
        return "a residual block changes the shape of its input, so the two cannot be added";
    case problem::choice_channels_differ:
        return "the options of a choice give different channel counts: use elastic_width for a choice of widths";
    case problem::cell_shapes_differ: return "an op on a cell edge changes the shape, so a node's inputs cannot be summed";
    case problem::channels_do_not_split: return "a channel split or shuffle cannot divide its input's channels evenly";
    case problem::branch_extents_differ:
        return "two branches give different spatial extents, so their outputs cannot be concatenated";
    case problem::decision_out_of_range: return "the architecture picks an option that its decision does not have";
    case problem::wrong_decision_count: return "the architecture does not have one value per decision of the space";
    case problem::exit_head_not_logits:
        return "an early exit's head does not end in a vector of logits: end it with global_avg_pool or flatten and a dense layer";
    }
    return "unknown problem";
}

} // namespace nascent
