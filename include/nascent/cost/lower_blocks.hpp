// nascent/cost/lower_blocks.hpp - cost lowering of the ops and combinators that the blocks and the zoo add:
// channel_shuffle, asymmetric_conv2d, dilated_depthwise_conv2d, branches and channel_split.
//
// Include this header (rather than cost/lower.hpp alone) wherever a space that uses them
// is lowered; the zoo headers do.
//
// Memory model (what the deploy kernels implement):
// - channel_shuffle permutes each pixel's channels through one pixel of scratch, so its
//   output may overwrite its input when the input dies with it (in_place::overwrite,
//   scratch = one pixel's channels).
// - branches<Left, Right>: both branches read the input tensor, which stays in the arena
//   until the last op of either branch (or the concatenation) has read it.
// - channel_split<Left, Right>: no copy is made. The first op of each branch reads its
//   half of the input in place, as a channel slice (channel offset 0 or C/2, pixel stride C),
//   so the graph shows the branches reading the whole input tensor, which stays in the
//   arena until both branches and the concatenation are done. An identity branch is read by
//   the concatenation straight from the input buffer. Nothing folds into the op that made
//   the input, and no op of a branch overwrites it.
// - the concatenation is an op with two inputs that writes a new buffer of the summed
//   channels (it moves data and counts no MACs); its inputs are released after it runs.
// - asymmetric_conv2d gathers one output pixel's window into scratch like a k x k
//   convolution (kernel_h * kernel_w * in_c elements; int8: two windows of bytes);
//   dilated_depthwise_conv2d runs like a depthwise convolution (in place, channel by
//   channel, with one output plane of scratch when its stride is 1).
#pragma once

#include <cstddef>

#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/runtime/kernel_rules.hpp"
#include "nascent/ops/asymmetric_conv2d.hpp"
#include "nascent/ops/channel_shuffle.hpp"
#include "nascent/ops/concat.hpp"
#include "nascent/ops/dilated_depthwise_conv2d.hpp"
#include "nascent/space/branches.hpp"
#include "nascent/space/channel_split.hpp"
#include "nascent/space/node.hpp"

namespace nascent::cost {

namespace detail {

/// Adds the op [a, b] along channels; a and b hold the branch outputs of extents sa and sb.
constexpr int lower_concat(graph& g, int a, int b, shape sa, shape sb, precision p) {
    op_node op;
    op.kind = "concat";
    op.type = op_type::concat;
    return g.add_op(op, a, b, concat::output(sa, sb), p);
}

/// Lowers both branches of a branches / channel_split node reading x; returns the concatenation.
template <class Left, class Right, bool Split>
constexpr int lower_two_branches(graph& g, int x, precision p, decision_cursor& c) {
    const auto ix = static_cast<std::size_t>(x);
    const shape full = g.tensors[ix].extent;
    const shape input = Split ? shape{full.h, full.w, full.c / 2} : full;
    const bool was_kept = g.tensors[ix].kept;
    const int was_offset = g.tensors[ix].view_channel_offset;
    const int was_stored = g.tensors[ix].stored_channels;
    g.tensors[ix].kept = true;
    g.tensors[ix].extent = input;
    if (Split) {
        g.tensors[ix].view_channel_offset = 0;
        g.tensors[ix].stored_channels = full.c;
    }
    const int left = lower_node<Left>(g, x, p, c);
    const shape left_out = g.tensors[static_cast<std::size_t>(left)].extent;
    g.tensors[ix].extent = input;  // an aliasing left branch (identity) may have relabelled x
    if (Split) g.tensors[ix].view_channel_offset = input.c;
    const int right = lower_node<Right>(g, x, p, c);
    const shape right_out = g.tensors[static_cast<std::size_t>(right)].extent;
    g.tensors[ix].extent = full;
    g.tensors[ix].kept = was_kept;
    g.tensors[ix].view_channel_offset = was_offset;
    g.tensors[ix].stored_channels = was_stored;
    const int joined = lower_concat(g, left, right, left_out, right_out, p);
    // A branch that is the split input itself (identity) is read as its half, in place.
    op_node& concat_op = g.ops.back();
    if (Split) {
        if (left == x) {
            concat_op.input_extent[0] = input;
            concat_op.pixel_stride[0] = full.c;
        }
        if (right == x) {
            concat_op.input_extent[1] = input;
            concat_op.channel_offset[1] = input.c;
            concat_op.pixel_stride[1] = full.c;
        }
    }
    return joined;
}

} // namespace detail

template <int Groups>
struct lowering<channel_shuffle<Groups>> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape s = g.tensors[static_cast<std::size_t>(x)].extent;
        op_node op;
        op.kind = "channel_shuffle";
        op.type = op_type::channel_shuffle;
        op.window.groups = Groups;
        op.sharing = in_place::overwrite;
        op.scratch_bytes = deploy::channel_shuffle_scratch_bytes(p, s.c);
        return g.add_op(op, x, -1, s, p);
    }
};

template <int Filters, int KernelH, int KernelW, int Stride>
struct lowering<asymmetric_conv2d<Filters, KernelH, KernelW, Stride>> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_convolution(g, x, asymmetric_conv2d<Filters, KernelH, KernelW, Stride>::geometry(in), false,
                                         "asymmetric_conv2d", p);
    }
};

template <int Kernel, int Dilation, int Stride>
struct lowering<dilated_depthwise_conv2d<Kernel, Dilation, Stride>> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_convolution(g, x, dilated_depthwise_conv2d<Kernel, Dilation, Stride>::geometry(in), false,
                                         "dilated_depthwise_conv2d", p);
    }
};

template <class Left, class Right>
struct lowering<branches<Left, Right>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        return detail::lower_two_branches<Left, Right, false>(g, x, p, c);
    }
};

template <class Left, class Right>
struct lowering<channel_split<Left, Right>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        return detail::lower_two_branches<Left, Right, true>(g, x, p, c);
    }
};

} // namespace nascent::cost
