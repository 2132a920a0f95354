// nascent/cost/plan.hpp - where every tensor lives in the activation arena.
//
// plan(graph) takes the least-peak execution order (min_peak_schedule) and gives
// every tensor, and every op's kernel scratch, an offset in one arena:
// - a tensor lives from the step of the op that writes it (step 0 for the network
//   input) to the step of its last reader (the last step for the network output);
//   a kernel's scratch lives during its op's step only;
// - buffers alive at the same step never overlap;
// - an op that runs in place (schedule.hpp's rules: in_place::overwrite and
//   in_place::channelwise, with a dying input of the output's size) writes its
//   output at that input's offset, so the two form one buffer;
// - the arena is as large as the schedule's peak - the least possible, since at the
//   peak step every byte is in use - whenever a layout of a least-peak order reaches
//   it; its size is costs::peak_ram_bytes either way.
//
// Packing buffers of fixed lifetimes into the least memory is NP-hard in general
// (dynamic storage allocation), and the peak is only a lower bound. The planner
// first tries greedy first-fit placements in several orders (largest first, as
// TF Lite Micro's greedy planner, then longest-lived, earliest and largest area
// first), then a two-sided one: by first step, each tensor at the top of the
// arena when the tensor its op reads went to the bottom, and the other way round
// (a chain, is_chain, always fits its peak so: each scratch between its op's
// input and output). When none reaches the peak it runs an exact search, which
// places buffers in increasing order of offset, each directly on top of a buffer
// it meets in time (every packing can be pushed down into that form), and prunes
// with the free capacity of every step and a memory of states that failed. If no
// layout of the schedule's order fits the peak, other orders of the same peak are
// packed. The searches are bounded (`plan_options`); when the peak stays out of
// reach the best placement found is kept, `at_peak()` is false and `gave_up` says
// whether a bound cut the search short (otherwise the peak is proven unreachable
// for every order of least peak).
//
// Everything is constexpr. memory_plan holds vectors, so it can be computed
// inside a constant expression but not stored in a constexpr variable;
// plan_of<Net, Input, Precision>() returns a fixed_memory_plan of std::arrays
// sized for that network, which can:
//     constexpr auto p = cost::plan_of<Net, shape{28, 28, 1}, cost::precision::int8>();
//     static_assert(p.arena_bytes == p.peak_bytes);
//     std::array<std::int8_t, p.arena_bytes> arena;   // p.tensors[t].offset: tensor t
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/schedule.hpp"

namespace nascent::cost {

/// One buffer of the arena: a tensor, or the scratch of an op's kernel.
struct placement {
    std::size_t offset = 0;
    std::size_t bytes = 0;
    int first_step = 0;    ///< schedule step of the op that writes it (0 for the network input)
    int last_step = 0;     ///< schedule step of its last reader (the last step for the network output)
    int shares_with = -1;  ///< an in-place output: the tensor whose buffer it takes over; otherwise -1

    [[nodiscard]] constexpr bool live_at(int step) const noexcept { return bytes > 0 && first_step <= step && step <= last_step; }
    [[nodiscard]] constexpr std::size_t end() const noexcept { return offset + bytes; }
    friend constexpr bool operator==(const placement&, const placement&) = default;
};

/// How hard plan() may search when no greedy placement reaches the peak.
struct plan_options {
    std::size_t search_nodes = 1000000;  ///< partial placements the exact search may visit (per order), and
                                         ///< partial orders the search for other orders may visit
    std::size_t orders = 64;             ///< other least-peak execution orders plan(graph) may try
};

struct memory_plan {
    std::vector<int> order;          ///< op indices in execution order: step s runs ops[order[s]]
    std::vector<placement> tensors;  ///< per tensor index
    std::vector<placement> scratch;  ///< per op index: its kernel's scratch (bytes 0 when it needs none)
    std::size_t arena_bytes = 0;     ///< the arena this plan needs: the largest offset + bytes
    std::size_t peak_bytes = 0;      ///< the schedule's peak, the least arena any plan of this order can have
    bool searched = false;           ///< the greedy placements missed the peak and the exact search ran
    bool gave_up = false;            ///< above the peak because a search ran out of nodes or orders, so a
                                     ///< better plan may exist; false above the peak: no layout of any
                                     ///< order of least peak reaches it
    std::size_t orders_tried = 1;    ///< execution orders packed (more than one when the first missed the peak)

