// nascent/cost/schedule.hpp - peak activation memory, and the execution order that minimises it.
//
// Memory model (what the deploy network's arena holds while op k runs):
//   every tensor already produced that some op not yet run still reads
//   (the network input included; the network output is never released),
//   + the output of op k, + the scratch of op k's kernel.
// A tensor is released as soon as its last reader has run. Two ops may reuse a
// dying input instead of allocating their output:
//   - add (in_place::accumulate): the output takes over an input of the same size
//     that this add reads last;
//   - depthwise stride 1 (in_place::channelwise): the output takes over the input,
//     channel by channel, with one output channel plane of scratch.
//
// With branches, the order matters (μNAS): min_peak_schedule() finds the order of
// least peak exactly. The graph is cut into segments at tensors that every later
// op depends on through a single tensor (a chain has one op per segment); within
// a segment, dynamic programming over the sets of ops already run gives the
// exact minimum. Segments of more than `max_exact_ops` ops fall back to the
// natural order (flagged in the result).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "nascent/cost/graph.hpp"

namespace nascent::cost {

inline constexpr std::size_t max_exact_ops = 20;

struct schedule {
    std::vector<int> order;     ///< op indices in execution order
    std::size_t peak_bytes = 0; ///< the largest arena use at any step
    bool exact = true;          ///< false when a segment was too large to search
};

namespace detail {

/// Arena bookkeeping while ops run in some order.
class arena_state {
public:
    constexpr explicit arena_state(const graph& g) : g_(&g), remaining_(g.tensors.size(), 0) {
        for (std::size_t t = 0; t < g.tensors.size(); ++t) remaining_[t] = g.readers(static_cast<int>(t));
        live_ = g.tensors[0].bytes;
    }

    /// Arena use while `op` runs, before anything is released.
    [[nodiscard]] constexpr std::size_t during(int op) const noexcept {
        const op_node& o = g_->ops[static_cast<std::size_t>(op)];
        const std::size_t out = g_->tensors[static_cast<std::size_t>(o.output)].bytes;
        if (o.sharing != in_place::none) {
            for (int i = 0; i < o.input_count(); ++i) {
                const int t = o.inputs[i];
                if (dies_at(o, t) && g_->tensors[static_cast<std::size_t>(t)].bytes == out)
                    return live_ + (o.sharing == in_place::channelwise ? o.in_place_scratch : o.scratch_bytes);
            }
        }
        return live_ + out + o.scratch_bytes;
    }

    /// Runs `op`: its output becomes live, inputs read for the last time are released.
    constexpr void run(int op) noexcept {
        const op_node& o = g_->ops[static_cast<std::size_t>(op)];
        live_ += g_->tensors[static_cast<std::size_t>(o.output)].bytes;
        for (int i = 0; i < o.input_count(); ++i) {
            const auto t = static_cast<std::size_t>(o.inputs[i]);
            if (--remaining_[t] == 0) live_ -= g_->tensors[t].bytes;
        }
    }

    [[nodiscard]] constexpr std::size_t live() const noexcept { return live_; }

private:
    /// True when every remaining read of tensor t is by `o` (add(x, x) reads x twice).
    [[nodiscard]] constexpr bool dies_at(const op_node& o, int t) const noexcept {
        int reads = 0;
        for (int i = 0; i < o.input_count(); ++i) reads += o.inputs[i] == t ? 1 : 0;
        return remaining_[static_cast<std::size_t>(t)] == reads;
    }

