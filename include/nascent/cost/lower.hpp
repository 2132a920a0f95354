// nascent/cost/lower.hpp - from a network descriptor to the graph its deploy network runs.
//
// lower<Net>(input, precision) builds the graph of the fixed (deploy) network:
// - batch norm after a convolution or dense layer folds into its weights and bias;
// - relu / relu6 after a convolution, dense layer, add or folded batch norm runs inside
//   that op's kernel (an output clamp, as CMSIS-NN does);
// - identity, flatten and dropout move no data and cost nothing;
// - residual<Block> is the block followed by an add that may overwrite a dying input;
// - an early exit is its head, reading the tensor without folding into its producer, then an
//   exit_gate op that reads the tensor and the logits and passes the tensor on in place: the
//   gate orders the head before the rest of the backbone, as the device runs it, and keeps the
//   tensor live while the head runs. The head's and the gate's ops carry the exit's number.
// Standalone batch norm and activations become ops of their own.
//
// Flash per op (weight_bytes) is what the deploy program stores (runtime/program.hpp; the
// parameter counts are the kernels', runtime/kernel_rules.hpp):
// float32 stores weights and a bias per output channel as 4-byte floats; int8 stores
// weights as bytes plus int32 parameters: per output channel a bias, a multiplier and a
// shift (per-channel requantisation), and per op its zero points, clamp and rescaling.
// Scratch per op is the kernels' own rule (runtime/kernel_rules.hpp, stated next to each
// kernel under runtime/). A depthwise stride-1 convolution with multiplier 1 may run in place.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "nascent/cost/graph.hpp"
#include "nascent/runtime/exit_gate.hpp"
#include "nascent/runtime/kernel_rules.hpp"
#include "nascent/ops/add.hpp"
#include "nascent/ops/avg_pool2d.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/dropout.hpp"
#include "nascent/ops/flatten.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/hard_sigmoid.hpp"
#include "nascent/ops/hard_swish.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/max_pool2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/ops/relu6.hpp"
#include "nascent/ops/zero.hpp"
#include "nascent/space/cell.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/early_exit.hpp"
#include "nascent/space/elastic.hpp"
#include "nascent/space/node.hpp"
#include "nascent/space/optional.hpp"
#include "nascent/space/repeat.hpp"
#include "nascent/space/residual.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::cost {

/// How the descriptor `Node` lowers. Each specialisation provides
///   static constexpr int lower(graph& g, int x, precision p);  // returns the output tensor
template <class Node>
struct lowering;

namespace detail {

/// Flash of op `o` as the deploy program stores it: its weights and its parameters.
constexpr std::size_t op_flash(const op_node& o, precision p) noexcept {
    return weight_count(o) * element_bytes(p) + 4U * deploy::param_layout::count(o.type, p, o.output_extent.c);
}

/// Sets every op's flash once the graph is complete (batch norm and activations fold late).
constexpr void settle_flash(graph& g, precision p) noexcept {
    for (op_node& o : g.ops) o.weight_bytes = op_flash(o, p);
}

/// A convolution of any geometry; a depthwise one of stride 1 and multiplier 1 may run in place.
constexpr int lower_convolution(graph& g, int x, const conv_geometry& geo, bool bias, const char* kind, precision p) {
    op_node op;
    op.kind = kind;
    op.params = geo.weight_count() + (bias ? static_cast<std::size_t>(geo.out.c) : 0U);
    op.macs = geo.macs();
    op.has_bias = bias;
    op.folds_batch_norm = true;
    op.fuses_activation = true;
    op.type = op_type::conv;
    op.window = geo.window();
    if (geo.depthwise() && geo.stride == 1 && geo.out.c == geo.in.c) {
        op.sharing = in_place::channelwise;
        op.in_place_scratch = deploy::depthwise_in_place_scratch_bytes(p, geo.out);
    }
    op.scratch_bytes = deploy::conv_scratch_bytes(p, geo.taps(), geo.filter_size(), geo.depthwise());
    return g.add_op(op, x, -1, geo.out, p);
}

/// An op of no parameters: pooling, zero, standalone activation.
constexpr int lower_plain(graph& g, int x, const char* kind, op_type type, std::size_t macs, shape out, precision p,
                          in_place sharing = in_place::none, op_window window = {}) {
    op_node op;
    op.kind = kind;
    op.type = type;
    op.window = window;
    op.macs = macs;
    op.sharing = sharing;
    return g.add_op(op, x, -1, out, p);
}

/// The newest op when it produced tensor x and nothing reads x yet or will later, else null:
/// only then may a following batch norm or activation be folded into it.
constexpr op_node* newest_producer(graph& g, int x) {
    if (g.ops.empty() || g.ops.back().output != x || g.tensors[static_cast<std::size_t>(x)].kept) return nullptr;
    for (const auto& op : g.ops)
        for (int i = 0; i < op.input_count(); ++i)
            if (op.inputs[i] == x) return nullptr;
    return &g.ops.back();
}

/// A parameter-free op whose descriptor gives its MACs and output shape (pooling, zero).
template <class Op>
constexpr int lower_parameter_free(graph& g, int x, const char* kind, op_type type, precision p, op_window window = {}) {
    const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
    return lower_plain(g, x, kind, type, Op::macs(in), Op::output(in), p, in_place::none, window);
}

/// The window of a pooling op on input `in`.
template <class Pool>
constexpr op_window pool_window(shape in) {
    const pool2d_geometry geo = Pool::geometry(in);
    return op_window{geo.kernel, geo.kernel, geo.stride, 1, 1, geo.pad_top, geo.pad_left};
}

constexpr int lower_activation(graph& g, int x, const char* kind, fused_activation act, precision p) {
    if (op_node* prev = newest_producer(g, x); prev != nullptr && prev->fuses_activation) {
        prev->fuses_activation = false;  // one activation per kernel
        prev->folds_batch_norm = false;
        prev->activation = act;
        return x;
    }
    const shape s = g.tensors[static_cast<std::size_t>(x)].extent;
    return lower_plain(g, x, kind, act == fused_activation::relu ? op_type::relu : op_type::relu6, 0, s, p,
                       in_place::overwrite);
}

} // namespace detail