    [[nodiscard]] constexpr bool at_peak() const noexcept { return arena_bytes == peak_bytes; }
    /// Number of schedule steps (at least 1: a graph without ops still holds its input).
    [[nodiscard]] constexpr int steps() const noexcept { return order.empty() ? 1 : static_cast<int>(order.size()); }
};

namespace detail {

/// A buffer to pack: one tensor (or a chain of tensors sharing memory in place), or a scratch.
struct plan_buffer {
    std::size_t bytes = 0;
    int first = 0;
    int last = 0;
    std::size_t offset = 0;
};

[[nodiscard]] constexpr bool meet(const plan_buffer& a, const plan_buffer& b) noexcept {
    return a.first <= b.last && b.first <= a.last;
}

/// Lowest offset at which `b` fits among the already placed buffers it meets in time.
constexpr std::size_t first_fit(const std::vector<plan_buffer>& buffers, const std::vector<int>& placed, const plan_buffer& b) {
    std::vector<std::pair<std::size_t, std::size_t>> taken;  // [offset, end) of buffers meeting b
    for (const int i : placed) {
        const plan_buffer& p = buffers[static_cast<std::size_t>(i)];
        if (meet(p, b)) taken.emplace_back(p.offset, p.offset + p.bytes);
    }
    std::sort(taken.begin(), taken.end());
    std::size_t offset = 0;
    for (const auto& [begin, end] : taken) {
        if (begin >= offset + b.bytes) break;  // the gap below this buffer is large enough
        offset = std::max(offset, end);
    }
    return offset;
}

/// Places the buffers in `order` by first fit; returns the arena size.
constexpr std::size_t greedy_place(std::vector<plan_buffer>& buffers, const std::vector<int>& order) {
    std::vector<int> placed;  // by increasing offset, so first fit is one pass (as first_fit)
    placed.reserve(order.size());
    std::size_t arena = 0;
    for (const int i : order) {
        plan_buffer& b = buffers[static_cast<std::size_t>(i)];
        std::size_t offset = 0;
        auto at = placed.begin();
        for (; at != placed.end(); ++at) {
            const plan_buffer& p = buffers[static_cast<std::size_t>(*at)];
            if (!meet(p, b)) continue;
            if (p.offset >= offset + b.bytes) break;  // the gap below this buffer is large enough
            offset = std::max(offset, p.offset + p.bytes);
        }
        b.offset = offset;
        arena = std::max(arena, offset + b.bytes);
        // Keep `placed` sorted: b goes before the first buffer above its offset.
        at = std::find_if(placed.begin(), placed.end(), [&](int j) { return buffers[static_cast<std::size_t>(j)].offset > offset; });
        placed.insert(at, i);
    }
    return arena;
}

/// Highest offset, at most `limit - b.bytes`, at which `b` fits among the placed buffers it meets
/// in time; `limit` itself when there is none.
constexpr std::size_t top_fit(const std::vector<plan_buffer>& buffers, const std::vector<int>& placed, const plan_buffer& b,
                              std::size_t limit) {
    if (b.bytes > limit) return limit;
    std::vector<std::pair<std::size_t, std::size_t>> taken;  // [offset, end) of buffers meeting b
    for (const int i : placed) {
        const plan_buffer& p = buffers[static_cast<std::size_t>(i)];
        if (meet(p, b)) taken.emplace_back(p.offset, p.offset + p.bytes);
    }
    auto is_free = [&](std::size_t offset) {
        for (const auto& [begin, end] : taken)
            if (offset < end && begin < offset + b.bytes) return false;
        return true;
    };
    // The highest fit is at the top, or directly below a taken range.
    std::size_t best = is_free(limit - b.bytes) ? limit - b.bytes : limit;
    for (const auto& [begin, end] : taken) {
        if (begin < b.bytes || begin > limit) continue;
        const std::size_t offset = begin - b.bytes;
        if ((best == limit || offset > best) && is_free(offset)) best = offset;
    }
    return best;
}

/// Places the buffers, by first step, each at the bottom or at the top of an arena of `limit`
/// bytes: at the top when `opposite[i]` (the buffer of the tensor its op reads first, or -1) went
/// to the bottom, at the bottom otherwise, or on the other side when that side is full. A chain
/// then fills its peak exactly: each tensor is opposite the one before it, and each scratch fits
/// between them. Returns the arena size (above `limit` when a buffer fits on neither side).
constexpr std::size_t two_sided_place(std::vector<plan_buffer>& buffers, const std::vector<int>& opposite, std::size_t limit) {
    const std::size_t n = buffers.size();
    std::vector<int> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const plan_buffer& x = buffers[static_cast<std::size_t>(a)];
        const plan_buffer& y = buffers[static_cast<std::size_t>(b)];
        if (x.first != y.first) return x.first < y.first;
        return x.last != y.last ? x.last > y.last : a < b;  // a kernel's scratch after the tensors
    });
    std::vector<bool> on_top(n, false);
    std::vector<int> placed;
    std::size_t arena = 0;
    for (const int i : order) {
        plan_buffer& b = buffers[static_cast<std::size_t>(i)];
        const int across = opposite[static_cast<std::size_t>(i)];
        const bool want_top = across >= 0 && !on_top[static_cast<std::size_t>(across)];
        const std::size_t bottom = first_fit(buffers, placed, b);
        const bool bottom_fits = bottom + b.bytes <= limit;
        const std::size_t top = top_fit(buffers, placed, b, limit);
        const bool top_fits = top != limit;
        const bool use_top = top_fits && (want_top || !bottom_fits);
        b.offset = use_top ? top : bottom;
        on_top[static_cast<std::size_t>(i)] = use_top;
        arena = std::max(arena, b.offset + b.bytes);
        placed.push_back(i);
    }
    return arena;
}

