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

#include "nascent/core/shape.hpp"

namespace nascent::cost {

/// Storage type of weights and activations on the device.
enum class precision { float32, int8 };

/// Bytes of one activation element.
[[nodiscard]] constexpr std::size_t element_bytes(precision p) noexcept { return p == precision::int8 ? 1 : 4; }

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

/// What the deploy kernel of an op computes (the cost figures above do not depend on it).
enum class op_type : std::uint8_t {
    conv,             ///< any window convolution: conv2d, grouped, depthwise, asymmetric, dilated
    dense,
    batch_norm,       ///< standalone: a per-channel scale and shift
    max_pool,
    avg_pool,
    global_avg_pool,
    add,
    relu,             ///< standalone activations
    relu6,
    zero,             ///< writes zeros of the output's shape
    concat,           ///< [input 0, input 1] along channels
    channel_shuffle   ///< channel (g, i) of `groups` groups moves to (i, g)
};

/// An activation run inside the kernel of the op before it (an output clamp).
enum class fused_activation : std::uint8_t { none, relu, relu6 };

/// Window of a convolution or pooling op; `groups` is also channel_shuffle's group count.
struct op_window {
    int kernel_h = 1;
    int kernel_w = 1;
    int stride = 1;
    int dilation = 1;
    int groups = 1;
    int pad_top = 0;
    int pad_left = 0;
    friend constexpr bool operator==(const op_window&, const op_window&) = default;
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
    int channel_offset[2] = {0, 0};  ///< first channel read from each input's pixels (channel_split)
    int pixel_stride[2] = {0, 0};    ///< elements per pixel of each input's buffer (0: its extent's channels)

    [[nodiscard]] constexpr int input_count() const noexcept { return inputs[1] >= 0 ? 2 : 1; }
};

struct graph {
    std::vector<tensor_node> tensors;  ///< tensors[0] is the network input
    std::vector<op_node> ops;          ///< in a valid execution order
    int output = 0;                    ///< the network output tensor

    /// Adds the input tensor; call once, first.
    constexpr int add_input(shape s, precision p) {
        tensors.push_back({s, s.size() * element_bytes(p)});
        output = 0;
        return 0;
    }
    /// Adds an op reading `a` (and `b`), writing a new tensor of shape `out`; returns that tensor.
    constexpr int add_op(op_node op, int a, int b, shape out, precision p) {
        op.inputs[0] = a;
        op.inputs[1] = b;
        for (int i = 0; i < op.input_count(); ++i) {
            const tensor_node& t = tensors[static_cast<std::size_t>(op.inputs[i])];
            if (t.stored_channels > 0) {
                op.channel_offset[i] = t.view_channel_offset;
                op.pixel_stride[i] = t.stored_channels;
            }
        }
        op.output = static_cast<int>(tensors.size());
        tensors.push_back({out, out.size() * element_bytes(p)});
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