template <int Filters, int Kernel, int Stride, int Groups, bool Bias>
struct lowering<conv2d<Filters, Kernel, Stride, Groups, Bias>> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_convolution(g, x, conv2d<Filters, Kernel, Stride, Groups, Bias>::geometry(in), Bias,
                                         "conv2d", p);
    }
};

template <int Kernel, int Stride, int Multiplier, bool Bias>
struct lowering<depthwise_conv2d<Kernel, Stride, Multiplier, Bias>> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_convolution(g, x, depthwise_conv2d<Kernel, Stride, Multiplier, Bias>::geometry(in), Bias,
                                         "depthwise_conv2d", p);
    }
};

template <int Units>
struct lowering<dense<Units>> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
        op_node op;
        op.kind = "dense";
        op.type = op_type::dense;
        op.params = dense<Units>::params(in);
        op.macs = dense<Units>::macs(in);
        op.has_bias = true;
        op.folds_batch_norm = true;
        op.fuses_activation = true;
        return g.add_op(op, x, -1, dense<Units>::output(in), p);
    }
};

template <>
struct lowering<batch_norm> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape s = g.tensors[static_cast<std::size_t>(x)].extent;
        const auto channels = static_cast<std::size_t>(s.c);
        if (op_node* prev = detail::newest_producer(g, x); prev != nullptr && prev->folds_batch_norm) {
            prev->params += 2U * channels;  // trainable scale and shift, folded away on the device
            prev->has_bias = true;
            prev->folds_batch_norm = false;
            prev->folded_batch_norm = true;
            return x;
        }
        // Standalone: a per-channel affine map (scale and shift), which may overwrite its input.
        op_node op;
        op.kind = "batch_norm";
        op.type = op_type::batch_norm;
        op.params = 2U * channels;
        op.macs = s.size();
        op.sharing = in_place::overwrite;
        op.fuses_activation = true;
        return g.add_op(op, x, -1, s, p);
    }
};

template <>
struct lowering<relu> {
    static constexpr int lower(graph& g, int x, precision p) { return detail::lower_activation(g, x, "relu", fused_activation::relu, p); }
};

template <>
struct lowering<relu6> {
    static constexpr int lower(graph& g, int x, precision p) { return detail::lower_activation(g, x, "relu6", fused_activation::relu6, p); }
};

/// A standalone op of its own (no kernel clamps it), overwriting its input.
template <>
struct lowering<hard_swish> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape s = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_plain(g, x, "hard_swish", op_type::hard_swish, 0, s, p, in_place::overwrite);
    }
};

/// A standalone op of its own, overwriting its input.
template <>
struct lowering<hard_sigmoid> {
    static constexpr int lower(graph& g, int x, precision p) {
        const shape s = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_plain(g, x, "hard_sigmoid", op_type::hard_sigmoid, 0, s, p, in_place::overwrite);
    }
};