/// Exact search for a packing within `limit` bytes (see the header comment). Buffers are placed
/// in increasing (offset, index) order, each at the top of the highest placed buffer it meets.
/// What is left to decide depends only on the buffers still to place, the current offset and the
/// skyline (per step, the top of the placed buffers alive then), so states that failed once are
/// remembered (by a 64-bit hash) and not searched again.
class exact_packer {
public:
    constexpr exact_packer(std::vector<plan_buffer>& buffers, int steps, std::size_t limit, std::size_t& budget)
        : buffers_(&buffers), steps_(static_cast<std::size_t>(steps)), limit_(limit), budget_(&budget),
          placed_(buffers.size(), false), top_(steps_, 0), need_(steps_, 0), failed_(1024, 0) {
        for (const plan_buffer& b : buffers)
            for (int t = b.first; t <= b.last; ++t) need_[static_cast<std::size_t>(t)] += b.bytes;
    }

    /// True when a packing was found (then written into the buffers' offsets).
    constexpr bool run() { return place(0, 0, -1); }
    [[nodiscard]] constexpr bool exhausted() const noexcept { return exhausted_; }

private:
    constexpr bool place(std::size_t count, std::size_t floor, int last_index) {
        std::vector<plan_buffer>& bs = *buffers_;
        if (count == bs.size()) return true;
        // Every buffer still to place lies in [floor, limit), above the skyline: at each step, the
        // room there must hold the ones alive at that step.
        for (std::size_t t = 0; t < steps_; ++t)
            if (need_[t] > limit_ - std::max(top_[t], floor)) return false;
        const std::uint64_t key = state_key(floor, last_index);
        if (known_failure(key)) return false;
        if (*budget_ == 0) {
            exhausted_ = true;
            return false;
        }
        --*budget_;
        struct candidate {
            std::size_t offset;
            std::size_t bytes;
            int index;
        };
        std::vector<candidate> next;
        for (std::size_t i = 0; i < bs.size(); ++i) {
            if (placed_[i]) continue;
            // On the skyline, but not below the floor: a buffer that could sit lower waits or floats at
            // the floor (a superset of the pushed-down packings, so the state above decides the rest).
            std::size_t offset = floor;
            for (int t = bs[i].first; t <= bs[i].last; ++t) offset = std::max(offset, top_[static_cast<std::size_t>(t)]);
            const int index = static_cast<int>(i);
            if ((offset == floor && index < last_index) || offset + bs[i].bytes > limit_) continue;
            next.push_back({offset, bs[i].bytes, index});
        }
        std::sort(next.begin(), next.end(), [](const candidate& a, const candidate& b) {
            return a.offset != b.offset ? a.offset < b.offset : a.bytes != b.bytes ? a.bytes > b.bytes : a.index < b.index;
        });
        std::vector<std::size_t> saved;
        for (const candidate& c : next) {
            const auto i = static_cast<std::size_t>(c.index);
            plan_buffer& b = bs[i];
            b.offset = c.offset;
            placed_[i] = true;
            saved.assign(top_.begin() + b.first, top_.begin() + b.last + 1);
            for (int t = b.first; t <= b.last; ++t) {
                top_[static_cast<std::size_t>(t)] = c.offset + b.bytes;
                need_[static_cast<std::size_t>(t)] -= b.bytes;
            }
            if (place(count + 1, c.offset, c.index)) return true;
            for (int t = b.first; t <= b.last; ++t) {
                top_[static_cast<std::size_t>(t)] = saved[static_cast<std::size_t>(t - b.first)];
                need_[static_cast<std::size_t>(t)] += b.bytes;
            }
            placed_[i] = false;
            if (exhausted_) return false;
        }
        remember_failure(key);
        return false;
    }

