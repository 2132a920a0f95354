// nascent/cost/graph.hpp - the network as the cost model sees it: ops and the tensors between them.
//
// A graph is built once per (network, input shape, precision) by lowering the
// space type (cost/lower.hpp). Tensor 0 is the network input; every op writes
// one new tensor and reads one or two earlier ones, so the ops are listed in a
// valid execution order. Everything here is constexpr: the same graph, and
// every figure computed from it, exists at compile time (for static_assert on
// a fixed network) and at run time (for a candidate during a search).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nascent/core/op_type.hpp"
#include "nascent/core/shape.hpp"

namespace nascent::cost {

using nascent::element_bytes;
using nascent::fused_activation;
using nascent::op_type;
using nascent::op_window;
using nascent::precision;

/// How an op may share memory with one of its inputs.
enum class in_place {
    none,       ///< the output needs its own buffer
    overwrite,  ///< element-wise (add, standalone activation): the output may overwrite an input of
                ///< the same size that this op reads last
    channelwise ///< depthwise, stride 1, multiplier 1: the output may overwrite the input channel by
                ///< channel, with one output channel plane of scratch (MCUNet's in-place depthwise)
};

struct tensor_node {
    shape extent{};
    std::size_t bytes = 0;
    bool kept = false;  ///< read again later (a residual's input): no op may fold into or overwrite it
    /// While lowering a channel_split branch: ops added now read the channels
    /// [view_channel_offset, view_channel_offset + extent.c) of this tensor's pixels, which hold
    /// stored_channels each (0: the tensor is read whole, extent.c channels per pixel).
    int view_channel_offset = 0;
    int stored_channels = 0;
};

struct op_node {
    const char* kind = "";           ///< the op's name, for printing
    int inputs[2] = {-1, -1};        ///< tensor indices; the second is -1 for one-input ops
    int output = -1;                 ///< tensor index
    std::size_t params = 0;          ///< trainable scalars (batch norm folded away counts 0)
    std::size_t macs = 0;            ///< multiply-accumulates
    std::size_t weight_bytes = 0;    ///< flash: weights, biases, quantisation parameters
    std::size_t scratch_bytes = 0;   ///< working memory of the deploy kernel while it runs
    in_place sharing = in_place::none;
    std::size_t in_place_scratch = 0;///< scratch needed instead when running in place
    bool folds_batch_norm = false;   ///< a following batch norm folds into this op's weights and bias
    bool fuses_activation = false;   ///< a following relu / relu6 runs inside this op's kernel
    bool has_bias = false;           ///< (float) the op already stores a bias
    // What the deploy network runs:
    op_type type = op_type::conv;
    op_window window{};
    fused_activation activation = fused_activation::none;
    bool folded_batch_norm = false;  ///< a batch norm was folded into this op's weights and bias
    shape input_extent[2]{};         ///< what the kernel reads of each input (a split branch reads a slice)
    shape output_extent{};           ///< what the kernel writes (a later flatten may relabel the tensor)
    int channel_offset[2] = {0, 0};  ///< first channel read from each input's pixels (channel_split)
    int pixel_stride[2] = {0, 0};    ///< elements per pixel of each input's buffer (0: its extent's channels)
    int exit = -1;                   ///< early exits: the exit (0, 1, ...) whose head or gate this op is; -1 on the backbone

    [[nodiscard]] constexpr int input_count() const noexcept { return inputs[1] >= 0 ? 2 : 1; }
};

/// Number of weights of op `o` in the deploy network (0 for ops without).
[[nodiscard]] constexpr std::size_t weight_count(const op_node& o) noexcept {
    const shape in = o.input_extent[0];
    const shape out = o.output_extent;
    switch (o.type) {
    case op_type::conv:
        return static_cast<std::size_t>(out.c) * static_cast<std::size_t>(o.window.kernel_h * o.window.kernel_w) *
               static_cast<std::size_t>(in.c / o.window.groups);
    case op_type::dense: return static_cast<std::size_t>(out.c) * in.size();
    case op_type::batch_norm: return static_cast<std::size_t>(out.c);
    default: return 0;
    }
}

/// Bytes an arena buffer of n bytes occupies: every buffer starts at a multiple of 4 bytes, so
/// that float and int16 kernel data are aligned whatever the int8 tensor sizes.
[[nodiscard]] constexpr std::size_t aligned_bytes(std::size_t n) noexcept { return (n + 3U) / 4U * 4U; }

struct graph {
    std::vector<tensor_node> tensors;  ///< tensors[0] is the network input
    std::vector<op_node> ops;          ///< in a valid execution order
    int output = 0;                    ///< the network output tensor
    precision element = precision::float32;  ///< the precision the graph was lowered at

    /// Adds the input tensor; call once, first.
    constexpr int add_input(shape s, precision p) {
        element = p;
        tensors.push_back({s, aligned_bytes(s.size() * element_bytes(p))});
        output = 0;
        return 0;
    }
    /// Adds an op reading `a` (and `b`), writing a new tensor of shape `out`; returns that tensor.
    constexpr int add_op(op_node op, int a, int b, shape out, precision p) {
        op.inputs[0] = a;
        op.inputs[1] = b;
        for (int i = 0; i < op.input_count(); ++i) {
            const tensor_node& t = tensors[static_cast<std::size_t>(op.inputs[i])];
            op.input_extent[i] = t.extent;
            if (t.stored_channels > 0) {
                op.channel_offset[i] = t.view_channel_offset;
                op.pixel_stride[i] = t.stored_channels;
            }
        }
        op.output = static_cast<int>(tensors.size());
        op.output_extent = out;
        op.scratch_bytes = aligned_bytes(op.scratch_bytes);
        op.in_place_scratch = aligned_bytes(op.in_place_scratch);
        tensors.push_back({out, aligned_bytes(out.size() * element_bytes(p))});
        ops.push_back(op);
        output = op.output;
        return op.output;
    }
    /// Number of ops reading tensor t (the network output counts one extra reader: the caller).
    [[nodiscard]] constexpr int readers(int t) const noexcept {
        int n = t == output ? 1 : 0;
        for (const auto& op : ops)
            for (int i = 0; i < op.input_count(); ++i) n += op.inputs[i] == t ? 1 : 0;
        return n;
    }
};

} // namespace nascent::cost