template <int Kernel, int Stride, padding Pad>
struct lowering<max_pool2d<Kernel, Stride, Pad>> {
    static constexpr int lower(graph& g, int x, precision p) {
        using pool = max_pool2d<Kernel, Stride, Pad>;
        const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_parameter_free<pool>(g, x, "max_pool2d", op_type::max_pool, p, detail::pool_window<pool>(in));
    }
};

template <int Kernel, int Stride, padding Pad>
struct lowering<avg_pool2d<Kernel, Stride, Pad>> {
    static constexpr int lower(graph& g, int x, precision p) {
        using pool = avg_pool2d<Kernel, Stride, Pad>;
        const shape in = g.tensors[static_cast<std::size_t>(x)].extent;
        return detail::lower_parameter_free<pool>(g, x, "avg_pool2d", op_type::avg_pool, p, detail::pool_window<pool>(in));
    }
};

template <>
struct lowering<global_avg_pool> {
    static constexpr int lower(graph& g, int x, precision p) {
        return detail::lower_parameter_free<global_avg_pool>(g, x, "global_avg_pool", op_type::global_avg_pool, p);
    }
};

template <int Stride>
struct lowering<zero<Stride>> {
    static constexpr int lower(graph& g, int x, precision p) {
        return detail::lower_parameter_free<zero<Stride>>(g, x, "zero", op_type::zero, p, op_window{1, 1, Stride});
    }
};

/// Ops that move no data on the device: the output is the input tensor, reinterpreted.
template <class Op>
struct lowering_alias {
    static constexpr int lower(graph& g, int x, precision /*p*/) {
        auto& t = g.tensors[static_cast<std::size_t>(x)];
        t.extent = Op::output(t.extent);
        return x;
    }
};
template <>
struct lowering<identity> : lowering_alias<identity> {};
template <>
struct lowering<flatten> : lowering_alias<flatten> {};
template <int PercentDropped>
struct lowering<dropout<PercentDropped>> : lowering_alias<dropout<PercentDropped>> {};

/// Lowers `Node` reading tensor x; combinators read their decisions from `c`.
template <class Node>
constexpr int lower_node(graph& g, int x, precision p, decision_cursor& c) {
    if constexpr (requires { lowering<Node>::lower(g, x, p, c); }) return lowering<Node>::lower(g, x, p, c);
    else return lowering<Node>::lower(g, x, p);
}

namespace detail {

/// Adds an op a + b (same shapes), which may overwrite an operand that dies with it.
constexpr int lower_add(graph& g, int a, int b, precision p) {
    op_node op;
    op.kind = "add";
    op.type = op_type::add;
    op.macs = g.tensors[static_cast<std::size_t>(a)].extent.size();
    op.sharing = in_place::overwrite;
    op.fuses_activation = true;
    return g.add_op(op, a, b, g.tensors[static_cast<std::size_t>(a)].extent, p);
}

/// Lowers `Block` on x while x stays readable afterwards (nothing folds into or overwrites it).
template <class Block>
constexpr int lower_keeping(graph& g, int x, precision p, decision_cursor& c) {
    const bool was_kept = g.tensors[static_cast<std::size_t>(x)].kept;
    g.tensors[static_cast<std::size_t>(x)].kept = true;
    const int y = lower_node<Block>(g, x, p, c);
    g.tensors[static_cast<std::size_t>(x)].kept = was_kept;
    return y;
}

} // namespace detail

template <class... Nodes>
struct lowering<sequential<Nodes...>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        ((x = lower_node<Nodes>(g, x, p, c)), ...);
        return x;
    }
};

template <class Block>
struct lowering<residual<Block>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        const int y = detail::lower_keeping<Block>(g, x, p, c);
        return detail::lower_add(g, x, y, p);
    }
};

/// The chosen option only.
template <class... Ops>
struct lowering<choice<Ops...>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        const int pick = c.take();
        int i = 0;
        ((i++ == pick ? (void)(x = lower_node<Ops>(g, x, p, c)) : c.skip(space::decisions<Ops>)), ...);
        return x;
    }
};

template <class Block>
struct lowering<optional<Block>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        if (c.take() == optional<Block>::keep) return lower_node<Block>(g, x, p, c);
        c.skip(space::decisions<Block>);
        return x;
    }
};