    const graph* g_;
    std::vector<int> remaining_;
    std::size_t live_ = 0;
};

/// Index of the op producing each tensor (-1 for the input).
constexpr std::vector<int> producers(const graph& g) {
    std::vector<int> p(g.tensors.size(), -1);
    for (std::size_t k = 0; k < g.ops.size(); ++k) p[static_cast<std::size_t>(g.ops[k].output)] = static_cast<int>(k);
    return p;
}

/// Positions p after which the only tensor produced so far that a later op reads is ops[p]'s
/// output: every op up to p must run before any op after p. The last op is always a cut.
constexpr std::vector<std::size_t> cut_points(const graph& g) {
    const std::size_t n = g.ops.size();
    // last_reader[t]: the largest op index reading tensor t
    std::vector<int> last_reader(g.tensors.size(), -1);
    for (std::size_t k = 0; k < n; ++k)
        for (int i = 0; i < g.ops[k].input_count(); ++i)
            last_reader[static_cast<std::size_t>(g.ops[k].inputs[i])] = static_cast<int>(k);
    std::vector<std::size_t> cuts;
    int reach = last_reader[0];  // furthest read of any tensor produced so far, except the newest
    for (std::size_t p = 0; p < n; ++p) {
        if (reach <= static_cast<int>(p)) cuts.push_back(p);
        reach = std::max(reach, last_reader[static_cast<std::size_t>(g.ops[p].output)]);
    }
    if (cuts.empty() || cuts.back() != n - 1) cuts.push_back(n - 1);
    return cuts;
}

/// Exact least-peak order of ops [first, last] given the arena state before them (`made_by`:
/// producers(g)): dynamic
/// programming over the subsets already run. Returns the peak and appends the order.
constexpr std::size_t best_segment(const graph& g, const std::vector<int>& made_by, const arena_state& start,
                                   std::size_t first, std::size_t last, std::vector<int>& order) {
    const std::size_t n = last - first + 1;
    // needs[k]: the segment-local ops whose outputs op k reads
    std::vector<std::uint32_t> needs(n, 0);
    for (std::size_t k = 0; k < n; ++k) {
        const op_node& o = g.ops[first + k];
        for (int i = 0; i < o.input_count(); ++i) {
            const int p = made_by[static_cast<std::size_t>(o.inputs[i])];
            if (p >= static_cast<int>(first)) needs[k] |= std::uint32_t{1} << static_cast<unsigned>(p - static_cast<int>(first));
        }
    }
    const std::uint32_t full = n == 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << n) - 1;
    constexpr std::size_t unknown = std::numeric_limits<std::size_t>::max();
    // best[s]: least peak of running the rest once the ops in s have run; choice[s]: the op to run next
    std::vector<std::size_t> best(static_cast<std::size_t>(full) + 1, unknown);
    std::vector<std::int8_t> choice(static_cast<std::size_t>(full) + 1, -1);
    best[full] = 0;
    auto state_after = [&](std::uint32_t s) {
        // The arena after running the ops of s in increasing index order (the live set
        // does not depend on the order, only on the set).
        arena_state a = start;
        for (std::size_t k = 0; k < n; ++k)
            if (s & (std::uint32_t{1} << k)) a.run(static_cast<int>(first + k));
        return a;
    };
    // Visit the subsets from the largest down, so best[] of every superset is known.
    for (std::uint32_t s = full; s-- > 0;) {
        bool closed = true;  // only subsets reachable by running ops after their inputs
        for (std::size_t k = 0; k < n && closed; ++k)
            if ((s & (std::uint32_t{1} << k)) && (needs[k] & ~s)) closed = false;
        if (!closed) continue;
        const arena_state a = state_after(s);
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint32_t bit = std::uint32_t{1} << k;
            if ((s & bit) || (needs[k] & ~s)) continue;
            const std::size_t rest = best[s | bit];
            if (rest == unknown) continue;
            const std::size_t peak = std::max(a.during(static_cast<int>(first + k)), rest);
            if (peak < best[s]) {
                best[s] = peak;
                choice[s] = static_cast<std::int8_t>(k);
            }
        }
    }
    for (std::uint32_t s = 0; s != full;) {
        const auto k = static_cast<std::uint32_t>(choice[s]);
        order.push_back(static_cast<int>(first + k));
        s |= std::uint32_t{1} << k;
    }
    return best[0];
}

} // namespace detail

/// Peak arena use when the ops run in `order` (which must be a valid execution order).
[[nodiscard]] constexpr std::size_t peak_of_order(const graph& g, const std::vector<int>& order) {
    detail::arena_state a(g);
    std::size_t peak = a.live();
    for (const int op : order) {
        peak = std::max(peak, a.during(op));
        a.run(op);
    }
    return peak;
}

/// The natural order: ops as they were added.
[[nodiscard]] constexpr std::vector<int> natural_order(const graph& g) {
    std::vector<int> order(g.ops.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>(k);
    return order;
}

/// The execution order of least peak arena use, and that peak.
[[nodiscard]] constexpr schedule min_peak_schedule(const graph& g) {
    schedule result;
    detail::arena_state a(g);
    result.peak_bytes = a.live();
    if (g.ops.empty()) return result;
    const std::vector<int> made_by = detail::producers(g);
    std::size_t first = 0;
    for (const std::size_t cut : detail::cut_points(g)) {
        const std::size_t begin = result.order.size();
        if (cut - first + 1 <= max_exact_ops) {
            result.peak_bytes = std::max(result.peak_bytes, detail::best_segment(g, made_by, a, first, cut, result.order));
        } else {
            result.exact = false;
            for (std::size_t k = first; k <= cut; ++k) result.order.push_back(static_cast<int>(k));
        }
        for (std::size_t i = begin; i < result.order.size(); ++i) {
            result.peak_bytes = std::max(result.peak_bytes, a.during(result.order[i]));
            a.run(result.order[i]);
        }
        first = cut + 1;
    }
    return result;
}

} // namespace nascent::cost