    [[nodiscard]] constexpr std::uint64_t state_key(std::size_t floor, int last_index) const noexcept {
        std::uint64_t h = 0x9e3779b97f4a7c15ULL;
        auto mix = [&h](std::uint64_t v) {
            h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6U) + (h >> 2U);
            h *= 0xbf58476d1ce4e5b9ULL;
        };
        mix(floor);
        mix(static_cast<std::uint64_t>(last_index + 1));
        std::uint64_t bits = 0;
        for (std::size_t i = 0; i < placed_.size(); ++i) {
            bits = (bits << 1U) | (placed_[i] ? 1U : 0U);
            if (i % 64 == 63) {
                mix(bits);
                bits = 0;
            }
        }
        mix(bits);
        for (std::size_t t = 0; t < steps_; ++t) mix(std::max(top_[t], floor));
        return h | 1U;  // 0 marks an empty slot
    }

    [[nodiscard]] constexpr bool known_failure(std::uint64_t key) const noexcept {
        const std::size_t mask = failed_.size() - 1;
        for (std::size_t i = static_cast<std::size_t>(key) & mask;; i = (i + 1) & mask) {
            if (failed_[i] == key) return true;
            if (failed_[i] == 0) return false;
        }
    }

    constexpr void remember_failure(std::uint64_t key) {
        if (2 * (failures_ + 1) > failed_.size()) {
            std::vector<std::uint64_t> old(failed_.size() * 2, 0);
            old.swap(failed_);
            failures_ = 0;
            for (const std::uint64_t k : old)
                if (k != 0) remember_failure(k);
        }
        const std::size_t mask = failed_.size() - 1;
        std::size_t i = static_cast<std::size_t>(key) & mask;
        while (failed_[i] != 0 && failed_[i] != key) i = (i + 1) & mask;
        if (failed_[i] == 0) ++failures_;
        failed_[i] = key;
    }

    std::vector<plan_buffer>* buffers_;
    std::size_t steps_;
    std::size_t limit_;
    std::size_t* budget_;
    bool exhausted_ = false;
    std::vector<bool> placed_;
    std::vector<std::size_t> top_;   ///< per step: the top of the placed buffers alive then
    std::vector<std::size_t> need_;  ///< per step: the bytes of the buffers still to place alive then
    std::vector<std::uint64_t> failed_;
    std::size_t failures_ = 0;
};