template <class Head>
struct lowering<exit_branch<Head>> {
    static constexpr int lower(graph& g, int x, precision p) {
        int exit = 0;
        for (const op_node& o : g.ops) exit += o.type == op_type::exit_gate ? 1 : 0;
        const std::size_t first = g.ops.size();
        decision_cursor none;
        const int logits = detail::lower_keeping<Head>(g, x, p, none);
        op_node gate;
        gate.kind = "exit_gate";
        gate.type = op_type::exit_gate;
        gate.macs = g.tensors[static_cast<std::size_t>(logits)].extent.size();  // the softmax maximum's comparisons
        gate.sharing = in_place::overwrite;
        gate.scratch_bytes = deploy::exit_gate_scratch_bytes;  // the decision word
        const int y = g.add_op(gate, x, logits, g.tensors[static_cast<std::size_t>(x)].extent, p);
        for (std::size_t k = first; k < g.ops.size(); ++k) g.ops[k].exit = exit;
        return y;
    }
};

/// The chosen head's exit, or nothing.
template <class... Heads>
struct lowering<early_exit<Heads...>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        const int pick = c.take();
        int k = 0;
        ((++k == pick ? (void)(x = lowering<exit_branch<Heads>>::lower(g, x, p)) : (void)0), ...);
        return x;
    }
};

template <int N, class Block>
struct lowering<repeat<N, Block>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        for (int i = 0; i < N; ++i) x = lower_node<Block>(g, x, p, c);
        return x;
    }
};

/// The chosen member of the family, as an ordinary op.
template <template <int> class Block, int... Widths>
struct lowering<elastic_width<Block, Widths...>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        const int pick = c.take();
        int i = 0;
        ((i++ == pick ? (void)(x = lower_node<Block<Widths>>(g, x, p, c)) : (void)0), ...);
        return x;
    }
};
template <template <int> class Op, int... Kernels>
struct lowering<elastic_kernel<Op, Kernels...>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        const int pick = c.take();
        int i = 0;
        ((i++ == pick ? (void)(x = lower_node<Op<Kernels>>(g, x, p, c)) : (void)0), ...);
        return x;
    }
};

/// Node j = edge a + edge b; the cell's output is the sum of its nodes. An edge whose op
/// is zero<1> (DARTS's "none") contributes nothing and is left out of the graph.
template <int Nodes, class... Ops>
struct lowering<cell<Nodes, Ops...>> {
    static constexpr int lower(graph& g, int x, precision p, decision_cursor& c) {
        int node[Nodes + 1] = {x};
        // Node tensors are read by later edges and by the output sum: keep them while lowering.
        const bool was_kept = g.tensors[static_cast<std::size_t>(x)].kept;
        g.tensors[static_cast<std::size_t>(x)].kept = true;
        for (int j = 1; j <= Nodes; ++j) {
            int edge_out[2] = {-1, -1};
            for (int e = 0; e < 2; ++e) {
                const int from = c.take();
                const int op = c.take();
                edge_out[e] = lower_edge(g, node[from], op, p);
            }
            int value = edge_out[0] >= 0 && edge_out[1] >= 0 ? detail::lower_add(g, edge_out[0], edge_out[1], p)
                        : edge_out[0] >= 0                   ? edge_out[0]
                                                             : edge_out[1];
            if (value < 0) value = lower_node<zero<1>>(g, x, p, c);
            g.tensors[static_cast<std::size_t>(value)].kept = true;
            node[j] = value;
        }
        int sum = node[1];
        for (int j = 2; j <= Nodes; ++j) sum = detail::lower_add(g, sum, node[j], p);
        for (int j = 1; j <= Nodes; ++j) g.tensors[static_cast<std::size_t>(node[j])].kept = false;
        g.tensors[static_cast<std::size_t>(x)].kept = was_kept;
        return sum;
    }

private:
    /// Lowers op number `op` on tensor `in`; -1 for zero<1>.
    static constexpr int lower_edge(graph& g, int in, int op, precision p) {
        int out = -1;
        int i = 0;
        decision_cursor none;
        ((i++ == op ? (void)(out = std::is_same_v<Ops, zero<1>> ? -1 : lower_node<Ops>(g, in, p, none)) : (void)0), ...);
        return out;
    }
};

/// The deploy graph of `Net` for an input shape and a precision.
template <class Net>
[[nodiscard]] constexpr graph lower(shape input, precision p) {
    graph g;
    g.add_input(input, p);
    decision_cursor first_options;
    lower_node<Net>(g, 0, p, first_options);
    detail::settle_flash(g, p);
    return g;
}

/// The deploy graph of architecture `arch` of space `Space` (arch must be valid: space::validate).
template <class Space>
[[nodiscard]] constexpr graph lower(shape input, precision p, std::span<const int> arch) {
    graph g;
    g.add_input(input, p);
    decision_cursor c(arch.data(), arch.size());
    lower_node<Space>(g, 0, p, c);
    detail::settle_flash(g, p);
    return g;
}

} // namespace nascent::cost
