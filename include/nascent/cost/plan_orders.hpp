// nascent/cost/plan_orders.hpp - other execution orders of the same least peak, for the memory
// plan when no layout of the schedule's own order reaches its peak: a bounded depth-first walk
// over the valid orders whose peak stays within a limit.
//
//   cost::detail::orders_within(g, s.peak_bytes, 64, nodes, [&](const std::vector<int>& order) {
//       return /* true to stop */ false;
//   });
#pragma once

#include <cstddef>
#include <vector>

#include "nascent/cost/graph.hpp"
#include "nascent/cost/schedule.hpp"

namespace nascent::cost::detail {

/// Calls `visit(order)` for execution orders of `g` whose peak is at most `limit` (depth first, in
/// increasing op index), until it returns true, `count` orders were visited or `nodes` ran out.
/// Returns true when it visited every such order.
template <class Visit>
constexpr bool orders_within(const graph& g, std::size_t limit, std::size_t count, std::size_t& nodes, Visit&& visit) {
    const std::vector<int> made_by = producers(g);
    const std::size_t n = g.ops.size();
    std::vector<bool> done(n, false);
    std::vector<int> order;
    bool stop = false;
    bool cut_short = false;
    auto ready = [&](std::size_t k) {
        const op_node& o = g.ops[k];
        for (int i = 0; i < o.input_count(); ++i) {
            const int p = made_by[static_cast<std::size_t>(o.inputs[i])];
            if (p >= 0 && !done[static_cast<std::size_t>(p)]) return false;
        }
        return true;
    };
    auto search = [&](auto& self, const arena_state& a) -> void {
        if (order.size() == n) {
            stop = visit(order);
            if (!stop && --count == 0) stop = cut_short = true;
            return;
        }
        for (std::size_t k = 0; k < n && !stop; ++k) {
            if (done[k] || !ready(k) || a.during(static_cast<int>(k)) > limit) continue;
            if (nodes == 0) {
                stop = cut_short = true;
                return;
            }
            --nodes;
            arena_state next = a;
            next.run(static_cast<int>(k));
            done[k] = true;
            order.push_back(static_cast<int>(k));
            self(self, next);
            order.pop_back();
            done[k] = false;
        }
    };
    if (count == 0) return false;
    search(search, arena_state(g));
    return !cut_short;
}

} // namespace nascent::cost::detail
