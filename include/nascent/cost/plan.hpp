// nascent/cost/plan.hpp - where every tensor lives in the activation arena.
//
// plan(graph) takes the least-peak execution order (min_peak_schedule) and gives every tensor,
// and every op's kernel scratch, an offset in one arena (cost/plan_layout.hpp): a tensor lives
// from the step of the op that writes it to the step of its last reader, a scratch during its
// op's step; buffers alive at the same step never overlap; an op that runs in place
// (schedule.hpp's rules) writes its output over a dying input of its size. The arena is the
// schedule's peak whenever a layout of a least-peak order reaches it; its size is
// costs::peak_ram_bytes either way. The packers: greedy (cost/plan_greedy.hpp), then an exact
// search (cost/plan_exact.hpp), then other orders of the same peak (cost/plan_orders.hpp), all
// bounded by plan_options; the chart: cost/plan_chart.hpp. Rationale and measurements:
// docs/cost.md, "Memory plan". Everything is constexpr:
//     constexpr auto p = cost::plan_of<Net, shape{28, 28, 1}, cost::precision::int8>();
//     static_assert(p.arena_bytes == p.peak_bytes);
//     std::array<std::int8_t, p.arena_bytes> arena;   // p.tensors[t].offset: tensor t
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "nascent/core/shape.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/plan_chart.hpp"
#include "nascent/cost/plan_exact.hpp"
#include "nascent/cost/plan_greedy.hpp"
#include "nascent/cost/plan_layout.hpp"
#include "nascent/cost/plan_orders.hpp"
#include "nascent/cost/schedule.hpp"

