// nascent/deploy/compile.hpp - from a lowered graph and its memory plan to a program.
//
// compile<Steps>(graph, plan) turns every op of the cost model's graph into a step,
// in the plan's execution order, with the plan's arena offsets. Weights and
// parameters are numbered in the graph's op order (the order of the space type,
// which is also the order in which a trained model's layers are extracted:
// nn/extract.hpp). Everything is constexpr, so the program of a fixed network
// is a compile-time constant (deploy/fixed.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/cost/plan.hpp"
#include "nascent/runtime/program.hpp"
#include "nascent/deploy/runtime_program.hpp"

namespace nascent::deploy {

namespace detail {

constexpr operand operand_of(const cost::memory_plan& plan, int tensor, shape extent, int channel_offset, int pixel_stride,
                             precision p) {
    operand o;
    o.offset = static_cast<std::uint32_t>(plan.tensors[static_cast<std::size_t>(tensor)].offset +
                                          static_cast<std::size_t>(channel_offset) * element_bytes(p));
    o.extent = extent;
    o.pixel_stride = pixel_stride > 0 ? pixel_stride : extent.c;
    return o;
}

} // namespace detail

/// The program of graph `g` run by `plan` (a plan of g); Steps must equal g.ops.size(), or be
/// dynamic_steps for a program sized at run time (deploy/runtime_program.hpp).
template <std::size_t Steps>
[[nodiscard]] constexpr program<Steps> compile(const cost::graph& g, const cost::memory_plan& plan, precision p) {
    const std::size_t count = g.ops.size();
    if constexpr (Steps != dynamic_steps) {
        if (count != Steps) throw std::invalid_argument("deploy::compile: Steps differs from the graph's op count");
    }
    if (plan.order.size() != count) throw std::invalid_argument("deploy::compile: the plan is not one of the graph");
    program<Steps> prog;
    if constexpr (Steps == dynamic_steps) prog.steps.resize(count);
    prog.element = p;
    prog.arena_bytes = static_cast<std::uint32_t>(plan.arena_bytes);
    prog.input = detail::operand_of(plan, 0, g.tensors[0].extent, 0, 0, p);
    prog.output = detail::operand_of(plan, g.output, g.tensors[static_cast<std::size_t>(g.output)].extent, 0, 0, p);
    // Parameters in graph order.
    std::vector<std::uint32_t> weights_at(count, 0);
    std::vector<std::uint32_t> params_at(count, 0);
    std::uint32_t weights = 0;
    std::uint32_t params = 0;
    for (std::size_t k = 0; k < count; ++k) {
        const cost::op_node& o = g.ops[k];
        weights_at[k] = weights;
        params_at[k] = params;
        weights += static_cast<std::uint32_t>(cost::weight_count(o));
        params += param_layout::count(o.type, p, o.output_extent.c);
    }
    prog.weight_count = weights;
    prog.param_count = params;
    // Steps in execution order.
    for (std::size_t s = 0; s < count; ++s) {
        const auto k = static_cast<std::size_t>(plan.order[s]);
        const cost::op_node& o = g.ops[k];
        step& st = prog.steps[s];
        st.type = o.type;
        st.activation = o.activation;
        st.window = o.window;
        for (int i = 0; i < o.input_count(); ++i)
            st.in[i] = detail::operand_of(plan, o.inputs[i], o.input_extent[i], o.channel_offset[i], o.pixel_stride[i], p);
        st.out = detail::operand_of(plan, o.output, o.output_extent, 0, 0, p);
        st.in_place = plan.tensors[static_cast<std::size_t>(o.output)].shares_with >= 0;
        st.scratch_offset = static_cast<std::uint32_t>(plan.scratch[k].offset);
        st.scratch_bytes = static_cast<std::uint32_t>(plan.scratch[k].bytes);
        st.weights = weights_at[k];
        st.weight_count = static_cast<std::uint32_t>(cost::weight_count(o));
        st.params = params_at[k];
        st.param_count = param_layout::count(o.type, p, o.output_extent.c);
        if (o.type == op_type::batch_norm) {
            // A per-channel scale and shift is a 1x1 depthwise convolution.
            st.type = op_type::conv;
            st.window = op_window{1, 1, 1, 1, o.output_extent.c, 0, 0};
        }
    }
    return prog;
}

/// The program of architecture `Arch` of `Space` on inputs of shape `Input` at precision `P`.
template <class Space, shape Input, precision P, auto Arch>
[[nodiscard]] constexpr auto compile_architecture() {
    // Local copies of Arch: GCC with -fsanitize=address does not evaluate the address of a
    // template parameter object in a constant expression.
    constexpr std::size_t steps = [] {
        const auto arch = Arch;
        return cost::lower<Space>(Input, P, std::span<const int>(arch)).ops.size();
    }();
    const auto arch = Arch;
    const cost::graph g = cost::lower<Space>(Input, P, std::span<const int>(arch));
    return compile<steps>(g, cost::plan(g), P);
}

} // namespace nascent::deploy