/// Offsets for the buffers, in an arena of at least `peak` bytes; returns the arena size and
/// whether the exact search ran. `opposite`: for two_sided_place (empty: that placement is skipped).
constexpr std::pair<std::size_t, bool> pack(std::vector<plan_buffer>& buffers, int steps, std::size_t peak,
                                            std::size_t& search_nodes, const std::vector<int>& opposite = {}) {
    const std::size_t n = buffers.size();
    std::vector<int> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<int>(i);
    auto length = [&](int i) { return buffers[static_cast<std::size_t>(i)].last - buffers[static_cast<std::size_t>(i)].first; };
    auto bytes = [&](int i) { return buffers[static_cast<std::size_t>(i)].bytes; };
    auto first = [&](int i) { return buffers[static_cast<std::size_t>(i)].first; };
    // Greedy orders, each a total order (ties broken by index).
    auto by_size = [&](int a, int b) {
        return bytes(a) != bytes(b) ? bytes(a) > bytes(b) : length(a) != length(b) ? length(a) > length(b) : a < b;
    };
    auto by_length = [&](int a, int b) {
        return length(a) != length(b) ? length(a) > length(b) : bytes(a) != bytes(b) ? bytes(a) > bytes(b) : a < b;
    };
    auto by_start = [&](int a, int b) {
        return first(a) != first(b) ? first(a) < first(b) : bytes(a) != bytes(b) ? bytes(a) > bytes(b) : a < b;
    };
    auto by_area = [&](int a, int b) {
        const std::size_t area_a = bytes(a) * static_cast<std::size_t>(length(a) + 1);
        const std::size_t area_b = bytes(b) * static_cast<std::size_t>(length(b) + 1);
        return area_a != area_b ? area_a > area_b : by_size(a, b);
    };
    std::size_t best = ~std::size_t{0};
    std::vector<plan_buffer> best_buffers;
    for (int strategy = 0; strategy < 4 && best > peak; ++strategy) {
        if (strategy == 0) std::sort(order.begin(), order.end(), by_size);
        if (strategy == 1) std::sort(order.begin(), order.end(), by_length);
        if (strategy == 2) std::sort(order.begin(), order.end(), by_start);
        if (strategy == 3) std::sort(order.begin(), order.end(), by_area);
        const std::size_t arena = greedy_place(buffers, order);
        if (arena < best) {
            best = arena;
            best_buffers = buffers;
        }
    }
    if (best > peak && !opposite.empty()) {
        const std::size_t arena = two_sided_place(buffers, opposite, peak);
        if (arena < best) {
            best = arena;
            best_buffers = buffers;
        }
    }
    if (best <= peak) {
        buffers = best_buffers;
        return {best, false};
    }
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

/// A memory plan in arrays of fixed size, for a constexpr variable (Tensors and Ops must equal the
/// graph's counts).
template <std::size_t Tensors, std::size_t Ops>
struct fixed_memory_plan {
    std::array<placement, Tensors> tensors{};  ///< per tensor index
    std::array<placement, Ops> scratch{};      ///< per op index
    std::array<int, Ops> order{};              ///< op indices in execution order
    std::size_t arena_bytes = 0;
    std::size_t peak_bytes = 0;

    [[nodiscard]] constexpr bool at_peak() const noexcept { return arena_bytes == peak_bytes; }
};

/// The plan in fixed-size arrays; throws (a compile error in a constant expression) when the sizes
/// differ from the plan's.
template <std::size_t Tensors, std::size_t Ops>
[[nodiscard]] constexpr fixed_memory_plan<Tensors, Ops> fixed(const memory_plan& p) {
    if (p.tensors.size() != Tensors || p.scratch.size() != Ops)
        throw std::invalid_argument("fixed_memory_plan: the sizes differ from the plan's tensor and op counts");
    fixed_memory_plan<Tensors, Ops> f;
    std::copy(p.tensors.begin(), p.tensors.end(), f.tensors.begin());
    std::copy(p.scratch.begin(), p.scratch.end(), f.scratch.begin());
    std::copy(p.order.begin(), p.order.end(), f.order.begin());
    f.arena_bytes = p.arena_bytes;
    f.peak_bytes = p.peak_bytes;
    return f;
}

/// The memory plan of network `Net` on inputs of shape `Input` at precision `P`, usable as a
/// constexpr variable.
template <class Net, shape Input, precision P>
[[nodiscard]] constexpr auto plan_of() {
    constexpr std::size_t tensors = lower<Net>(Input, P).tensors.size();
    constexpr std::size_t ops = lower<Net>(Input, P).ops.size();
    return fixed<tensors, ops>(plan(lower<Net>(Input, P)));
}

namespace detail {

/// The character that stands for tensor t in a printed plan: A-Z, a-z, then again.
constexpr char plan_letter(std::size_t t) noexcept {
    constexpr char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    return letters[t % 52];
}

inline std::string chart_pad_left(std::string s, std::size_t width) {
    if (s.size() < width) s.insert(0, width - s.size(), ' ');
    return s;
}
inline std::string chart_pad_right(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

} // namespace detail

/// The plan as a text chart: one row per step, the arena across (about 64 characters), a letter
/// per tensor ('+' for the kernel's scratch, '.' for free bytes), then a legend.
[[nodiscard]] inline std::string print(const memory_plan& p, const graph& g) {
    constexpr std::size_t width = 64;
    const std::size_t arena = std::max<std::size_t>(p.arena_bytes, 1);
    const std::size_t per_char = (arena + width - 1) / width;
    const std::size_t columns = (arena + per_char - 1) / per_char;
    std::string out = concat("arena ", p.arena_bytes, " bytes (the schedule's peak: ", p.peak_bytes, "), ",
                             p.order.size(), " steps, one character = ", per_char, " bytes\n");
    std::size_t kind_width = 5;
    for (const auto& op : g.ops) kind_width = std::max(kind_width, std::string(op.kind).size());
    // A ruler: offset 0 at the left edge, the arena size at the right.
    std::string ruler = detail::chart_pad_left(std::to_string(p.arena_bytes), columns);
    ruler[0] = '0';
    out += concat(detail::chart_pad_left("step", 4), ' ', detail::chart_pad_right("op", kind_width), " |", ruler,
                  "| bytes in use\n");
    auto draw = [&](std::string& row, const placement& b, char c) {
        if (b.bytes == 0) return;
        const std::size_t from = b.offset / per_char;
        const std::size_t to = std::max(from + 1, (b.end() + per_char - 1) / per_char);
        for (std::size_t i = from; i < to && i < row.size(); ++i) row[i] = c;
    };
    for (int step = 0; step < p.steps(); ++step) {
        std::string row(columns, '.');
        std::size_t in_use = 0;
        // An in-place output and the input it overwrites, both alive at their handover step, are one
        // buffer: count it once and show the output's letter.
        auto handed_over = [&](std::size_t t) {
            const int in = p.tensors[t].shares_with;
            return in >= 0 && p.tensors[static_cast<std::size_t>(in)].live_at(step);
        };
        // Larger buffers first, so a small one stays visible where they share a character.
        std::vector<std::size_t> live;
        for (std::size_t t = 0; t < p.tensors.size(); ++t)
            if (p.tensors[t].live_at(step) && !handed_over(t)) live.push_back(t);
        std::sort(live.begin(), live.end(), [&](std::size_t a, std::size_t b) { return p.tensors[a].bytes > p.tensors[b].bytes; });
        for (const std::size_t t : live) {
            draw(row, p.tensors[t], detail::plan_letter(t));
            in_use += p.tensors[t].bytes;
        }
        for (std::size_t t = 0; t < p.tensors.size(); ++t)
            if (p.tensors[t].live_at(step) && handed_over(t)) draw(row, p.tensors[t], detail::plan_letter(t));
        std::string kind = "input";
        if (!p.order.empty()) {
            const auto op = static_cast<std::size_t>(p.order[static_cast<std::size_t>(step)]);
            draw(row, p.scratch[op], '+');
            in_use += p.scratch[op].bytes;
            kind = g.ops[op].kind;
        }
        out += concat(detail::chart_pad_left(std::to_string(step), 4), ' ', detail::chart_pad_right(kind, kind_width), " |", row,
                      "| ", in_use, '\n');
    }
    using detail::chart_pad_left;
    using detail::chart_pad_right;
    out += "legend:\n";
    for (std::size_t t = 0; t < p.tensors.size(); ++t) {
        const placement& b = p.tensors[t];
        std::string writer = "input";
        for (const auto& op : g.ops)
            if (op.output == static_cast<int>(t)) writer = op.kind;
        const shape s = g.tensors[t].extent;
        out += concat("  ", detail::plan_letter(t), "  tensor ", chart_pad_right(std::to_string(t), 3), ' ',
                      chart_pad_right(writer, kind_width), ' ', chart_pad_right(concat(s.h, 'x', s.w, 'x', s.c), 11),
                      chart_pad_left(std::to_string(b.bytes), 8), " B at ", chart_pad_left(std::to_string(b.offset), 7), ", steps ",
                      b.first_step, '-', b.last_step);
        if (b.shares_with >= 0) out += concat(", in place of tensor ", b.shares_with);
        out += '\n';
    }
    for (std::size_t k = 0; k < p.scratch.size(); ++k) {
        const placement& b = p.scratch[k];
        if (b.bytes == 0) continue;
        out += concat("  +  scratch of op ", chart_pad_right(std::to_string(k), 3), ' ', chart_pad_right(g.ops[k].kind, kind_width),
                      ' ', chart_pad_right("", 11), chart_pad_left(std::to_string(b.bytes), 8), " B at ",
                      chart_pad_left(std::to_string(b.offset), 7), ", step ", b.first_step, '\n');
    }
    return out;
}

} // namespace nascent::cost