namespace nascent::cost {

namespace detail {

/// Offsets for the buffers, in an arena of at least `peak` bytes; returns the arena size and
/// whether the exact search ran. `opposite`: for two_sided_place (empty: that placement is skipped).
constexpr std::pair<std::size_t, bool> pack(std::vector<plan_buffer>& buffers, int steps, std::size_t peak,
                                            std::size_t& search_nodes, const std::vector<int>& opposite = {}) {
    const std::size_t best = greedy_pack(buffers, peak, opposite);
    if (best <= peak) return {best, false};
    const std::vector<plan_buffer> best_buffers = buffers;
    exact_packer packer(buffers, steps, peak, search_nodes);
    if (packer.run()) return {peak, true};
    buffers = best_buffers;
    return {best, true};
}

/// The arena plan of `g` when its ops run in `order`; the searches spend `search_nodes`.
constexpr memory_plan plan_order(const graph& g, const std::vector<int>& order, std::size_t& search_nodes) {
    memory_plan p;
    p.order = order;
    p.peak_bytes = peak_of_order(g, order);
    const std::size_t tensor_count = g.tensors.size();
    const int last_step = p.steps() - 1;
    p.tensors.resize(tensor_count);
    p.scratch.resize(g.ops.size());
    // Lifetimes.
    std::vector<int> step_of(g.ops.size(), 0);
    for (std::size_t step = 0; step < order.size(); ++step) step_of[static_cast<std::size_t>(order[step])] = static_cast<int>(step);
    std::vector<bool> read(tensor_count, false);
    for (std::size_t t = 0; t < tensor_count; ++t) {
        p.tensors[t].bytes = g.tensors[t].bytes;
        p.tensors[t].first_step = 0;
        p.tensors[t].last_step = 0;
    }
    for (std::size_t k = 0; k < g.ops.size(); ++k) {
        const op_node& o = g.ops[k];
        const int step = step_of[k];
        p.tensors[static_cast<std::size_t>(o.output)].first_step = step;
        p.tensors[static_cast<std::size_t>(o.output)].last_step = std::max(p.tensors[static_cast<std::size_t>(o.output)].last_step, step);
        for (int i = 0; i < o.input_count(); ++i) {
            const auto t = static_cast<std::size_t>(o.inputs[i]);
            read[t] = true;
            p.tensors[t].last_step = std::max(p.tensors[t].last_step, step);
        }
    }
    // The network output, and anything no op reads, stays until the end (schedule.hpp releases
    // a tensor only after its last reader).
    for (std::size_t t = 0; t < tensor_count; ++t)
        if (!read[t] || static_cast<int>(t) == g.output) p.tensors[t].last_step = last_step;
    // In place: the output takes over the first input that dies at this op and has its size.
    std::vector<int> root(tensor_count);
    for (std::size_t t = 0; t < tensor_count; ++t) root[t] = static_cast<int>(t);
    for (std::size_t k = 0; k < g.ops.size(); ++k) {
        const op_node& o = g.ops[k];
        const int step = step_of[k];
        const auto out = static_cast<std::size_t>(o.output);
        std::size_t scratch = o.scratch_bytes;
        if (o.sharing != in_place::none) {
            for (int i = 0; i < o.input_count(); ++i) {
                const int t = o.inputs[i];
                const placement& in = p.tensors[static_cast<std::size_t>(t)];
                if (t != g.output && in.last_step == step && in.bytes == p.tensors[out].bytes) {
                    p.tensors[out].shares_with = t;
                    root[out] = root[static_cast<std::size_t>(t)];
                    if (o.sharing == in_place::channelwise) scratch = o.in_place_scratch;
                    break;
                }
            }
        }
        p.scratch[k] = placement{0, scratch, step, step, -1};
    }
    // Ops were added in a valid order, so a root always has a smaller index: resolve chains.
    for (std::size_t t = 0; t < tensor_count; ++t) root[t] = root[static_cast<std::size_t>(root[t])];
    // Buffers: one per root tensor (its chain's lifetime), one per nonzero scratch.
    std::vector<detail::plan_buffer> buffers;
    std::vector<int> buffer_of(tensor_count, -1);
    for (std::size_t t = 0; t < tensor_count; ++t) {
        const auto r = static_cast<std::size_t>(root[t]);
        if (buffer_of[r] < 0) {
            buffer_of[r] = static_cast<int>(buffers.size());
            buffers.push_back({p.tensors[r].bytes, p.tensors[r].first_step, p.tensors[r].last_step, 0});
        }
        detail::plan_buffer& b = buffers[static_cast<std::size_t>(buffer_of[r])];
        b.first = std::min(b.first, p.tensors[t].first_step);
        b.last = std::max(b.last, p.tensors[t].last_step);
    }
    std::vector<int> scratch_buffer(g.ops.size(), -1);
    for (std::size_t k = 0; k < g.ops.size(); ++k) {
        if (p.scratch[k].bytes == 0) continue;
        scratch_buffer[k] = static_cast<int>(buffers.size());
        buffers.push_back({p.scratch[k].bytes, p.scratch[k].first_step, p.scratch[k].last_step, 0});
    }
    // Zero-byte buffers take no room; keep them out of the packing.
    std::vector<detail::plan_buffer> sized;
    std::vector<int> sized_index(buffers.size(), -1);
    for (std::size_t i = 0; i < buffers.size(); ++i) {
        if (buffers[i].bytes == 0) continue;
        sized_index[i] = static_cast<int>(sized.size());
        sized.push_back(buffers[i]);
    }
    // Sides for two_sided_place: a tensor across from the first tensor its op reads.
    std::vector<int> opposite(sized.size(), -1);
    for (std::size_t k = 0; k < g.ops.size(); ++k) {
        const auto out = static_cast<std::size_t>(g.ops[k].output);
        const int own = sized_index[static_cast<std::size_t>(buffer_of[static_cast<std::size_t>(root[out])])];
        if (root[out] != static_cast<int>(out) || own < 0) continue;  // in place, or no room
        const auto in = static_cast<std::size_t>(g.ops[k].inputs[0]);
        opposite[static_cast<std::size_t>(own)] = sized_index[static_cast<std::size_t>(buffer_of[static_cast<std::size_t>(root[in])])];
    }
    const auto [arena, searched] = detail::pack(sized, p.steps(), p.peak_bytes, search_nodes, opposite);
    p.arena_bytes = arena;
    p.searched = searched;
    p.gave_up = p.arena_bytes > p.peak_bytes && search_nodes == 0;
    auto offset_of = [&](int buffer) {
        const int i = sized_index[static_cast<std::size_t>(buffer)];
        return i < 0 ? std::size_t{0} : sized[static_cast<std::size_t>(i)].offset;
    };
    for (std::size_t t = 0; t < tensor_count; ++t) p.tensors[t].offset = offset_of(buffer_of[static_cast<std::size_t>(root[t])]);
    for (std::size_t k = 0; k < g.ops.size(); ++k)
        if (scratch_buffer[k] >= 0) p.scratch[k].offset = offset_of(scratch_buffer[k]);
    return p;
}

} // namespace detail

/// The arena plan of `g` when its ops run in `s.order` (a valid execution order).
[[nodiscard]] constexpr memory_plan plan(const graph& g, const schedule& s, const plan_options& options = {}) {
    std::size_t nodes = options.search_nodes;
    return detail::plan_order(g, s.order, nodes);
}

namespace detail {

/// The arena plan of `g` under its least-peak schedule `s` (min_peak_schedule(g)): when no packing
/// of that order reaches the peak, other orders of the same peak are tried (up to options.orders);
/// the best plan is returned.
[[nodiscard]] constexpr memory_plan plan_schedule(const graph& g, const schedule& s, const plan_options& options) {
    std::size_t nodes = options.search_nodes;
    memory_plan best = plan_order(g, s.order, nodes);
    if (best.at_peak()) return best;
    std::size_t tried = 1;
    bool gave_up = best.gave_up;
    std::size_t order_nodes = options.search_nodes;
    const bool all_orders = orders_within(g, s.peak_bytes, options.orders, order_nodes, [&](const std::vector<int>& order) {
        if (order == s.order) return false;
        ++tried;
        std::size_t packing_nodes = options.search_nodes;
        memory_plan p = plan_order(g, order, packing_nodes);
        gave_up = gave_up || p.gave_up;
        if (p.arena_bytes < best.arena_bytes) best = std::move(p);
        return best.at_peak();
    });
    best.orders_tried = tried;
    best.searched = true;
    best.gave_up = !best.at_peak() && (gave_up || !all_orders);
    return best;
}

} // namespace detail

/// The arena plan of `g` under its least-peak schedule. When no packing of that order reaches the
/// peak, other orders of the same peak are tried (up to options.orders); the best plan is returned.
/// Its arena_bytes is costs::peak_ram_bytes.
[[nodiscard]] constexpr memory_plan plan(const graph& g, const plan_options& options = {}) {
    return detail::plan_schedule(g, min_peak_schedule(g), options);
}

/// The memory plan of network `Net` on inputs of shape `Input` at precision `P`, usable as a
/// constexpr variable.
template <class Net, shape Input, precision P>
[[nodiscard]] constexpr auto plan_of() {
    constexpr std::size_t tensors = lower<Net>(Input, P).tensors.size();
    constexpr std::size_t ops = lower<Net>(Input, P).ops.size();
    return fixed<tensors, ops>(plan(lower<Net>(Input, P)));
}

} // namespace nascent::cost
