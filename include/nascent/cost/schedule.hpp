// nascent/cost/schedule.hpp - peak activation memory, and the execution order that minimises it.
//
// Memory model (what the deploy network's arena holds while op k runs):
//   every tensor already produced that some op not yet run still reads
//   (the network input included; the network output is never released),
//   + the output of op k, + the scratch of op k's kernel.
// A tensor is released as soon as its last reader has run. Two ops may reuse a
// dying input instead of allocating their output:
//   - element-wise ops (in_place::overwrite: add, standalone activation or batch
//     norm): the output takes over an input of the same size that this op reads last;
//   - depthwise stride 1 (in_place::channelwise): the output takes over the input,
//     channel by channel, with one output channel plane of scratch.
//
// With branches, the order matters (μNAS): min_peak_schedule() finds the order of
// least peak exactly. The graph is cut into segments at tensors that every later
// op depends on through a single tensor (a chain has one op per segment). Within a
// segment, a forward dynamic program runs over the sets of ops already run that an
// execution order can reach (the downsets of the segment's dependencies), one layer
// per number of ops run. The arena after a set of ops depends only on the set, not
// on the order that ran it, so keeping for each set the least peak of any order
// reaching it gives the exact minimum. A segment whose natural order stays within the
// peak of the segments before it keeps that order (no order can lower the overall
// peak). Segments of more than `max_exact_ops` ops, or with more than
// `max_schedule_states` sets of ops to visit, fall back to the natural order
// (flagged in the result).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nascent/cost/graph.hpp"

namespace nascent::cost {

/// The most ops a segment may have for the exact search (one bit per op in a 64-bit set).
inline constexpr std::size_t max_exact_ops = 64;
/// The most sets of ops the exact search of one segment may visit (summed over its layers, and
/// reached by the moves out of any one layer); beyond, the segment runs in its natural order.
inline constexpr std::size_t max_schedule_states = std::size_t{1} << 17;

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
        for (const op_node& o : g.ops)
            for (int i = 0; i < o.input_count(); ++i) ++remaining_[static_cast<std::size_t>(o.inputs[i])];
        ++remaining_[static_cast<std::size_t>(g.output)];  // the caller reads the network output
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
    /// Reads of tensor t still to come (the network output's caller counts one).
    [[nodiscard]] constexpr int remaining(int t) const noexcept { return remaining_[static_cast<std::size_t>(t)]; }

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

/// A tensor that ops of a segment read, as the segment's dynamic program sees it.
struct segment_tensor {
    std::size_t bytes = 0;
    std::uint64_t readers = 0;  ///< bit k: segment op k reads it
    bool read_later = false;    ///< read after the segment too (or the network output): never released in it
};

/// An op of a segment: what running it costs, given the set of ops already run.
struct segment_op {
    std::uint64_t needs = 0;         ///< segment ops whose outputs it reads
    int inputs[2] = {-1, -1};        ///< its distinct inputs, as indices into the segment's tensors
    std::size_t out_bytes = 0;       ///< its output, which becomes live
    std::size_t scratch = 0;         ///< its kernel's scratch
    bool may_share = false;          ///< in_place::overwrite or channelwise
    std::size_t shared_scratch = 0;  ///< the scratch instead, when it runs in place
};

/// A state of the dynamic program: a set of segment ops that an order can run first, with the
/// least peak of the orders that do and the last step of one such order.
struct segment_state {
    std::uint64_t done = 0;    ///< bit k: segment op k has run
    std::size_t live = 0;      ///< arena bytes held once they have run
    std::size_t peak = 0;      ///< least peak of an order running exactly them
    std::uint32_t parent = 0;  ///< the state before the last op (an index into all states)
    std::uint32_t op = 0;      ///< the segment op run last
};

/// The segment [first, last] of `g` as tables for the dynamic program, given the arena state
/// before it (`made_by`: producers(g)).
class segment {
public:
    constexpr segment(const graph& g, const std::vector<int>& made_by, const arena_state& start, std::size_t first,
                      std::size_t last)
        : ops_(last - first + 1) {
        std::vector<int> local(g.tensors.size(), -1);  // tensor index -> index into tensors_
        for (std::size_t k = 0; k < ops_.size(); ++k) {
            const op_node& o = g.ops[first + k];
            segment_op& s = ops_[k];
            s.out_bytes = g.tensors[static_cast<std::size_t>(o.output)].bytes;
            s.scratch = o.scratch_bytes;
            s.may_share = o.sharing != in_place::none;
            s.shared_scratch = o.sharing == in_place::channelwise ? o.in_place_scratch : o.scratch_bytes;
            for (int i = 0; i < o.input_count(); ++i) {
                const int t = o.inputs[i];
                const int p = made_by[static_cast<std::size_t>(t)];
                if (p >= static_cast<int>(first)) s.needs |= std::uint64_t{1} << static_cast<unsigned>(p - static_cast<int>(first));
                if (i == 1 && t == o.inputs[0]) continue;  // add(x, x): one tensor
                int& j = local[static_cast<std::size_t>(t)];
                if (j < 0) {
                    j = static_cast<int>(tensors_.size());
                    tensors_.push_back({g.tensors[static_cast<std::size_t>(t)].bytes, 0, false});
                }
                tensors_[static_cast<std::size_t>(j)].readers |= std::uint64_t{1} << k;
                s.inputs[i] = j;
            }
        }
        // Reads of each tensor within the segment, against all reads still to come.
        std::vector<int> reads(tensors_.size(), 0);
        for (std::size_t k = 0; k < ops_.size(); ++k) {
            const op_node& o = g.ops[first + k];
            for (int i = 0; i < o.input_count(); ++i) ++reads[static_cast<std::size_t>(local[static_cast<std::size_t>(o.inputs[i])])];
        }
        for (std::size_t t = 0; t < g.tensors.size(); ++t)
            if (local[t] >= 0) {
                const auto j = static_cast<std::size_t>(local[t]);
                tensors_[j].read_later = start.remaining(static_cast<int>(t)) > reads[j];
            }
    }

    [[nodiscard]] constexpr std::size_t size() const noexcept { return ops_.size(); }
    [[nodiscard]] constexpr std::uint64_t needs(std::size_t k) const noexcept { return ops_[k].needs; }

    /// Arena use while op k runs after the ops of `done` (mirrors arena_state::during).
    [[nodiscard]] constexpr std::size_t during(std::size_t k, std::uint64_t done, std::size_t live) const noexcept {
        const segment_op& o = ops_[k];
        if (o.may_share) {
            const std::uint64_t bit = std::uint64_t{1} << k;
            for (const int j : o.inputs) {
                if (j < 0) continue;
                const segment_tensor& t = tensors_[static_cast<std::size_t>(j)];
                // in place over an input whose every remaining read is by this op
                if (!t.read_later && (t.readers & ~done) == bit && t.bytes == o.out_bytes) return live + o.shared_scratch;
            }
        }
        return live + o.out_bytes + o.scratch;
    }

    /// Arena held once op k has run after the ops of `done` (mirrors arena_state::run).
    [[nodiscard]] constexpr std::size_t after(std::size_t k, std::uint64_t done, std::size_t live) const noexcept {
        const segment_op& o = ops_[k];
        const std::uint64_t now_done = done | (std::uint64_t{1} << k);
        live += o.out_bytes;
        for (const int j : o.inputs) {
            if (j < 0) continue;
            const segment_tensor& t = tensors_[static_cast<std::size_t>(j)];
            if (!t.read_later && (t.readers & ~now_done) == 0) live -= t.bytes;
        }
        return live;
    }

private:
    std::vector<segment_op> ops_;
    std::vector<segment_tensor> tensors_;
};

/// Least-peak order of ops [first, last] (at most max_exact_ops) given the arena state before
/// them: appends it to `order` and returns true, or returns false (leaving `order` alone) when the
/// search would visit more than max_schedule_states sets.
constexpr bool best_segment(const graph& g, const std::vector<int>& made_by, const arena_state& start, std::size_t first,
                            std::size_t last, std::vector<int>& order) {
    const segment seg(g, made_by, start, first, last);
    const std::size_t n = seg.size();
    const std::uint64_t all = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
    // `states` holds the layers one after another: layer m, the sets of m ops an order can run
    // first, each once; layer_begin is where the newest layer starts.
    std::vector<segment_state> states{{0, start.live(), 0, 0, 0}};
    std::vector<segment_state> next;   // the states one op further, before merging equal sets
    std::vector<std::uint32_t> slots;  // a hash table of the new layer's sets: 0 empty, else index + 1
    std::size_t layer_begin = 0;
    for (std::size_t m = 0; m < n; ++m) {
        const std::size_t layer_end = states.size();
        next.clear();
        for (std::size_t i = layer_begin; i < layer_end; ++i) {
            const segment_state s = states[i];
            for (std::uint64_t open = all & ~s.done; open != 0; open &= open - 1) {
                const auto k = static_cast<std::size_t>(std::countr_zero(open));
                if ((seg.needs(k) & ~s.done) != 0) continue;  // an input is not made yet
                if (next.size() == max_schedule_states) return false;
                next.push_back({s.done | (std::uint64_t{1} << k), seg.after(k, s.done, s.live),
                                std::max(s.peak, seg.during(k, s.done, s.live)), static_cast<std::uint32_t>(i),
                                static_cast<std::uint32_t>(k)});
            }
        }
        // Keep one state per set: the least peak (ties: the first generated).
        const int bits = std::bit_width(2 * next.size() - 1);
        slots.assign(std::size_t{1} << bits, 0);
        for (const segment_state& c : next) {
            auto h = static_cast<std::size_t>((c.done * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
            while (slots[h] != 0 && states[slots[h] - 1].done != c.done) h = (h + 1) & (slots.size() - 1);
            if (slots[h] == 0) {
                states.push_back(c);
                slots[h] = static_cast<std::uint32_t>(states.size());
            } else if (c.peak < states[slots[h] - 1].peak) {
                states[slots[h] - 1] = c;
            }
        }
        if (states.size() > max_schedule_states) return false;
        layer_begin = layer_end;
    }
    // The last layer holds the whole segment; follow the parents back to the empty set.
    const std::size_t begin = order.size();
    for (std::size_t i = states.size() - 1; i != 0; i = states[i].parent) order.push_back(static_cast<int>(first + states[i].op));
    std::reverse(order.begin() + static_cast<std::ptrdiff_t>(begin), order.end());
    return true;
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

/// True when every op reads just the output of the op before it (the first: the network input):
/// the natural order is the only order.
[[nodiscard]] constexpr bool is_chain(const graph& g) noexcept {
    for (std::size_t k = 0; k < g.ops.size(); ++k)
        if (g.ops[k].input_count() != 1 || g.ops[k].inputs[0] != (k == 0 ? 0 : g.ops[k - 1].output)) return false;
    return true;
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
        if (cut > first) {
            // The arena after a segment does not depend on its order, so a segment whose natural
            // order stays within the peak reached before it cannot lower the overall peak.
            detail::arena_state natural = a;
            std::size_t peak = 0;
            for (std::size_t k = first; k <= cut; ++k) {
                peak = std::max(peak, natural.during(static_cast<int>(k)));
                natural.run(static_cast<int>(k));
            }
            if (peak > result.peak_bytes &&
                (cut - first + 1 > max_exact_ops || !detail::best_segment(g, made_by, a, first, cut, result.order)))
                result.exact = false;
        }
        if (result.order.size() == begin)
            for (std::size_t k = first; k <= cut; ++k) result.order.push_back(static_cast<int>(k));
        for (std::size_t i = begin; i < result.order.size(); ++i) {
            result.peak_bytes = std::max(result.peak_bytes, a.during(result.order[i]));
            a.run(result.order[i]);
        }
        first = cut + 1;
    }
    return result;
}

} // namespace nascent::cost
